package io.smtpprobe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.report.ExitCodes;
import io.smtpprobe.testing.Openssl;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check-config FILE --web.config.file WEB}, as the unit's {@code ExecStartPre} runs it with {@code $ARGS}
 * and as a person runs it in a shell: the web config the agent will use is parsed, its users checked, and its
 * certificate and key read and matched, where the service's transient user can read them (issue 23: a key only
 * root reads passed every check and then failed the service at every start). In a shell, whether that user can
 * read a file is judged by its mode and its directories' modes, so these tests hold for root and anyone else.
 */
class CheckConfigWebConfigTest {
    /** bcrypt of "s3cret", cost 10, as {@code htpasswd -nBC 10 "" | tr -d ':\n'} writes it. */
    private static final String HASH = "$2y$10$9FcsYuyyOBAMKUQfbV/zXut.K2WX1VA3/hlpfclr5phI78x4Bnm8O";

    @TempDir
    Path dir;
    Path config;
    Path tls;
    Path cert;
    Path key;

    @BeforeEach
    void filesAsFleetMdHasThem() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        config = Files.writeString(dir.resolve("smtp-probe.yml"), """
                subscription:
                  offer: pay-as-you-go
                targets:
                  - name: control
                    host: 127.0.0.1
                    mode: tcp
                    port: 443
                """);
        tls = Files.createDirectories(dir.resolve("tls"));
        Files.setPosixFilePermissions(tls, PosixFilePermissions.fromString("rwxr-xr-x"));
        cert = tls.resolve("smtp-probe.crt");
        key = tls.resolve("smtp-probe.key");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=smtp-probe.internal", "-addext", "subjectAltName=DNS:smtp-probe.internal",
                "-keyout", key.toString(), "-out", cert.toString());
        Files.setPosixFilePermissions(cert, PosixFilePermissions.fromString("rw-r--r--"));
        // Only root reads the key, as an operator keeps one.
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void passesTheKeyHandedInAsACredentialAsFleetMdSays() throws IOException {
        Path units = unit("DynamicUser=yes\n", "LoadCredential=tls.key:" + key + "\n");
        Path web = web("${CREDENTIALS_DIRECTORY}/tls.key", "prometheus: " + HASH);

        Run run = checkConfig(units, "--web.config.file", web.toString());

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(run.out).contains(config + ": OK, 1 target, offer pay-as-you-go")
                .contains("--web.config.file " + web + ": OK, TLS, 1 basic auth user").doesNotContain("note:");
    }

    @Test
    void failsAKeyOnlyRootReadsWithoutACredentialAndSaysHowToHandItIn() throws IOException {
        Path units = unit("DynamicUser=yes\n");
        Path web = web(key.toString(), "prometheus: " + HASH);

        Run run = checkConfig(units, "--web.config.file", web.toString());

        assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
        PosixFileAttributes owner = Files.readAttributes(key, PosixFileAttributes.class);
        assertThat(run.err).contains("smtp-probe: --web.config.file " + web + ": tls_server_config.key_file: the"
                + " service's user cannot read " + key + " (owner " + owner.owner().getName() + ", group "
                + owner.group().getName() + ", mode 0600): smtp-probe.service runs as a transient user"
                + " (DynamicUser=yes), which reads only what every user may read; keep the key root's and hand it in"
                + " as a systemd credential: a drop-in (sudo systemctl edit smtp-probe) with [Service]"
                + " LoadCredential=tls.key:" + key + ", key_file: ${CREDENTIALS_DIRECTORY}/tls.key in the web"
                + " config, then sudo systemctl restart smtp-probe");
        // The config file itself passed: both are reported.
        assertThat(run.out).contains(config + ": OK");
    }

    @Test
    void failsACertificateInADirectoryClosedToOtherUsers() throws IOException {
        Files.setPosixFilePermissions(tls, PosixFilePermissions.fromString("rwx------"));
        Path units = unit("DynamicUser=yes\n", "LoadCredential=tls.key:" + key + "\n");
        Path web = web("${CREDENTIALS_DIRECTORY}/tls.key", "prometheus: " + HASH);

        Run run = checkConfig(units, "--web.config.file", web.toString());

        assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err).contains("tls_server_config.cert_file: the service's user cannot read " + cert
                + " (its directory " + tls + " is closed to other users: ").contains(", mode 0700): ")
                .contains("chmod 0755 on each directory");
    }

    @Test
    void failsACredentialTheUnitDoesNotLoad() throws IOException {
        Path units = unit("DynamicUser=yes\n");
        Path web = web("${CREDENTIALS_DIRECTORY}/tls.key", "prometheus: " + HASH);

        Run run = checkConfig(units, "--web.config.file", web.toString());

        assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err).contains("tls_server_config.key_file: smtp-probe.service (" + units.resolve(
                "smtp-probe.service") + ") loads no credential tls.key; add LoadCredential=tls.key:/etc/smtp-probe/tls.key"
                + " in a drop-in (systemctl edit smtp-probe)");
    }

    @Test
    void failsAKeyThatIsNotTheCertificatesAndUsersThatAreNoBcryptHashes() throws Exception {
        Path other = tls.resolve("other.key");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", other.toString());
        Path units = unit("DynamicUser=yes\n", "LoadCredential=tls.key:" + other + "\n");
        Path web = web("${CREDENTIALS_DIRECTORY}/tls.key", "prometheus: my-password");

        Run run = checkConfig(units, "--web.config.file", web.toString());

        assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err).contains("the private key does not belong to the certificate")
                .contains("basic_auth_users.prometheus: not a bcrypt hash").doesNotContain("my-password");
    }

    @Test
    void failsAWebConfigThatIsNoYaml() throws IOException {
        Path web = Files.writeString(dir.resolve("web.yml"), "tls_server_config: [unclosed\n");

        Run run = checkConfig(unit("DynamicUser=yes\n"), "--web.config.file", web.toString());

        assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err).contains("smtp-probe: --web.config.file " + web + ": not valid YAML");
    }

    @Test
    void leavesWhoReadsTheFilesToTheStartWhenTheUnitNamesItsUser() throws IOException {
        Path units = unit("DynamicUser=yes\n", "User=prometheus\n");
        Path web = web(key.toString(), "prometheus: " + HASH);

        Run run = checkConfig(units, "--web.config.file", web.toString());

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(run.out).contains("note: --web.config.file " + web + ": tls_server_config.key_file: whether the"
                + " service's user can read " + key + " is checked at start (the unit names its user)");
    }

    @Test
    void takesEveryOptionOfRunAsExecStartPrePassesTheServicesArgs() throws IOException {
        Path units = unit("DynamicUser=yes\n", "LoadCredential=tls.key:" + key + "\n");
        Path web = web("${CREDENTIALS_DIRECTORY}/tls.key", "prometheus: " + HASH);

        Run run = checkConfig(units, "--log.level=debug", "--web.listen-address=127.0.0.1:9925",
                "--web.config.file", web.toString());
        Run wrong = checkConfig(units, "--web.listen-address=9925");

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(wrong.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(wrong.err).contains("--web.listen-address");
    }

    @Test
    void readsTheServicesOwnCredentialsWhenRunAsExecStartPre() throws IOException {
        Path credentials = Files.createDirectories(dir.resolve("credentials"));
        Files.copy(key, credentials.resolve("tls.key"));
        Path web = web("${CREDENTIALS_DIRECTORY}/tls.key", "prometheus: " + HASH);

        Run run = run(Map.of("CREDENTIALS_DIRECTORY", credentials.toString()), "check-config", "--systemd-unit-path",
                dir.resolve("no-units").toString(), config.toString(), "--web.config.file", web.toString());

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(run.out).contains("--web.config.file " + web + ": OK, TLS, 1 basic auth user");
    }

    private Path unit(String... serviceLines) throws IOException {
        Path units = Files.createDirectories(dir.resolve("units"));
        Files.writeString(units.resolve("smtp-probe.service"), "[Service]\nExecStart=/bin/true\n" + String.join("",
                serviceLines));
        return units;
    }

    private Path web(String keyFile, String user) throws IOException {
        Path web = Files.writeString(dir.resolve("web.yml"), "tls_server_config:\n  cert_file: " + cert
                + "\n  key_file: " + keyFile + "\nbasic_auth_users:\n  " + user + "\n");
        Files.setPosixFilePermissions(web, PosixFilePermissions.fromString("rw-r--r--"));
        return web;
    }

    private Run checkConfig(Path units, String... options) {
        List<String> args = new ArrayList<>(List.of("check-config", "--systemd-unit-path", units.toString(),
                config.toString()));
        args.addAll(List.of(options));
        return run(Map.of(), args.toArray(String[]::new));
    }

    private static Run run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.commandLine(environment, new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private void openssl(String... args) throws Exception {
        Openssl.run(dir, args);
    }

    private record Run(int exitCode, String out, String err) {}
}
