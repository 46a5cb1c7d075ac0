package io.smtpprobe.metrics;

import java.nio.charset.StandardCharsets;

/**
 * The metric families that hold one or more series per configured target, in the order the exposition
 * writes them (by name, as Micrometer orders its own). Their samples are rendered by {@link TargetRenderer}
 * when a target's results change and served from there by {@link Exposition}; only the headers
 * below are written per scrape, once per family.
 *
 * <p>The sample lines are the same in both text formats; the headers differ: Prometheus text puts HELP
 * before TYPE and names a counter family by its sample name ({@code smtp_probe_runs_total}), OpenMetrics
 * puts TYPE first and names it without the {@code _total} suffix. HELP texts contain no backslash, quote
 * or newline, so they need no escaping in either format.
 */
enum TargetFamily {
    DELIVERABLE(MetricNames.DELIVERABLE, "gauge",
            "1 when a host of this mx target's domain took the session in the last probe, as a sender would deliver;"
                    + " 0 when none did; absent for targets that are not mx domains"),
    DURATION(MetricNames.DURATION_SECONDS, "histogram",
            "Duration of whole probes of this target, one observation per probed host"),
    EXPECTED_REACHABLE(MetricNames.EXPECTED_REACHABLE, "gauge",
            "1 when this target is expected reachable, 0 when expected blocked; absent when unknown"),
    LAST_RUN(MetricNames.LAST_RUN_TIMESTAMP_SECONDS, "gauge",
            "When the last probe of this target finished, in Unix seconds"),
    OUTCOME(MetricNames.OUTCOME, "gauge",
            "1 for the outcome of the last probe of this host; other outcomes are absent"),
    PHASE_DURATION(MetricNames.PHASE_DURATION_SECONDS, "gauge",
            "Seconds each phase of the last probe took; absent for a phase it did not reach"),
    REFUSAL(MetricNames.REFUSAL, "gauge",
            "1 with the cause of the last probe's refusal, read from the server's reply; absent when the last probe"
                    + " of this host was not refused"),
    RUNS(MetricNames.RUNS_TOTAL, "counter",
            "Probes of this target by outcome, one per probed host; an outcome that never occurred is absent"),
    SUCCESS(MetricNames.SUCCESS, "gauge", "1 when the last probe of this host reached ok, else 0"),
    TLS_CERTIFICATE_EXPIRY(MetricNames.TLS_CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS, "gauge",
            "Expiry of the server certificate seen by the last probe, in Unix seconds; absent when it negotiated no TLS"),
    TLS_VERIFIED(MetricNames.TLS_VERIFIED, "gauge",
            "1 when the server certificate of the last probe passed verification, 0 when the session went on"
                    + " without it; absent when it negotiated no TLS"),
    VERDICT(MetricNames.VERDICT, "gauge",
            "1 for the verdict of the last probe of this host; other verdicts are absent");

    /** All values, without the copy {@code values()} makes at every call: the exposition loops over them per scrape. */
    static final TargetFamily[] ALL = values();

    private final String sampleName;
    private final byte[] prometheusHeader;
    private final byte[] openMetricsHeader;

    TargetFamily(String sampleName, String type, String help) {
        this.sampleName = sampleName;
        // OpenMetrics names a counter family without the _total its samples carry (OpenMetrics 1.0, "Counter").
        String familyName = type.equals("counter") ? sampleName.substring(0, sampleName.length() - "_total".length())
                : sampleName;
        this.prometheusHeader = ("# HELP " + sampleName + " " + help + "\n# TYPE " + sampleName + " " + type + "\n")
                .getBytes(StandardCharsets.UTF_8);
        this.openMetricsHeader = ("# TYPE " + familyName + " " + type + "\n# HELP " + familyName + " " + help + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The name every sample line of this family starts with (a histogram adds _bucket, _count and _sum). */
    String sampleName() {
        return sampleName;
    }

    /** The HELP and TYPE lines, rendered once for the life of the process. */
    byte[] header(ExpositionFormat format) {
        return switch (format) {
            case PROMETHEUS_TEXT -> prometheusHeader;
            case OPENMETRICS -> openMetricsHeader;
        };
    }
}
