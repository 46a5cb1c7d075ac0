package io.smtpprobe.http;

import io.smtpprobe.daemon.Daemon;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.engine.NetworkProbers;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.testing.BacklogFullListener;
import io.smtpprobe.testing.FakeDnsServer;
import io.smtpprobe.testing.GreenMailSetups;
import io.smtpprobe.testing.Http;
import io.smtpprobe.testing.LineQueue;
import io.smtpprobe.testing.SubethaRelay;
import io.smtpprobe.testing.TestCertificates;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon with the real prober and resolver, on loopback only: MX records from a fake DNS server
 * pointing at GreenMail, a SubEthaSMTP relay with STARTTLS and AUTH, a port that drops SYNs as Azure's
 * block does, and a closed port. Scraped over HTTP like Prometheus would.
 */
class DaemonEndToEndTest {
    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(GreenMailSetups.loopback(ServerSetupTest.SMTP));

    @TempDir
    Path dir;

    static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static List<String> series(String exposition, String name, String target) {
        return exposition.lines().filter(l -> l.startsWith(name + "{") && l.contains("target=\"" + target + "\""))
                .filter(l -> !l.endsWith(" 0.0")).collect(Collectors.toList());
    }

    @Test
    void probesEveryKindOfTargetAndServesTheResultsOverHttp() throws Exception {
        TestCertificates authority = TestCertificates.authority("smtp-probe test CA");
        Path ca = authority.writeCaPem(dir.resolve("ca.pem"));
        Path password = dir.resolve("relay-password");
        Files.writeString(password, SubethaRelay.PASSWORD + "\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        int refused = closedPort();
        try (FakeDnsServer dns = FakeDnsServer.start();
                BacklogFullListener silent = new BacklogFullListener();
                SubethaRelay relay = SubethaRelay.start(b -> b.startTlsSocketFactory(
                                uncheck(() -> authority.serverContext("relay.test")))
                        .enableTLS().requireTLS().authenticationHandlerFactory(SubethaRelay.passwordAuth()))) {
            dns.mx("mail.test", 10, "mx1.mail.test").mx("mail.test", 20, "mx2.mail.test")
                    .a("mx1.mail.test", "127.0.0.1").a("mx2.mail.test", "127.0.0.1")
                    .a("relay.test", "127.0.0.1");
            Path file = dir.resolve("smtp-probe.yml");
            Files.writeString(file, "subscription:\n  offer: pay-as-you-go\n"
                    + "azure:\n  metadata: off\n"
                    + "probe:\n  interval: 1h\n  jitter: 0s\n  timeout: 3s\n  helo_name: vm.test\n"
                    + "dns:\n  servers: [\"" + dns.hostPort() + "\"]\n"
                    + "targets:\n"
                    + "  - name: mail\n    mx: mail.test\n    mx_hosts: 2\n    port: " + greenMail.getSmtp().getPort() + "\n"
                    + "  - name: relay\n    host: relay.test\n    mode: submission\n    port: " + relay.port() + "\n"
                    + "    tls:\n      ca_file: " + ca + "\n"
                    + "    auth:\n      username: " + SubethaRelay.USER + "\n      password_file: " + password + "\n"
                    + "  - name: dropped\n    host: 127.0.0.1\n    mode: smtp\n    port: " + silent.port() + "\n"
                    + "    expect: blocked\n"
                    + "  - name: closed\n    host: 127.0.0.1\n    mode: tcp\n    port: " + refused + "\n");
            Config config = new ConfigLoader(Map.of(), PolicyTable.NAMES).load(file);
            LineQueue log = new LineQueue();
            NetworkProbers probers = new NetworkProbers(Clock.systemUTC(), Ticker.SYSTEM);
            AgentOptions options = new AgentOptions("1.0.0", Clock.systemUTC(), Map.of(),
                    new EventLog(new PrintStream(log, true, StandardCharsets.UTF_8), Clock.systemUTC(),
                            LogLevel.INFO, true),
                    probers, AgentOptions::configuredPolicy, dir, Duration.ofHours(1), true);
            Daemon daemon = Daemon.start(config, file, options, "127.0.0.1:0", AgentHttpServer::new);
            try {
                Http http = new Http(daemon.port());
                // The dropped SYN takes the whole 3 s deadline: until then the agent is not ready.
                HttpResponse<String> early = http.get("/-/ready");
                assertThat(early.statusCode()).isEqualTo(503);
                assertThat(http.get("/-/healthy").statusCode()).isEqualTo(200);

                assertThat(daemon.agent().awaitReady(Duration.ofSeconds(20))).as("ready; log:\n%s", log.text()).isTrue();
                assertThat(http.get("/-/ready").statusCode()).isEqualTo(200);
                String metrics = http.get("/metrics").body();

                assertThat(series(metrics, "smtp_probe_success", "mail")).containsExactly(
                        "smtp_probe_success{host=\"mx1.mail.test\",mode=\"smtp\",port=\"" + greenMail.getSmtp().getPort()
                                + "\",role=\"mx\",target=\"mail\"} 1.0",
                        "smtp_probe_success{host=\"mx2.mail.test\",mode=\"smtp\",port=\"" + greenMail.getSmtp().getPort()
                                + "\",role=\"mx\",target=\"mail\"} 1.0");
                assertThat(series(metrics, "smtp_probe_outcome", "mail")).containsExactly(
                        "smtp_probe_outcome{host=\"mx1.mail.test\",outcome=\"ok\",target=\"mail\"} 1.0",
                        "smtp_probe_outcome{host=\"mx2.mail.test\",outcome=\"ok\",target=\"mail\"} 1.0");
                assertThat(series(metrics, "smtp_probe_outcome", "relay")).containsExactly(
                        "smtp_probe_outcome{host=\"relay.test\",outcome=\"ok\",target=\"relay\"} 1.0");
                assertThat(series(metrics, "smtp_probe_verdict", "relay")).containsExactly(
                        "smtp_probe_verdict{host=\"relay.test\",target=\"relay\",verdict=\"as_expected\"} 1.0");
                assertThat(series(metrics, "smtp_probe_outcome", "dropped")).containsExactly(
                        "smtp_probe_outcome{host=\"127.0.0.1\",outcome=\"tcp_timeout\",target=\"dropped\"} 1.0");
                assertThat(series(metrics, "smtp_probe_verdict", "dropped")).containsExactly(
                        "smtp_probe_verdict{host=\"127.0.0.1\",target=\"dropped\",verdict=\"as_expected\"} 1.0");
                assertThat(series(metrics, "smtp_probe_outcome", "closed")).containsExactly(
                        "smtp_probe_outcome{host=\"127.0.0.1\",outcome=\"tcp_refused\",target=\"closed\"} 1.0");
                assertThat(series(metrics, "smtp_probe_verdict", "closed")).containsExactly(
                        "smtp_probe_verdict{host=\"127.0.0.1\",target=\"closed\",verdict=\"receiver_unavailable\"} 1.0");
                assertThat(metrics)
                        .contains("smtp_probe_expected_reachable{target=\"dropped\"} 0.0\n")
                        .contains("smtp_probe_expected_reachable{target=\"relay\"} 1.0\n")
                        .contains("smtp_probe_success{host=\"127.0.0.1\",mode=\"smtp\",port=\"" + silent.port()
                                + "\",role=\"relay\",target=\"dropped\"} 0.0\n")
                        .contains("smtp_probe_runs_total{outcome=\"ok\",target=\"mail\"} 2.0\n")
                        .contains("smtp_probe_runs_total{outcome=\"tcp_timeout\",target=\"dropped\"} 1.0\n")
                        .contains("smtp_probe_duration_seconds_count{target=\"mail\"} 2\n")
                        // Issue 15: what was not measured is absent, never NaN.
                        .doesNotContain("NaN")
                        .contains("smtp_probe_phase_duration_seconds{host=\"127.0.0.1\",phase=\"connect\","
                                + "target=\"dropped\"}")
                        .doesNotContain("smtp_probe_phase_duration_seconds{host=\"127.0.0.1\",phase=\"greeting\","
                                + "target=\"dropped\"}")
                        .doesNotContain("smtp_probe_phase_duration_seconds{host=\"127.0.0.1\",phase=\"ehlo\","
                                + "target=\"closed\"}")
                        .doesNotContain("smtp_probe_tls_certificate_expiry_timestamp_seconds{host=\"mx1.mail.test\"")
                        .doesNotContain("smtp_probe_tls_certificate_expiry_timestamp_seconds{host=\"127.0.0.1\","
                                + "target=\"closed\"}")
                        .doesNotContain(SubethaRelay.PASSWORD);
                assertThat(metrics.lines().filter(l -> l.startsWith(
                        "smtp_probe_tls_certificate_expiry_timestamp_seconds{host=\"relay.test\",target=\"relay\"} ")))
                        .singleElement().satisfies(line -> assertThat(line).doesNotEndWith("NaN"));
                assertThat(metrics.lines().filter(l -> l.startsWith("smtp_probe_diagnosis{") && l.endsWith(" 1.0")))
                        .hasSize(1);

                HttpResponse<String> status = http.get("/status");
                assertThat(status.body()).doesNotContain(SubethaRelay.PASSWORD);
                JsonNode json = new ObjectMapper().readTree(status.body());
                assertThat(json.path("results")).extracting(r -> r.path("target").asText() + "/"
                        + r.path("host").asText() + "/" + r.path("outcome").asText() + "/" + r.path("verdict").asText())
                        .containsExactly("mail/mx1.mail.test/ok/as_expected", "mail/mx2.mail.test/ok/as_expected",
                                "relay/relay.test/ok/as_expected", "dropped/127.0.0.1/tcp_timeout/as_expected",
                                "closed/127.0.0.1/tcp_refused/receiver_unavailable");
                assertThat(json.path("results")).extracting(r -> r.path("role").asText())
                        .containsExactly("mx", "mx", "relay", "relay", "control");
                assertThat(json.path("diagnosis").path("value").asText()).isEqualTo(metrics.lines()
                        .filter(l -> l.startsWith("smtp_probe_diagnosis{") && l.endsWith(" 1.0")).findFirst()
                        .orElseThrow().replaceAll(".*diagnosis=\"([a-z0-9_]+)\".*", "$1"));
                assertThat(log.text()).doesNotContain(SubethaRelay.PASSWORD)
                        .contains("msg=\"verdict changed\" target=closed host=127.0.0.1 port=" + refused
                                + " from=none to=receiver_unavailable outcome=tcp_refused");
            } finally {
                daemon.agent().shutdown();
                daemon.agent().awaitShutdown();
            }
        }
    }

    interface Failing<T> {
        T get() throws Exception;
    }

    static <T> T uncheck(Failing<T> supplier) {
        try {
            return supplier.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
