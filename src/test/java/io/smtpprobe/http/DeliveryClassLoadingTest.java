package io.smtpprobe.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.testing.ChildProcess;
import io.smtpprobe.testing.DaemonMain;
import io.smtpprobe.testing.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery probe costs an agent without a delivery target nothing: a daemon that has probed, been scraped and
 * been asked for /status has loaded no class of the delivery package and none of Angus Mail's IMAP provider, as the
 * JVM's own class-load log shows. With a delivery target the same log shows them, so the test can see them.
 */
class DeliveryClassLoadingTest {
    @TempDir
    Path dir;

    private static List<String> daemonLoggingClassLoads(Path config) {
        List<String> command = new ArrayList<>(ChildProcess.java(DaemonMain.class.getName(), config.toString(),
                "127.0.0.1:0", "gated"));
        command.add(1, "-Xlog:class+load=info:stdout");
        return command;
    }

    private static boolean deliveryOrImap(String line) {
        return line.contains("io.smtpprobe.delivery.") || line.contains("org.eclipse.angus.mail.imap.");
    }

    @Test
    void aDaemonWithoutADeliveryTargetLoadsNoneOfItsClasses() throws Exception {
        Path file = dir.resolve("smtp-probe.yml");
        Files.writeString(file, DaemonProcessTest.config("5s", "control"));
        try (ChildProcess daemon = new ChildProcess(daemonLoggingClassLoads(file))) {
            Http http = new Http(DaemonProcessTest.port(daemon));
            daemon.await("msg=\"verdict changed\" target=control", 30);
            assertThat(http.get("/metrics").body()).contains("target=\"control\"");
            assertThat(http.get("/status").body()).contains("\"control\"").doesNotContain("deliveries");
            daemon.signal("TERM");
            String output = daemon.awaitEnd(60);

            assertThat(output).contains("[class,load] io.smtpprobe.daemon.RunningAgent");
            assertThat(output.lines().filter(DeliveryClassLoadingTest::deliveryOrImap).toList()).isEmpty();
        }
    }

    @Test
    void aDaemonWithADeliveryTargetLoadsThem() throws Exception {
        Path password = dir.resolve("mailbox-password");
        Files.writeString(password, "mailbox-Pa55word\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Path file = dir.resolve("smtp-probe.yml");
        // The relay's check passes at once (gated prober); nothing listens on port 1, so the mailbox fails to open.
        Files.writeString(file, DaemonProcessTest.config("5s", "control") + """
                  - name: relay
                    host: 127.0.0.1
                    mode: submission
                  - name: delivery
                    mode: delivery
                    relay: relay
                    mail_from: probe@example.com
                    rcpt_to: inbox@example.com
                    state_file: %s
                    mailbox:
                      host: 127.0.0.1
                      port: 1
                      username: inbox
                      password_file: %s
                """.formatted(dir.resolve("delivery.last-sent"), password));
        try (ChildProcess daemon = new ChildProcess(daemonLoggingClassLoads(file))) {
            daemon.await("msg=\"delivery probed\" target=delivery outcome=mailbox_failed", 60);
            daemon.signal("TERM");
            String output = daemon.awaitEnd(60);

            assertThat(output).contains("[class,load] io.smtpprobe.delivery.DeliveryProbe ",
                    "[class,load] org.eclipse.angus.mail.imap.IMAPStore ");
        }
    }
}
