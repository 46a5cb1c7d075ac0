package io.smtpprobe.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.smtpprobe.daemon.Daemon;
import io.smtpprobe.config.ConfigException;
import io.smtpprobe.testing.GatedProber;
import io.smtpprobe.testing.Openssl;
import io.smtpprobe.testing.PrometheusServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --web.config.file} against real clients: a real Prometheus scrapes an agent over TLS with basic auth
 * and another that requires a verified client certificate, and is refused without them; Java's client sees
 * 401 with {@code WWW-Authenticate} for a wrong password and the renewed certificate after a rotation.
 * Certificates are made by the openssl command, as an operator makes them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebConfigEndpointTest {
    /** bcrypt of "s3cret", cost 10, as {@code htpasswd -nBC 10 "" | tr -d ':\n'} writes it. */
    static final String ALICE_HASH = "$2y$10$9FcsYuyyOBAMKUQfbV/zXut.K2WX1VA3/hlpfclr5phI78x4Bnm8O";

    Path dir;

    final GatedProber prober = new GatedProber(Clock.systemUTC());
    final List<Daemon> daemons = new ArrayList<>();
    Path ca;
    Daemon withAuth;
    Daemon withClientCerts;

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        ca = dir.resolve("ca.crt");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=test web CA", "-keyout", dir.resolve("ca.key").toString(), "-out", ca.toString());
        // SEC1 ("EC PRIVATE KEY"), as openssl ecparam writes it; the client's is PKCS#8.
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", dir.resolve("server.key").toString());
        sign("server", "agent-1", dir.resolve("server.key"), "subjectAltName=IP:127.0.0.1");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                dir.resolve("client.key").toString());
        sign("client", "prometheus", dir.resolve("client.key"), "extendedKeyUsage=clientAuth");

        Path auth = Files.writeString(dir.resolve("web-auth.yml"), """
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                basic_auth_users:
                  alice: %s
                http_server_config:
                  headers:
                    X-Frame-Options: deny
                """.formatted(ALICE_HASH));
        Path certs = Files.writeString(dir.resolve("web-certs.yml"), """
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: ca.crt
                  min_version: TLS13
                """);
        withAuth = daemon(WebConfigFile.load(auth));
        withClientCerts = daemon(WebConfigFile.load(certs));
    }

    @AfterAll
    void stop() throws InterruptedException {
        prober.openAll();
        for (Daemon daemon : daemons) {
            daemon.agent().shutdown();
            daemon.agent().awaitShutdown();
        }
    }

    private Daemon daemon(WebConfigFile web) {
        return daemon(null, web, new ByteArrayOutputStream());
    }

    /** A daemon whose users and headers follow {@code webFile}, its log in {@code logBytes}. */
    private Daemon daemon(Path webFile, WebConfigFile web, ByteArrayOutputStream logBytes) {
        Daemon daemon = OneRelayDaemon.start(dir, prober, logBytes,
                (address, agent, log) -> new AgentHttpServer(address, webFile, web, agent, log));
        daemons.add(daemon);
        return daemon;
    }

    @Test
    void prometheusScrapesOverTlsWithBasicAuthOrAClientCertificateAndIsRefusedWithout() throws Exception {
        String tls = "    scheme: https\n    tls_config:\n      ca_file: " + ca + "\n";
        String scrapeConfigs = job("auth-ok", withAuth, tls + "    basic_auth:\n      username: alice\n"
                        + "      password: s3cret\n")
                + job("auth-wrong-password", withAuth, tls + "    basic_auth:\n      username: alice\n"
                        + "      password: guess\n")
                + job("auth-missing", withAuth, tls)
                + job("auth-plain-http", withAuth, "")
                + job("cert-ok", withClientCerts, tls + "      cert_file: " + dir.resolve("client.crt") + "\n"
                        + "      key_file: " + dir.resolve("client.key") + "\n")
                + job("cert-missing", withClientCerts, tls);
        try (PrometheusServer prometheus = PrometheusServer.start(Files.createDirectories(dir.resolve("prom")),
                List.of(), scrapeConfigs)) {
            awaitSeries(prometheus, "up", 6);
            JsonNode up = awaitSeries(prometheus, "up == 1", 2);
            Map<String, String> byJob = new java.util.TreeMap<>();
            prometheus.query("up").forEach(s -> byJob.put(s.path("metric").path("job").asText(),
                    s.path("value").get(1).asText()));
            StringBuilder errors = new StringBuilder();
            prometheus.targets().forEach(t -> errors.append(t.path("labels").path("job").asText()).append(": ")
                    .append(t.path("lastError").asText()).append('\n'));
            assertThat(byJob).as("up by job; scrape errors:\n%s", errors).isEqualTo(Map.of(
                    "auth-ok", "1", "auth-wrong-password", "0", "auth-missing", "0", "auth-plain-http", "0",
                    "cert-ok", "1", "cert-missing", "0"));
            assertThat(prometheus.query("smtp_probe_build_info{job=\"auth-ok\"}")).hasSize(1);
            assertThat(prometheus.query("smtp_probe_build_info{job=\"cert-ok\"}")).hasSize(1);
            assertThat(prometheus.query("process_resident_memory_bytes{job=\"cert-ok\"} > 0")).hasSize(1);
        }
    }

    /**
     * Issue 23: dashboards/FLEET.md scrapes each agent by its private address with {@code server_name} naming
     * the one certificate name all agents share; Jetty's SNI host check answered every such scrape 400.
     */
    @Test
    void prometheusScrapesByAddressWithTheFleetGuidesServerName() throws Exception {
        sign("fleet", "smtp-probe.internal", dir.resolve("server.key"), "subjectAltName=DNS:smtp-probe.internal");
        Path web = Files.writeString(dir.resolve("web-fleet.yml"), """
                tls_server_config:
                  cert_file: fleet.crt
                  key_file: server.key
                basic_auth_users:
                  alice: %s
                """.formatted(ALICE_HASH));
        Daemon fleetAgent = daemon(WebConfigFile.load(web));
        String scrape = job("fleet", fleetAgent, "    scheme: https\n    tls_config:\n      ca_file: " + ca + "\n"
                + "      server_name: smtp-probe.internal\n    basic_auth:\n      username: alice\n"
                + "      password: s3cret\n");
        try (PrometheusServer prometheus = PrometheusServer.start(Files.createDirectories(dir.resolve("prom-fleet")),
                List.of(), scrape)) {
            JsonNode up = awaitSeries(prometheus, "up == 1", 1);
            StringBuilder errors = new StringBuilder();
            prometheus.targets().forEach(t -> errors.append(t.path("lastError").asText()).append('\n'));
            assertThat(up).as("up == 1 for the scrape by 127.0.0.1 with server_name; errors:\n%s", errors).hasSize(1);
            assertThat(prometheus.query("smtp_probe_build_info{job=\"fleet\"}")).hasSize(1);
        }
    }

    @Test
    void answersAWrongPasswordWith401AndWwwAuthenticateOnEveryEndpoint() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trusting(ca)).build();
        for (String path : List.of("/metrics", "/status", "/-/healthy", "/-/ready", "/")) {
            HttpResponse<String> wrong = client.send(request(withAuth, path, "alice", "guess").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).as(path).isEqualTo(401);
            assertThat(wrong.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Basic");
            assertThat(wrong.headers().firstValue("X-Frame-Options")).as(path).hasValue("deny");

            HttpResponse<String> unknownUser = client.send(request(withAuth, path, "mallory", "s3cret").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(unknownUser.statusCode()).as(path).isEqualTo(401);
        }
        HttpResponse<String> reload = client.send(request(withAuth, "/-/reload", "bob", "x")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reload.statusCode()).isEqualTo(401);

        HttpResponse<String> right = client.send(request(withAuth, "/-/healthy", "alice", "s3cret").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(right.headers().firstValue("X-Frame-Options")).hasValue("deny");
    }

    @Test
    void followsTheUsersAndHeadersOfTheFileAsItChangesAndKeepsTheLastGoodOnesWhileItIsBroken() throws Exception {
        Path web = Files.writeString(dir.resolve("web-live.yml"), """
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                basic_auth_users:
                  alice: %s
                """.formatted(ALICE_HASH));
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        Daemon daemon = daemon(web, WebConfigFile.load(web), logBytes);
        HttpClient client = HttpClient.newBuilder().sslContext(trusting(ca)).build();
        assertThat(status(client, daemon, "alice", "s3cret")).isEqualTo(200);

        // A rotation as a fleet does it: a new hash, a new user, a header; no restart, no signal.
        String rotated = at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(4, "r0tated".toCharArray());
        Files.writeString(web, """
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                basic_auth_users:
                  alice: %s
                http_server_config:
                  headers:
                    X-Frame-Options: deny
                """.formatted(rotated));
        assertThat(status(client, daemon, "alice", "s3cret")).as("the old password").isEqualTo(401);
        HttpResponse<String> fresh = client.send(request(daemon, "/-/healthy", "alice", "r0tated").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fresh.statusCode()).isEqualTo(200);
        assertThat(fresh.headers().firstValue("X-Frame-Options")).hasValue("deny");

        // A half-written edit: refused, logged once, the last good users stay.
        Files.writeString(web, "basic_auth_users:\n  alice: hunter2\n");
        assertThat(status(client, daemon, "alice", "r0tated")).isEqualTo(200);
        assertThat(status(client, daemon, "alice", "r0tated")).isEqualTo(200);
        String log = logBytes.toString(StandardCharsets.UTF_8);
        assertThat(log.split("web config file changed but is refused", -1)).as("refusals logged").hasSize(2);
        assertThat(log).contains("basic_auth_users.alice: not a bcrypt hash").doesNotContain("hunter2");

        // Dropping TLS from the file cannot turn the listener to plain HTTP: said once, served as started.
        Files.writeString(web, "basic_auth_users:\n  alice: " + rotated + "\n");
        assertThat(status(client, daemon, "alice", "r0tated")).isEqualTo(200);
        assertThat(logBytes.toString(StandardCharsets.UTF_8))
                .contains("msg=\"tls_server_config changed; it takes effect at the next restart");
    }

    private static int status(HttpClient client, Daemon daemon, String user, String password) throws Exception {
        return client.send(request(daemon, "/-/healthy", user, password).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    @Test
    void servesARenewedCertificateFromTheNextHandshakeWithoutARestart() throws Exception {
        Path rotating = Files.createDirectories(dir.resolve("rotating"));
        Files.copy(dir.resolve("server.crt"), rotating.resolve("tls.crt"));
        Files.copy(dir.resolve("server.key"), rotating.resolve("tls.key"));
        Path web = Files.writeString(rotating.resolve("web.yml"),
                "tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n");
        Daemon daemon = daemon(WebConfigFile.load(web));
        assertThat(presented(daemon).getSubjectX500Principal().getName()).isEqualTo("CN=agent-1");

        // A renewal as certbot or a script does it: a new key (RSA, PKCS#1 this time) and certificate.
        openssl("genrsa", "-traditional", "-out", dir.resolve("renewed.key").toString(), "2048");
        sign("renewed", "agent-1-renewed", dir.resolve("renewed.key"), "subjectAltName=IP:127.0.0.1");
        Files.copy(dir.resolve("renewed.key"), rotating.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("renewed.crt"), rotating.resolve("tls.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThat(presented(daemon).getSubjectX500Principal().getName()).isEqualTo("CN=agent-1-renewed");
        HttpResponse<String> healthy = HttpClient.newBuilder().sslContext(trusting(ca)).build().send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.port() + "/-/healthy")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(healthy.statusCode()).isEqualTo(200);
    }

    /** Issue 23: a key only root can read reaches the service's dynamic user as a systemd credential. */
    @Test
    void takesTheTlsKeyFromTheServicesCredentialsDirectory() throws Exception {
        Path credentials = Files.createDirectories(dir.resolve("credentials"));
        Files.copy(dir.resolve("server.key"), credentials.resolve("tls.key"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path web = Files.writeString(dir.resolve("web-credential.yml"),
                "tls_server_config:\n  cert_file: server.crt\n  key_file: ${CREDENTIALS_DIRECTORY}/tls.key\n");

        WebConfigFile loaded = WebConfigFile.load(web, Map.of("CREDENTIALS_DIRECTORY", credentials.toString()));
        assertThat(loaded.tls().keyFile()).isEqualTo(credentials.resolve("tls.key"));
        assertThat(presented(daemon(loaded)).getSubjectX500Principal().getName()).isEqualTo("CN=agent-1");

        assertThatThrownBy(() -> WebConfigFile.load(web)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls_server_config.key_file: ${CREDENTIALS_DIRECTORY} is not set in the"
                        + " environment (systemd sets it for a unit with LoadCredential=)");
    }

    @Test
    void refusesAtStartWhatItCannotUseNamingTheKeyPath() throws IOException {
        Path missing = Files.writeString(dir.resolve("missing.yml"),
                "tls_server_config:\n  cert_file: /nonexistent/x.crt\n  key_file: server.key\n");
        assertThatThrownBy(() -> WebConfigFile.load(missing)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls_server_config.cert_file: cannot read /nonexistent/x.crt: No such file");

        Path unknown = Files.writeString(dir.resolve("unknown.yml"), """
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                  client_auth_type: RequireAndVerify
                  ciphers: [x]
                basic_auth_users:
                  alice: plaintext-password
                http_server_config:
                  headers:
                    Server: me
                rate_limit:
                  interval: 1s
                """);
        assertThatThrownBy(() -> WebConfigFile.load(unknown)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactlyInAnyOrder(
                        "rate_limit: is not supported by smtp-probe",
                        "tls_server_config.ciphers: unknown key; expected one of [cert_file, cipher_suites,"
                                + " client_auth_type, client_ca_file, key_file, max_version, min_version,"
                                + " prefer_server_cipher_suites]",
                        "tls_server_config.client_auth_type: expected one of [NoClientCert, RequestClientCert,"
                                + " RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert],"
                                + " found \"RequireAndVerify\"",
                        "basic_auth_users.alice: not a bcrypt hash ($2y$10$..., as htpasswd -nBC 10 \"\" writes)",
                        "http_server_config.headers.Server: this header can not be configured; allowed:"
                                + " Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options,"
                                + " X-Frame-Options, X-XSS-Protection"))
                .hasMessageNotContaining("plaintext-password");

        Path mismatched = Files.writeString(dir.resolve("mismatched.yml"),
                "tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n");
        assertThatThrownBy(() -> WebConfigFile.load(mismatched))
                .hasMessageContaining("the private key does not belong to the certificate");
    }

    private static String job(String name, Daemon daemon, String settings) {
        return "  - job_name: " + name + "\n" + settings + "    static_configs:\n      - targets: ['127.0.0.1:"
                + daemon.port() + "']\n";
    }

    private static HttpRequest.Builder request(Daemon daemon, String path, String user, String password) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.port() + path)).header("Authorization",
                "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** The certificate the agent presents in a new handshake. */
    private X509Certificate presented(Daemon daemon) throws Exception {
        try (SSLSocket socket = (SSLSocket) trusting(ca).getSocketFactory().createSocket("127.0.0.1", daemon.port())) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (var in = Files.newInputStream(caFile)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** Polls Prometheus (a process we do not drive) until the query has {@code count} series, at most 30 s. */
    private static JsonNode awaitSeries(PrometheusServer prometheus, String query, int count)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode result = prometheus.query(query);
        while (result.size() < count && System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(250);
            result = prometheus.query(query);
        }
        return result;
    }

    private void sign(String name, String commonName, Path key, String extension) throws Exception {
        Path csr = dir.resolve(name + ".csr");
        openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=" + commonName, "-out", csr.toString());
        Path ext = Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", dir.resolve("ca.key").toString(),
                "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", dir.resolve(name + ".crt").toString());
    }

    private void openssl(String... args) throws Exception {
        Openssl.run(dir, args);
    }
}
