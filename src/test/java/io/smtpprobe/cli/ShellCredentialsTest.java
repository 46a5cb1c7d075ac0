package io.smtpprobe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What check tells a shell that cannot read the service's credentials: commands that run as printed. */
class ShellCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void theSystemdRunCommandLoadsOnlyTheCredentialsTheConfigReads() throws Exception {
        // The unit loads a mailbox password too (for delivery targets); a config without one has no file for it,
        // and systemd-run -p LoadCredential= with a missing source fails the command before check runs.
        Path units = Files.createDirectories(dir.resolve("units"));
        Files.writeString(units.resolve("smtp-probe.service"), "[Service]\nExecStart=/bin/true\n"
                + "LoadCredential=relay-password:/etc/smtp-probe/relay-password\nSetCredential=relay-password:\\n\n"
                + "LoadCredential=mailbox-password:/etc/smtp-probe/mailbox-password\n"
                + "SetCredential=mailbox-password:\\n\n");
        Path config = Files.writeString(dir.resolve("smtp-probe.yml"), """
                targets:
                  - name: relay
                    host: smtp.example.net
                    mode: submission
                    auth:
                      username: probe
                      password_file: ${CREDENTIALS_DIRECTORY}/relay-password
                """);

        ShellCredentials shell = ShellCredentials.of(config, Map.of(), List.of(units));
        String advice = shell.advice("smtp-probe check --config " + config);

        assertThat(advice).contains("`sudo systemd-run --pipe --wait -p LoadCredential=relay-password:"
                + "/etc/smtp-probe/relay-password smtp-probe check --config " + config + "`")
                .contains("(`sudo smtp-probe check --config " + config + "`)").doesNotContain("mailbox-password");
    }
}
