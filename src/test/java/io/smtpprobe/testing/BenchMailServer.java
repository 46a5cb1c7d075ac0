package io.smtpprobe.testing;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The benchmark's relay and mailbox for a delivery target (src/bench/bench.py, measurement 3): GreenMail's SMTPS
 * and IMAPS on loopback ports of their own, with {@link DeliveryFixture}'s users. Writes {@code relay-password} and
 * {@code mailbox-password} into the directory given, prints {@code smtps=PORT imaps=PORT}, and serves until its
 * standard input ends.
 */
public final class BenchMailServer {
    private BenchMailServer() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BenchMailServer DIRECTORY (where the two password files are written)");
            System.exit(64);
        }
        Path dir = Path.of(args[0]);
        DeliveryFixture.secret(dir, "relay-password", DeliveryFixture.RELAY_PASSWORD);
        DeliveryFixture.secret(dir, "mailbox-password", DeliveryFixture.MAILBOX_PASSWORD);
        GreenMail mail = new GreenMail(GreenMailSetups.loopback(ServerSetupTest.SMTPS, ServerSetupTest.IMAPS));
        mail.start();
        try {
            DeliveryFixture.users(mail);
            System.out.println("smtps=" + mail.getSmtps().getPort() + " imaps=" + mail.getImaps().getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the benchmark closes our standard input
            }
        } finally {
            mail.stop();
        }
    }
}
