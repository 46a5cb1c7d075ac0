package io.smtpprobe.http;

import io.smtpprobe.daemon.Daemon;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.Mode;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.testing.DaemonFixtures;
import io.smtpprobe.testing.GatedProber;
import io.smtpprobe.testing.LineQueue;
import io.smtpprobe.testing.PrometheusServer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: Debian's Prometheus scrapes the daemon (asking for OpenMetrics first, as it does by
 * default) and stores what it serves. A parse error anywhere in the exposition would fail the scrape.
 */
class PrometheusScrapeTest {
    @TempDir
    Path dir;

    @Test
    void aRealPrometheusScrapesTheDaemonOverOpenMetrics() throws Exception {
        LineQueue log = new LineQueue();
        Config config = DaemonFixtures.config("pay-as-you-go", Duration.ofHours(1), Duration.ZERO, Duration.ofSeconds(5), 4,
                List.of(DaemonFixtures.mx("gmail", "gmail.test", 2), DaemonFixtures.host("relay", "relay.test", 587, Mode.SUBMISSION)));
        GatedProber prober = new GatedProber(Clock.systemUTC());
        AgentOptions options = new AgentOptions("1.2.3", Clock.systemUTC(), Map.of(),
                new EventLog(new PrintStream(log, true, StandardCharsets.UTF_8), Clock.systemUTC(), LogLevel.DEBUG,
                        false),
                c -> prober, AgentOptions::configuredPolicy, dir, Duration.ofHours(1), true);
        Daemon daemon = Daemon.start(config, null, options, "127.0.0.1:0", AgentHttpServer::new);
        PrometheusServer prometheus = null;
        try {
            assertThat(daemon.agent().awaitReady(Duration.ofSeconds(10))).isTrue();
            prometheus = PrometheusServer.start(dir, List.of(), List.of("127.0.0.1:" + daemon.port()));
            // Prometheus commits a scrape before it starts the next one: after the second request the
            // first scrape's samples are queryable.
            log.await(line -> line.contains("msg=\"metrics scraped\" format=openmetrics"), 2, 60);

            JsonNode up = prometheus.query("up{job=\"smtp-probe\"}");
            assertThat(up).hasSize(1);
            assertThat(up.get(0).path("value").get(1).asText()).as("up; prometheus log:\n%s", prometheus.log())
                    .isEqualTo("1");
            assertThat(prometheus.query("smtp_probe_success{target=\"relay\"}").get(0).path("value").get(1).asText())
                    .isEqualTo("1");
            assertThat(prometheus.query("sum(smtp_probe_outcome{target=\"gmail\"})").get(0).path("value").get(1)
                    .asText())
                    .as("one-hot over two hosts").isEqualTo("2");
            assertThat(prometheus.query("smtp_probe_build_info{version=\"1.2.3\"}")).hasSize(1);
            assertThat(prometheus.query("process_resident_memory_bytes{job=\"smtp-probe\"} > 0")).hasSize(1);
            assertThat(prometheus.query("smtp_probe_duration_seconds_bucket{target=\"relay\",le=\"0.01\"}")).hasSize(1);
            assertThat(prometheus.query("scrape_samples_scraped{job=\"smtp-probe\"}").get(0).path("value").get(1)
                    .asInt())
                    .isGreaterThan(50);
        } finally {
            if (prometheus != null) {
                prometheus.close();
            }
            daemon.agent().shutdown();
            daemon.agent().awaitShutdown();
        }
    }
}
