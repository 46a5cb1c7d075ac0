package io.smtpprobe.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smtpprobe.agent.AgentOptions;
import io.smtpprobe.agent.EventLog;
import io.smtpprobe.agent.LogLevel;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.Mode;
import io.smtpprobe.testing.GatedProber;
import io.smtpprobe.testing.Http;
import io.smtpprobe.testing.LineQueue;
import io.smtpprobe.testing.DaemonFixtures;
import java.io.File;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: Debian's Prometheus scrapes the daemon (asking for OpenMetrics first, as it does by
 * default) and stores what it serves. A parse error anywhere in the exposition would fail the scrape.
 */
class PrometheusScrapeTest {
    @TempDir
    Path dir;

    static Path prometheus() {
        for (String entry : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, "prometheus");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("prometheus is not installed: it comes with Debian's prometheus package"
                + " (apt-get install -y prometheus, or run src/test/sh/install-test-deps.sh)");
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static JsonNode query(Http prometheus, String promql) throws Exception {
        JsonNode answer = new ObjectMapper().readTree(
                prometheus.get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).body());
        assertThat(answer.path("status").asText()).as("query %s: %s", promql, answer).isEqualTo("success");
        return answer.path("data").path("result");
    }

    @Test
    void aRealPrometheusScrapesTheDaemonOverOpenMetrics() throws Exception {
        Path binary = prometheus();
        LineQueue log = new LineQueue();
        Config config = DaemonFixtures.config("pay-as-you-go", Duration.ofHours(1), Duration.ZERO, Duration.ofSeconds(5), 4,
                List.of(DaemonFixtures.mx("gmail", "gmail.test", 2), DaemonFixtures.host("relay", "relay.test", 587, Mode.SUBMISSION)));
        GatedProber prober = new GatedProber(Clock.systemUTC());
        AgentOptions options = new AgentOptions("1.2.3", Clock.systemUTC(), Map.of(),
                new EventLog(new PrintStream(log, true, StandardCharsets.UTF_8), Clock.systemUTC(), LogLevel.DEBUG,
                        false),
                c -> prober, AgentOptions::configuredPolicy, dir, Duration.ofHours(1), true);
        Daemon daemon = Daemon.start(config, null, options, "127.0.0.1:0");
        int port = freePort();
        Path yml = dir.resolve("prometheus.yml");
        Files.writeString(yml, "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
                + "  - job_name: smtp-probe\n    static_configs:\n      - targets: ['127.0.0.1:" + daemon.port() + "']\n");
        Process server = new ProcessBuilder(binary.toString(), "--config.file=" + yml,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn").redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        try {
            assertThat(daemon.agent().awaitReady(Duration.ofSeconds(10))).isTrue();
            // Prometheus commits a scrape before it starts the next one: after the second request the
            // first scrape's samples are queryable.
            log.await(line -> line.contains("msg=\"metrics scraped\" format=openmetrics"), 2, 60);
            Http api = new Http(port);

            JsonNode up = query(api, "up{job=\"smtp-probe\"}");
            assertThat(up).hasSize(1);
            assertThat(up.get(0).path("value").get(1).asText()).as("up; prometheus log:\n%s",
                    Files.readString(dir.resolve("prometheus.log"))).isEqualTo("1");
            assertThat(query(api, "smtp_probe_success{target=\"relay\"}").get(0).path("value").get(1).asText())
                    .isEqualTo("1");
            assertThat(query(api, "sum(smtp_probe_outcome{target=\"gmail\"})").get(0).path("value").get(1).asText())
                    .as("one-hot over two hosts").isEqualTo("2");
            assertThat(query(api, "smtp_probe_build_info{version=\"1.2.3\"}")).hasSize(1);
            assertThat(query(api, "smtp_probe_duration_seconds_bucket{target=\"relay\",le=\"0.01\"}")).hasSize(1);
            assertThat(query(api, "scrape_samples_scraped{job=\"smtp-probe\"}").get(0).path("value").get(1).asInt())
                    .isGreaterThan(200);
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            daemon.agent().shutdown();
            daemon.agent().awaitShutdown();
        }
    }
}
