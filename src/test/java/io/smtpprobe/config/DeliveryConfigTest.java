package io.smtpprobe.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.policy.PolicyTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A delivery target as it loads: its defaults set once, its mailbox password read like a relay's. */
class DeliveryConfigTest {
    private static final String MAILBOX_PASSWORD = "mailbox-Secret-5e1d";

    @TempDir
    Path dir;

    private String yaml(String extra) {
        return """
                targets:
                  - name: relay
                    host: relay.example.com
                    mode: submission
                  - name: delivery
                    mode: delivery
                    relay: relay
                    mail_from: probe@example.com
                    rcpt_to: inbox@example.com
                %s    mailbox:
                      host: imap.example.com
                      username: inbox@example.com
                      password_file: ${CREDENTIALS_DIRECTORY}/mailbox-password
                """.formatted(extra);
    }

    private Config load(Map<String, String> environment, String extra) throws Exception {
        Path credentials = Files.createDirectories(dir.resolve("credentials"));
        Path password = credentials.resolve("mailbox-password");
        Files.writeString(password, MAILBOX_PASSWORD + "\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.put("CREDENTIALS_DIRECTORY", credentials.toString());
        return new ConfigLoader(env, PolicyTable.NAMES).parse(yaml(extra), "delivery.yml");
    }

    @Test
    void takesTheDefaultsOfTheManPage() throws Exception {
        Config config = load(Map.of(), "");

        assertThat(config.targets()).extracting(TargetConfig::name).containsExactly("relay");
        DeliveryConfig delivery = config.deliveries().get(0);
        assertThat(delivery.interval()).isEqualTo(Duration.ofMinutes(15));
        assertThat(delivery.deliveryTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(delivery.mailbox().port()).isEqualTo(993);
        assertThat(delivery.mailbox().folder()).isEqualTo("INBOX");
        assertThat(delivery.mailbox().tls()).isEqualTo(TlsConfig.DEFAULT);
        assertThat(delivery.stateFile()).isEqualTo(Path.of("/var/lib/smtp-probe/delivery-delivery.last-sent"));
    }

    @Test
    void readsTheMailboxPasswordFromASystemdCredentialAndNeverShowsIt() throws Exception {
        DeliveryConfig delivery = load(Map.of(), "").deliveries().get(0);

        assertThat(delivery.mailbox().password().reveal()).isEqualTo(MAILBOX_PASSWORD);
        assertThat(delivery.mailbox().passwordSource()).isEqualTo(
                dir.resolve("credentials/mailbox-password").toString());
        assertThat(delivery.toString()).doesNotContain(MAILBOX_PASSWORD);
    }

    @Test
    void keepsItsStateInSystemdsStateDirectory() throws Exception {
        DeliveryConfig delivery = load(Map.of("STATE_DIRECTORY", "/var/lib/smtp-probe-x:/var/lib/other"), "")
                .deliveries().get(0);

        assertThat(delivery.stateFile()).isEqualTo(Path.of("/var/lib/smtp-probe-x/delivery-delivery.last-sent"));
    }

    @Test
    void takesAConfiguredStateFileAndInterval() throws Exception {
        DeliveryConfig delivery = load(Map.of(), "    interval: 1m\n    delivery_timeout: 50s\n    state_file: "
                + dir.resolve("state") + "\n").deliveries().get(0);

        assertThat(delivery.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(delivery.deliveryTimeout()).isEqualTo(Duration.ofSeconds(50));
        assertThat(delivery.stateFile()).isEqualTo(dir.resolve("state"));
    }

    @Test
    void warnsWhenTheMailboxCertificateIsNotVerified() throws Exception {
        assertThat(load(Map.of(), "").warnings()).isEmpty();

        String yaml = yaml("").replace("      password_file:", "      tls:\n        insecure_skip_verify: true\n"
                + "      password_file:");
        Config insecure = new ConfigLoader(Map.of("CREDENTIALS_DIRECTORY", dir.resolve("credentials").toString()),
                PolicyTable.NAMES).parse(yaml, "delivery.yml");

        assertThat(insecure.warnings()).containsExactly("delivery.mailbox.tls.insecure_skip_verify: the certificate"
                + " of imap.example.com is not verified, so anyone on the path can pose as it and take the mailbox's"
                + " credentials; use mailbox.tls.ca_file to trust a private CA instead");
    }
}
