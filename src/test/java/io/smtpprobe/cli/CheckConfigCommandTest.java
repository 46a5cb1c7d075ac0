package io.smtpprobe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.report.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check-config} checks a file as the service will see it: in a shell without
 * {@code CREDENTIALS_DIRECTORY}, a credential path is checked against the file the installed unit
 * loads it from, or left to the service's start; never a failure for the shell's missing variable.
 */
class CheckConfigCommandTest {
    @TempDir
    Path dir;

    private static final String RELAY = """
            subscription:
              offer: pay-as-you-go
            targets:
              - name: relay
                host: 127.0.0.1
                mode: submission
                auth:
                  username: probe
                  password_file: ${CREDENTIALS_DIRECTORY}/relay-password
            """;

    @Test
    void passesEveryShippedExampleInAPlainShellWithoutAnInstalledUnit() throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Files.list(Path.of("config/examples"))) {
            examples = files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
        examples = new ArrayList<>(examples);
        examples.add(Path.of("config/smtp-probe.yml"));
        assertThat(examples).hasSizeGreaterThanOrEqualTo(6);
        for (Path example : examples) {
            Run run = checkConfig(example, dir.resolve("no-units"));

            assertThat(run.exitCode).as(example + ": " + run.err).isZero();
            assertThat(run.out).as(example.toString()).contains(example + ": OK");
            assertThat(run.err).as(example.toString()).doesNotContain("not a known offer").doesNotContain("not set");
        }
    }

    @Test
    void saysACredentialIsCheckedAtStartWhenNoUnitSaysWhereItComesFrom() {
        Run run = checkConfig(Path.of("config/examples/relay-with-credentials.yml"), dir.resolve("no-units"));

        assertThat(run.exitCode).isZero();
        assertThat(run.out).contains("note: targets[0].auth.password_file: ${CREDENTIALS_DIRECTORY}/relay-password"
                + " checked at start (no smtp-probe.service installed here")
                .contains("note: targets[1].auth.password_env: environment variable SMTP_RELAY_PASSWORD checked at start");
    }

    @Test
    void sayingAutoIsNoUnknownOffer() {
        Run run = checkConfig(Path.of("config/examples/enterprise-agreement.yml"), dir.resolve("no-units"));

        assertThat(run.exitCode).isZero();
        assertThat(run.err).doesNotContain("warning");
        assertThat(run.out).contains("offer auto (asked of Azure at start)");
    }

    @Test
    void checksTheCredentialsSourceFileTheUnitLoadsItFrom() throws IOException {
        Path password = dir.resolve("relay-password");
        Files.writeString(password, "s3cret-Value\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Path units = unit("LoadCredential=relay-password:" + password + "\nSetCredential=relay-password:\n");

        Run run = checkConfig(write(RELAY), units);

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(run.out).doesNotContain("note:").doesNotContain("s3cret");
    }

    @Test
    void failsWhenTheCredentialsSourceIsMissingAndSaysHowToCreateIt() throws IOException {
        Path password = dir.resolve("relay-password");
        Path units = unit("LoadCredential=relay-password:" + password + "\nSetCredential=relay-password:\n");

        Run run = checkConfig(write(RELAY), units);

        assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err).contains("targets[0].auth.password_file: credential relay-password: its source "
                + password + " does not exist, so the service gets an empty credential; create it (install -m 0600");
    }

    @Test
    void failsWhenTheSourceHoldsNoPasswordAsTheServiceWouldAtStart() throws IOException {
        Path password = dir.resolve("relay-password");
        Files.writeString(password, "\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Path units = unit("LoadCredential=relay-password:" + password + "\n");

        Run run = checkConfig(write(RELAY), units);

        assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err).contains(password + " is empty; it should hold the password");
    }

    @Test
    void takesTheCredentialsOfDropInsAndFailsOnOneTheUnitDoesNotLoad() throws IOException {
        Path secret = dir.resolve("acs-secret");
        Files.writeString(secret, "app-secret\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path units = unit("LoadCredential=relay-password:/nonexistent/relay-password\n");
        Path dropIns = Files.createDirectories(units.resolve("smtp-probe.service.d"));
        Files.writeString(dropIns.resolve("acs.conf"), "[Service]\nLoadCredential=acs-app-secret:" + secret + "\n");
        String acs = RELAY.replace("relay-password", "acs-app-secret");

        assertThat(checkConfig(write(acs), units).exitCode).isZero();

        Run unknown = checkConfig(write(RELAY.replace("relay-password", "other")), units);
        assertThat(unknown.exitCode).isEqualTo(ExitCodes.CONFIG);
        assertThat(unknown.err).contains("smtp-probe.service (" + units.resolve("smtp-probe.service")
                + ") loads no credential other; add LoadCredential=other:/etc/smtp-probe/other in a drop-in");
    }

    @Test
    void theShippedUnitLoadsTheRelayPasswordWithAnEmptyDefault() throws IOException {
        // The packaged unit, as check-config reads it: the credential and its source are found.
        Path units = Files.createDirectories(dir.resolve("shipped"));
        Files.copy(Path.of("systemd/smtp-probe.service"), units.resolve("smtp-probe.service"));

        Run run = checkConfig(write(RELAY), units);

        assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err).contains("credential relay-password: its source /etc/smtp-probe/relay-password does not"
                + " exist, so the service gets an empty credential");
    }

    @Test
    void usesTheServicesOwnDirectoryWhenRunUnderSystemd() throws IOException {
        Path credentials = Files.createDirectories(dir.resolve("credentials"));
        Path password = credentials.resolve("relay-password");
        Files.writeString(password, "\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("r--------"));

        Run run = run(Map.of("CREDENTIALS_DIRECTORY", credentials.toString()),
                List.of("check-config", "--systemd-unit-path", dir.resolve("no-units").toString(), write(RELAY).toString()));

        assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err).contains(password + " is empty; it should hold the password (systemd hands an empty"
                + " credential when the unit's LoadCredential= source file is missing")
                .contains("if it exists now, restart the agent (systemctl restart smtp-probe)");
    }

    private Path unit(String serviceLines) throws IOException {
        Path units = Files.createDirectories(dir.resolve("units"));
        Files.writeString(units.resolve("smtp-probe.service"), "[Service]\nExecStart=/bin/true\n" + serviceLines);
        return units;
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("config-" + yaml.hashCode() + ".yml");
        Files.writeString(file, yaml);
        return file;
    }

    private static Run checkConfig(Path file, Path unitPath) {
        return run(Map.of(), List.of("check-config", "--systemd-unit-path", unitPath.toString(), file.toString()));
    }

    private static Run run(Map<String, String> environment, List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.commandLine(environment, new PrintWriter(out), new PrintWriter(err))
                .execute(args.toArray(String[]::new));
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {}
}
