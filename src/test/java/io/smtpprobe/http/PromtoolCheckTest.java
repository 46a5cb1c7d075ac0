package io.smtpprobe.http;

import io.smtpprobe.daemon.Daemon;
import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.Mode;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.testing.DaemonFixtures;
import io.smtpprobe.testing.GatedProber;
import io.smtpprobe.testing.Http;
import io.smtpprobe.testing.Promtool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exposition a real Prometheus would scrape passes promtool's lint with no findings at all. */
class PromtoolCheckTest {
    @TempDir
    Path dir;

    @Test
    void scrapeOfARunningDaemonHasNoPromtoolFindings() throws Exception {
        Promtool promtool = Promtool.onPath();
        GatedProber prober = new GatedProber(Clock.systemUTC());
        Config config = DaemonFixtures.config("enterprise-agreement", Duration.ofHours(1), Duration.ZERO,
                Duration.ofSeconds(5), 4, List.of(DaemonFixtures.mx("gmail", "gmail.test", 2),
                        DaemonFixtures.host("relay", "relay.test", 587, Mode.SUBMISSION),
                        DaemonFixtures.host("https", "www.test", 443, Mode.TCP)));
        AgentOptions options = new AgentOptions("1.0.0", Clock.systemUTC(), Map.of(),
                new EventLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        Clock.systemUTC(), LogLevel.INFO, true),
                c -> prober, AgentOptions::configuredPolicy, dir, Duration.ofHours(1), true);
        Daemon daemon = Daemon.start(config, null, options, "127.0.0.1:0", AgentHttpServer::new);
        try {
            assertThat(daemon.agent().awaitReady(Duration.ofSeconds(10))).isTrue();
            Http http = new Http(daemon.port());

            // promtool parses the Prometheus text format only; a real Prometheus scraping OpenMetrics is
            // covered by PrometheusScrapeTest.
            Promtool.Run run = promtool.runWithInput(http.get("/metrics").body(), "check", "metrics");
            assertThat(run.exitCode() + ":" + run.output()).isEqualTo("0:");
        } finally {
            daemon.agent().shutdown();
            daemon.agent().awaitShutdown();
        }
    }
}
