package io.smtpprobe.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprobe.config.ConfigException;
import io.smtpprobe.testing.Openssl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web config's files as the agent reads them, and as {@code check-config} reads them in the unit's
 * {@code ExecStartPre} (as the service's transient user, {@code CREDENTIALS_DIRECTORY} set): a file it may not
 * read is refused with the way to let the service read it (issue 23: a key only root reads failed every start
 * with a bare "Permission denied"). These tests run as root, who reads everything: what the service's user may
 * read is given to {@link WebConfigPaths#of(Map, Predicate)}; the boot test has the real user.
 */
class WebConfigPathsTest {
    @TempDir
    Path dir;
    Path credentials;
    Path cert;
    Path key;

    @BeforeEach
    void certificateAndKey() throws Exception {
        credentials = Files.createDirectories(dir.resolve("credentials"));
        key = dir.resolve("smtp-probe.key");
        cert = dir.resolve("smtp-probe.crt");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=smtp-probe.internal", "-addext", "subjectAltName=DNS:smtp-probe.internal",
                "-keyout", key.toString(), "-out", cert.toString());
    }

    @Test
    void underSystemdAKeyTheServiceMayNotReadIsRefusedWithTheCredentialRoute() throws IOException {
        Path web = web("key_file: " + key);

        assertThatThrownBy(() -> WebConfigFile.load(web, asService(path -> !path.equals(key))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--web.config.file " + web + ": tls_server_config.key_file: cannot read " + key
                        + ": Permission denied; the service's user may not read it: smtp-probe.service runs as a"
                        + " transient user (DynamicUser=yes), which reads only what every user may read; keep the key"
                        + " root's and hand it in as a systemd credential: a drop-in (sudo systemctl edit smtp-probe)"
                        + " with [Service] LoadCredential=tls.key:" + key + ", key_file:"
                        + " ${CREDENTIALS_DIRECTORY}/tls.key in the web config, then sudo systemctl restart smtp-probe"
                        + " (dashboards/FLEET.md, \"Scrape over TLS with basic auth\")");
    }

    @Test
    void underSystemdTheKeyAsACredentialLoads() throws Exception {
        Files.copy(key, credentials.resolve("tls.key"));
        Path web = web("key_file: ${CREDENTIALS_DIRECTORY}/tls.key");

        WebConfigFile loaded = WebConfigFile.load(web, asService(path -> !path.equals(key)));

        assertThat(loaded.tls().keyFile()).isEqualTo(credentials.resolve("tls.key"));
    }

    @Test
    void underSystemdACredentialTheUnitDoesNotLoadSaysToAddTheLoadCredentialLine() throws IOException {
        Path web = web("key_file: ${CREDENTIALS_DIRECTORY}/tls.key");

        assertThatThrownBy(() -> WebConfigFile.load(web, asService(path -> true)))
                .hasMessage("--web.config.file " + web + ": tls_server_config.key_file: " + credentials.resolve("tls.key")
                        + " does not exist: the unit loads no credential tls.key; add LoadCredential=tls.key:FILE in a"
                        + " drop-in (sudo systemctl edit smtp-probe), FILE being where root keeps it, then sudo"
                        + " systemctl restart smtp-probe (dashboards/FLEET.md, \"Scrape over TLS with basic auth\")");
    }

    @Test
    void underSystemdACertificateTheServiceMayNotReadMayBeOpenedToAllOrHandedIn() throws IOException {
        Path web = web("key_file: " + key);

        assertThatThrownBy(() -> WebConfigFile.load(web, asService(path -> !path.equals(cert))))
                .hasMessageContaining("tls_server_config.cert_file: cannot read " + cert + ": Permission denied;")
                .hasMessageContaining("make it and the directories above it readable by every user (chmod 0644 "
                        + cert + "; chmod 0755 on each directory) (a certificate is public), or hand it in as a"
                        + " credential: a drop-in (sudo systemctl edit smtp-probe) with [Service] LoadCredential=tls.crt:"
                        + cert + ", cert_file: ${CREDENTIALS_DIRECTORY}/tls.crt in the web config");
    }

    @Test
    void underSystemdAWebConfigTheServiceMayNotReadSaysToOpenItToAll() throws IOException {
        Path web = web("key_file: ${CREDENTIALS_DIRECTORY}/tls.key");

        assertThatThrownBy(() -> WebConfigFile.load(web, asService(path -> !path.equals(web))))
                .hasMessageStartingWith("--web.config.file " + web + ": cannot read the file: Permission denied; the"
                        + " service's user may not read it: smtp-probe.service runs as a transient user")
                .hasMessageContaining("and it reads this file at every request; make it and the directories above it"
                        + " readable by every user (chmod 0644 " + web + "; chmod 0755 on each directory): it holds"
                        + " bcrypt hashes and file paths, while the key itself stays root's as a credential");
    }

    @Test
    void outsideSystemdAnUnreadableKeyIsSaidWithoutTheUnitsAdvice() throws IOException {
        Path web = web("key_file: " + key);

        assertThatThrownBy(() -> WebConfigFile.load(web, WebConfigPaths.of(Map.of(), path -> !path.equals(key))))
                .hasMessage("--web.config.file " + web + ": tls_server_config.key_file: cannot read " + key
                        + ": Permission denied");
    }

    @Test
    void aKeyThatDoesNotBelongToTheCertificateIsRefusedAfterBothRead() throws Exception {
        Path other = dir.resolve("other.key");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", other.toString());
        Path web = web("key_file: " + other);

        assertThatThrownBy(() -> WebConfigFile.load(web, asService(path -> true)))
                .hasMessageContaining("the private key does not belong to the certificate");
    }

    private WebConfigPaths asService(Predicate<Path> mayRead) {
        return WebConfigPaths.of(Map.of("CREDENTIALS_DIRECTORY", credentials.toString(), "INVOCATION_ID", "0123"),
                mayRead);
    }

    private Path web(String keyLine) throws IOException {
        return Files.writeString(dir.resolve("web.yml"), "tls_server_config:\n  cert_file: " + cert + "\n  "
                + keyLine + "\n");
    }

    private void openssl(String... args) throws Exception {
        Openssl.run(dir, args);
    }
}
