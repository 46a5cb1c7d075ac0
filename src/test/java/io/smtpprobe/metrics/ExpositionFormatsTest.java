package io.smtpprobe.metrics;

import static io.smtpprobe.metrics.AgentMetricsTest.T0;
import static io.smtpprobe.metrics.AgentMetricsTest.classify;
import static io.smtpprobe.testing.DaemonFixtures.host;
import static io.smtpprobe.testing.DaemonFixtures.mx;
import static io.smtpprobe.testing.DaemonFixtures.result;
import static io.smtpprobe.testing.DaemonFixtures.withTls;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.smtpprobe.classify.Diagnosis;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.testing.Promtool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The combined exposition (the registry's process-level part, then the pre-rendered per-target families) is
 * valid in both text formats: promtool's linter for Prometheus text, promtool's OpenMetrics parser for
 * OpenMetrics, one header per family with all its samples under it, one {@code # EOF} at the very end.
 */
class ExpositionFormatsTest {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final AgentMetrics metrics = new AgentMetrics(registry, "0.1.0", T0);

    @TempDir
    Path dir;

    @BeforeEach
    void aFewTargetsOfEveryKind() {
        metrics.bindProcessMetrics();
        metrics.diagnosis(Diagnosis.PORT25_BLOCKED_AS_EXPECTED);
        for (int i = 0; i < 5; i++) {
            TargetConfig gmail = mx("gmail" + i, "gmail.example", 2);
            metrics.record(gmail, classify(gmail,
                    result(gmail, "mx1.gmail.example", "203.0.113.25", Outcome.TCP_TIMEOUT, T0, 4, 15000),
                    result(gmail, "mx2.gmail.example", "203.0.113.26", Outcome.TCP_REFUSED, T0, 3, 1)));
            TargetConfig relay = host("relay \"" + i + "\"", "smtp.relay.example", 587, Mode.SUBMISSION);
            metrics.record(relay, classify(relay, withTls(
                    result(relay, "smtp.relay.example", "198.51.100.7", Outcome.OK, T0, 2, 20, 30, 5, 40),
                    Instant.parse("2027-02-01T00:00:00Z"))));
            TargetConfig tcp = host("https\\" + i, "www.example", 443, Mode.TCP);
            metrics.record(tcp, classify(tcp, result(tcp, "www.example", "198.51.100.80", Outcome.OK, T0, 1, 12)));
        }
    }

    String scrape(ExpositionFormat format) {
        return new String(metrics.scrape(format), StandardCharsets.UTF_8);
    }

    @Test
    void prometheusTextHasNoPromtoolFindings() {
        Promtool.Run run = Promtool.onPath().runWithInput(scrape(ExpositionFormat.PROMETHEUS_TEXT), "check", "metrics");

        assertThat(run.exitCode() + ":" + run.output()).isEqualTo("0:");
    }

    @Test
    void openMetricsParsesWithPromtoolsOpenMetricsParser() throws IOException {
        String om = scrape(ExpositionFormat.OPENMETRICS);
        // promtool lints only Prometheus text, but its backfill command parses OpenMetrics with the parser a
        // Prometheus scrape uses (unexpected data after # EOF, a missing # EOF, bad escapes, bad values all fail
        // it). Backfill wants a timestamp on every sample; that is the only change made here.
        String timestamped = om.lines().map(l -> l.startsWith("#") ? l : l + " 1795773600")
                .collect(Collectors.joining("\n", "", "\n"));
        Path file = Files.writeString(dir.resolve("scrape.om"), timestamped);

        Promtool.Run run = Promtool.onPath().run(dir, "tsdb", "create-blocks-from", "openmetrics", file.toString(),
                dir.resolve("blocks").toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains(" 1ms ");
    }

    @Test
    void openMetricsEndsWithItsOnlyEof() {
        String om = scrape(ExpositionFormat.OPENMETRICS);

        assertThat(om).as("the last target by name last").endsWith("\nsmtp_probe_verdict{host=\"smtp.relay.example\","
                + "target=\"relay \\\"4\\\"\",verdict=\"as_expected\"} 1.0\n# EOF\n");
        assertThat(om.lines().filter(l -> l.equals("# EOF"))).hasSize(1);
        assertThat(om).contains("# TYPE smtp_probe_runs counter\n# HELP smtp_probe_runs Probes of this target by"
                + " outcome, one per probed host; an outcome that never occurred is absent\n"
                + "smtp_probe_runs_total{outcome=\"tcp_refused\",target=\"gmail0\"} 1.0\n");
    }

    @Test
    void knowsItsLengthInBytesBeforeWritingIt() throws IOException {
        TargetConfig accented = host("réseau ✉", "mx.réseau.example", 25, Mode.SMTP);
        metrics.record(accented, classify(accented,
                result(accented, "mx.réseau.example", "203.0.113.9", Outcome.TCP_TIMEOUT, T0, 4, 15000)));

        for (ExpositionFormat format : ExpositionFormat.values()) {
            Exposition exposition = metrics.exposition(format);
            ByteArrayOutputStream written = new ByteArrayOutputStream();
            exposition.writeTo(written);

            assertThat(exposition.length()).as(format.name()).isEqualTo(written.size());
            assertThat(written.toString(StandardCharsets.UTF_8)).contains("target=\"réseau ✉\"");
        }
    }

    @Test
    void everyFamilyHasOneHeaderWithAllItsSamplesUnderIt() {
        for (ExpositionFormat format : ExpositionFormat.values()) {
            String text = scrape(format);
            Set<String> families = new HashSet<>();
            String family = null;
            for (String line : text.lines().toList()) {
                if (line.startsWith("# TYPE ")) {
                    family = line.split(" ")[2];
                    assertThat(families.add(family)).as("%s: second header of %s", format, family).isTrue();
                } else if (!line.startsWith("#")) {
                    String name = line.substring(0, line.indexOf(line.contains("{") ? '{' : ' '));
                    assertThat(List.of(family, family + "_total", family + "_bucket", family + "_count", family + "_sum",
                            family + "_info")).as("%s: sample %s under family %s", format, line, family).contains(name);
                }
            }
            assertThat(families).as(format.name()).contains("jvm_memory_used_bytes", "smtp_probe_diagnosis",
                    "smtp_probe_outcome", "smtp_probe_duration_seconds", "smtp_probe_verdict");
        }
    }
}
