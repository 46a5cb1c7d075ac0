package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.daemon.Daemon;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.engine.NetworkProbers;
import io.smtpprobe.http.AgentHttpServer;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.testing.BacklogFullListener;
import io.smtpprobe.testing.FakeDnsServer;
import io.smtpprobe.testing.Http;
import io.smtpprobe.testing.LineQueue;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The situation the product exists for, in the daemon: an MX target whose every host is silently
 * dropped, as Azure drops port 25. Each MX host is a probe of its own with its own deadline (smtp-probe.yml(5),
 * "mx"), so the daemon must let the target run for all of them and record {@code tcp_timeout}
 * for each, not cut it short as {@code deadline_exceeded}, which would read as "a server answered":
 * {@code unexpectedly_open} where the truth is "blocked, as expected".
 */
class MxTargetDeadlineTest {
    @TempDir
    Path dir;

    @Test
    void recordsTcpTimeoutForEveryDroppedMxHostNotAnAbandonedProbe() throws Exception {
        try (FakeDnsServer dns = FakeDnsServer.start(); BacklogFullListener dropped = new BacklogFullListener()) {
            dns.mx("mail.test", 10, "mx1.mail.test").mx("mail.test", 20, "mx2.mail.test")
                    .mx("mail.test", 30, "mx3.mail.test")
                    .a("mx1.mail.test", "127.0.0.1").a("mx2.mail.test", "127.0.0.1").a("mx3.mail.test", "127.0.0.1");
            Path file = Files.writeString(dir.resolve("smtp-probe.yml"), "subscription:\n  offer: pay-as-you-go\n"
                    + "azure:\n  metadata: off\n"
                    + "probe:\n  interval: 1h\n  jitter: 0s\n  timeout: 2s\n  helo_name: vm.test\n"
                    + "dns:\n  servers: [\"" + dns.hostPort() + "\"]\n"
                    + "targets:\n  - name: gmail\n    mx: mail.test\n    mx_hosts: 3\n    port: " + dropped.port() + "\n"
                    + "    expect: blocked\n");
            Config config = new ConfigLoader(Map.of(), PolicyTable.NAMES).load(file);
            LineQueue log = new LineQueue();
            NetworkProbers probers = new NetworkProbers(Clock.systemUTC(), Ticker.SYSTEM);
            AgentOptions options = new AgentOptions("1.0.0", Clock.systemUTC(), Map.of(),
                    new EventLog(new PrintStream(log, true, StandardCharsets.UTF_8), Clock.systemUTC(), LogLevel.INFO,
                            true),
                    probers, AgentOptions::configuredPolicy, dir, Duration.ofHours(1), true);
            Daemon daemon = Daemon.start(config, file, options, "127.0.0.1:0", AgentHttpServer::new);
            try {
                assertThat(daemon.agent().awaitReady(Duration.ofSeconds(20))).as("ready; log:\n%s", log.text()).isTrue();
                String metrics = new Http(daemon.port()).get("/metrics").body();

                assertThat(log.text()).doesNotContain("abandoned").doesNotContain("deadline_exceeded");
                for (String host : new String[] {"mx1.mail.test", "mx2.mail.test", "mx3.mail.test"}) {
                    assertThat(metrics)
                            .contains("smtp_probe_outcome{host=\"" + host + "\",outcome=\"tcp_timeout\",target=\"gmail\"} 1.0\n")
                            .contains("smtp_probe_verdict{host=\"" + host + "\",target=\"gmail\",verdict=\"as_expected\"} 1.0\n");
                }
                assertThat(metrics).contains("smtp_probe_runs_total{outcome=\"tcp_timeout\",target=\"gmail\"} 3.0\n");
            } finally {
                daemon.agent().shutdown();
                daemon.agent().awaitShutdown();
            }
        }
    }
}
