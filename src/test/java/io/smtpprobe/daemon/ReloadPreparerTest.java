package io.smtpprobe.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.metrics.AgentMetrics;
import io.smtpprobe.metrics.ExpositionFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload's first half: what it refuses, and that a refusal is logged and shown in the metrics. */
class ReloadPreparerTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final EventLog log = new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), Clock.systemUTC(),
            LogLevel.INFO, true);
    final AgentMetrics metrics = new AgentMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "1.0.0",
            Instant.parse("2026-12-04T10:00:00Z"));

    AgentOptions options(io.smtpprobe.engine.ProberFactory probers) {
        return new AgentOptions("1.0.0", Clock.systemUTC(), Map.of(), log, probers, AgentOptions::configuredPolicy,
                dir, Duration.ofHours(1), false);
    }

    String reloadSuccessful() {
        return new String(metrics.scrape(ExpositionFormat.PROMETHEUS_TEXT), StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("smtp_probe_config_last_reload_successful")).findFirst().orElseThrow();
    }

    Path config() throws Exception {
        Path file = dir.resolve("smtp-probe.yml");
        Files.writeString(file, """
                subscription:
                  offer: pay-as-you-go
                azure:
                  metadata: off
                targets:
                  - name: relay
                    host: 127.0.0.1
                    mode: tcp
                    port: 2501
                """);
        return file;
    }

    @Test
    void refusesWhenTheAgentRunsOnTheBuiltInDefaultAndSaysHowToGetAFile() {
        ReloadPreparer.Prepared prepared = new ReloadPreparer(null, options(c -> t -> null), metrics, log).prepare();

        assertThat(prepared.refused()).isTrue();
        assertThat(prepared.errors()).containsExactly("the agent runs on the built-in default configuration; there"
                + " is no file to reload (start it with --config FILE)");
        assertThat(prepared.config()).isNull();
        assertThat(reloadSuccessful()).endsWith(" 0.0");
    }

    @Test
    void refusesAConfigurationWhoseProberCannotBeMadeBeforeAnythingChanges() throws Exception {
        ReloadPreparer preparer = new ReloadPreparer(config(), options(c -> {
            throw new IllegalArgumentException("cannot read tls.ca_file /nonexistent.pem");
        }), metrics, log);

        ReloadPreparer.Prepared prepared = preparer.prepare();

        assertThat(prepared.errors())
                .containsExactly("cannot apply the configuration: cannot read tls.ca_file /nonexistent.pem");
        assertThat(logBytes.toString(StandardCharsets.UTF_8))
                .contains("msg=\"configuration reload refused; the running configuration stays\"")
                .contains("error=\"cannot apply the configuration: cannot read tls.ca_file /nonexistent.pem\"");
        assertThat(reloadSuccessful()).endsWith(" 0.0");
    }

    @Test
    void preparesTheFileTheAgentStartedFromWithItsProberAndPolicy() throws Exception {
        ReloadPreparer.Prepared prepared = new ReloadPreparer(config(), options(c -> t -> null), metrics, log)
                .prepare();

        assertThat(prepared.refused()).isFalse();
        assertThat(prepared.config().targets()).extracting(t -> t.name()).containsExactly("relay");
        assertThat(prepared.prober()).isNotNull();
        assertThat(prepared.policy().offer()).isEqualTo(io.smtpprobe.policy.Offer.PAY_AS_YOU_GO);
        assertThat(reloadSuccessful()).endsWith(" 1.0");
    }
}
