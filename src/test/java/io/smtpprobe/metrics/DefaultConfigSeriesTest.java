package io.smtpprobe.metrics;

import static io.smtpprobe.metrics.AgentMetricsTest.PAYG;
import static io.smtpprobe.metrics.AgentMetricsTest.T0;
import static io.smtpprobe.metrics.AgentMetricsTest.classify;
import static io.smtpprobe.testing.DaemonFixtures.result;
import static io.smtpprobe.testing.DaemonFixtures.withTls;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.smtpprobe.classify.Diagnosis;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The series budget of issue 15, for the built-in default config (gmail and outlook MX on 25, the Azure
 * relay on 587, a TCP/443 control: one host each), after a round in which 25 is blocked and the rest
 * works. The README states these figures; a change in the count is a change in what a fleet pays for.
 */
class DefaultConfigSeriesTest {
    /** Series of the four default targets after the round below (95 since smtp_probe_deliverable of the two MX). */
    static final int TARGET_SERIES = 95;
    /**
     * Series that do not depend on targets: smtp_probe's own (diagnosis, policy, build, reload), the six
     * process_* and the JVM's heap pools, live data and threads. GC pause series come once a collection
     * has happened (three per kind of collection), and the number of heap pools depends on the collector:
     * a ceiling, with the smtp_probe part exact.
     */
    static final int AGENT_SERIES_CEILING = 30;
    /** Diagnosis, policy, build and the two reload series; smtp_probe_azure_vm_info adds one on Azure. */
    static final int AGENT_SMTP_PROBE_SERIES = 5;

    @Test
    void theDefaultConfigExportsItsBudgetOfSeries() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AgentMetrics metrics = new AgentMetrics(registry, "0.1.0", T0);
        metrics.bindProcessMetrics();
        Config config = ConfigLoader.builtInDefault();
        metrics.policy(PAYG);
        for (TargetConfig target : config.targets()) {
            String host = target.host() != null ? target.host() : "mx." + target.mx();
            var probe = switch (target.mode()) {
                case SMTP -> result(target, host, "203.0.113.25", Outcome.TCP_TIMEOUT, T0, 4, 10000);
                case SUBMISSION -> withTls(result(target, host, "198.51.100.7", Outcome.OK, T0, 2, 20, 30, 5, 40),
                        Instant.parse("2027-02-01T00:00:00Z"));
                case TCP, SMTPS -> result(target, host, "198.51.100.80", Outcome.OK, T0, 1, 12);
            };
            metrics.record(target, classify(target, probe));
        }
        metrics.diagnosis(Diagnosis.PORT25_BLOCKED_AS_EXPECTED);
        metrics.close();

        Map<String, Integer> byFamily = seriesByFamily(new String(metrics.scrape(ExpositionFormat.PROMETHEUS_TEXT),
                StandardCharsets.UTF_8));
        int targetSeries = byFamily.entrySet().stream().filter(e -> e.getKey().startsWith("smtp_probe_")
                && !AGENT_FAMILIES.contains(e.getKey())).mapToInt(Map.Entry::getValue).sum();
        int all = byFamily.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("default config series: " + all + " (targets " + targetSeries + ") " + byFamily);

        assertThat(targetSeries).as("per-target series of the default config").isEqualTo(TARGET_SERIES);
        assertThat(all - targetSeries).as("agent series").isLessThanOrEqualTo(AGENT_SERIES_CEILING);
        assertThat(byFamily.entrySet().stream().filter(e -> AGENT_FAMILIES.contains(e.getKey()))
                .mapToInt(Map.Entry::getValue).sum()).as("smtp_probe_ agent series").isEqualTo(AGENT_SMTP_PROBE_SERIES);
        assertThat(byFamily.keySet()).as("standard process series")
                .contains("process_resident_memory_bytes", "process_virtual_memory_bytes", "process_cpu_seconds_total",
                        "process_open_fds", "process_max_fds", "process_start_time_seconds")
                .doesNotContain("system_cpu_usage", "system_load_average_1m", "system_cpu_count",
                        "process_files_open_files", "process_cpu_usage", "jvm_buffer_count_buffers");
    }

    private static final java.util.Set<String> AGENT_FAMILIES = java.util.Set.of(MetricNames.DIAGNOSIS,
            MetricNames.POLICY_INFO, MetricNames.AZURE_VM_INFO, MetricNames.BUILD_INFO,
            MetricNames.CONFIG_LAST_RELOAD_SUCCESSFUL, MetricNames.CONFIG_LAST_RELOAD_SUCCESS_TIMESTAMP_SECONDS);

    /** Sample lines per metric name (histogram samples count under the family's name). */
    static Map<String, Integer> seriesByFamily(String exposition) {
        Map<String, Integer> counts = new TreeMap<>();
        exposition.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(line -> {
            String name = line.substring(0, indexOfAny(line));
            name = name.replaceAll("_(bucket|count|sum)$", "");
            counts.merge(name, 1, Integer::sum);
        });
        return counts;
    }

    private static int indexOfAny(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        return brace >= 0 && brace < space ? brace : space;
    }
}
