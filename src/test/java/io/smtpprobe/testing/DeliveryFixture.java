package io.smtpprobe.testing;

import com.icegreen.greenmail.base.GreenMailOperations;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.smtpprobe.testing.GreenMailSetups;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The delivery tests' targets: a relay on GreenMail's SMTPS and a delivery target through it to its IMAPS. */
public final class DeliveryFixture {
    public static final String RELAY_PASSWORD = "relay-Pa55word";
    public static final String MAILBOX_PASSWORD = "mailbox-Pa55word";

    private DeliveryFixture() {}

    /** GreenMail with SMTPS and IMAPS on ports of their own; {@link #users} before each test. */
    public static GreenMailExtension greenMail() {
        return new GreenMailExtension(
                GreenMailSetups.loopback(ServerSetupTest.SMTPS, ServerSetupTest.IMAPS));
    }

    /** The relay's user and the mailbox's, with {@link #RELAY_PASSWORD} and {@link #MAILBOX_PASSWORD}. */
    public static void users(GreenMailOperations greenMail) {
        greenMail.setUser("relay@example.com", "relay", RELAY_PASSWORD);
        greenMail.setUser("inbox@example.com", "inbox", MAILBOX_PASSWORD);
    }

    /** A password file as the loader takes one: the secret alone on a line, mode 0600. */
    public static Path secret(Path dir, String name, String value) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, value + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /**
     * A {@code targets:} list: relay {@code relay} (smtps on {@code smtpsPort}, user {@code relay}) and delivery
     * target {@code delivery} from relay@example.com to {@code rcptTo}, its mailbox user {@code inbox} on
     * {@code imapsPort}.
     *
     * @param deliveryLines more keys of the delivery target, one per line, unindented (empty for none)
     * @param skipVerify whether the mailbox's certificate (GreenMail's self-signed one) goes unverified
     */
    public static String targets(int smtpsPort, Path relayPassword, String rcptTo, String deliveryLines,
            Path stateFile, int imapsPort, Path mailboxPassword, boolean skipVerify) {
        String more = deliveryLines.isEmpty() ? "" : deliveryLines.strip().indent(4);
        return """
                targets:
                  - name: relay
                    host: 127.0.0.1
                    port: %d
                    mode: smtps
                    tls:
                      insecure_skip_verify: true
                    auth:
                      username: relay
                      password_file: %s
                  - name: delivery
                    mode: delivery
                    relay: relay
                    mail_from: relay@example.com
                    rcpt_to: %s
                %s    state_file: %s
                    mailbox:
                      host: 127.0.0.1
                      port: %d
                      username: inbox
                      password_file: %s
                      tls:
                        insecure_skip_verify: %s
                """.formatted(smtpsPort, relayPassword, rcptTo, more, stateFile, imapsPort, mailboxPassword, skipVerify);
    }
}
