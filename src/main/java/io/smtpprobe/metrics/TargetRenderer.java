package io.smtpprobe.metrics;

import io.smtpprobe.policy.Expectation;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Writes a target's sample lines as the Prometheus client library wrote them when they were meters, so
 * that dashboards, alert rules and the tests that pin the exposition see the same text: label names in
 * alphabetical order ({@code le} last), one-hot enumerations in the alphabetical order of their values,
 * gauges and counters as Java doubles ({@code 1.0}, {@code 1.7957736E9}, {@code +Inf}), never NaN: what was
 * not measured (a phase not reached, a certificate without TLS) has no sample at all,
 * histogram counts as integers. The lines are valid in Prometheus text 0.0.4 and in OpenMetrics 1.0.0.
 *
 * <p>Runs only when a target's results change (a record, a rejudge), under {@link AgentMetrics}' lock.
 */
final class TargetRenderer {
    /**
     * From 10 ms (a relay on the same network) to 30 s (twice the default probe deadline); ten buckets, not
     * thirteen, to keep the series a fleet pays for down (issue 15).
     */
    static final double[] DURATION_BUCKETS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private static final Outcome[] OUTCOMES = sorted(Outcome.values(), Outcome::label);
    private static final Phase[] PHASES = sorted(Phase.values(), Phase::label);
    private static final String[] BUCKET_LABELS = Arrays.stream(DURATION_BUCKETS).mapToObj(TargetRenderer::number)
            .toArray(String[]::new);

    private final StringBuilder line = new StringBuilder(2048);
    private long renders;

    /** How many times a target was rendered, for tests that check scrapes do not render. */
    long renders() {
        return renders;
    }

    RenderedTarget render(TargetSeries target) {
        renders++;
        String targetLabel = "target=\"" + escape(target.name()) + '"';
        ByteArrayOutputStream text = new ByteArrayOutputStream(4096);
        int[] ends = new int[TargetFamily.ALL.length];
        for (TargetFamily family : TargetFamily.ALL) {
            line.setLength(0);
            switch (family) {
                case DELIVERABLE -> {
                    if (target.config().mx() != null) {
                        sample(family, "{" + targetLabel + "}", target.deliverable() ? 1 : 0);
                    }
                }
                case DURATION -> duration(target, targetLabel);
                case EXPECTED_REACHABLE -> {
                    if (target.expected() != Expectation.UNKNOWN) {
                        sample(family, "{" + targetLabel + "}", target.expected() == Expectation.REACHABLE ? 1 : 0);
                    }
                }
                case LAST_RUN -> sample(family, "{" + targetLabel + "}", target.lastRunSeconds());
                case RUNS -> {
                    for (Outcome outcome : OUTCOMES) {
                        if (target.runs(outcome) > 0) { // issue 15: no zero series for outcomes never seen
                            sample(family, "{outcome=\"" + outcome.label() + "\"," + targetLabel + "}",
                                    target.runs(outcome));
                        }
                    }
                }
                case OUTCOME, PHASE_DURATION, REFUSAL, SUCCESS, TLS_CERTIFICATE_EXPIRY, TLS_VERIFIED, VERDICT ->
                        hosts(family, target, targetLabel);
            }
            byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
            text.write(bytes, 0, bytes.length);
            ends[family.ordinal()] = text.size();
        }
        return new RenderedTarget(text.toByteArray(), ends);
    }

    private void duration(TargetSeries target, String targetLabel) {
        String name = TargetFamily.DURATION.sampleName();
        long cumulative = 0;
        for (int i = 0; i < DURATION_BUCKETS.length; i++) {
            cumulative += target.durationBucket(i);
            line.append(name).append("_bucket{").append(targetLabel).append(",le=\"").append(BUCKET_LABELS[i])
                    .append("\"} ").append(cumulative).append('\n');
        }
        line.append(name).append("_bucket{").append(targetLabel).append(",le=\"+Inf\"} ")
                .append(target.durationCount()).append('\n');
        line.append(name).append("_count{").append(targetLabel).append("} ").append(target.durationCount()).append('\n');
        line.append(name).append("_sum{").append(targetLabel).append("} ").append(number(target.durationSum()))
                .append('\n');
    }

    private void hosts(TargetFamily family, TargetSeries target, String targetLabel) {
        for (HostState host : target.hosts()) {
            String hostLabel = "host=\"" + escape(host.host()) + '"';
            switch (family) {
                // Issue 15: the current outcome and verdict only, as 1; the other values are absent, not 0.
                case OUTCOME -> sample(family, "{" + hostLabel + ",outcome=\"" + host.outcome().label() + "\","
                        + targetLabel + "}", 1);
                case PHASE_DURATION -> {
                    for (Phase phase : PHASES) {
                        if (host.reached(phase)) {
                            sample(family, "{" + hostLabel + ",phase=\"" + phase.label() + "\"," + targetLabel + "}",
                                    host.phaseSeconds(phase));
                        }
                    }
                }
                case REFUSAL -> {
                    if (host.cause() != null) {
                        sample(family, "{cause=\"" + host.cause().label() + "\"," + hostLabel + "," + targetLabel
                                + "}", 1);
                    }
                }
                case SUCCESS -> sample(family, "{" + hostLabel + ",mode=\"" + host.mode().label() + "\",port=\""
                        + host.port() + "\",role=\"" + host.role().label() + "\"," + targetLabel + "}",
                        host.outcome() == Outcome.OK ? 1 : 0);
                case TLS_CERTIFICATE_EXPIRY -> {
                    if (host.negotiatedTls()) {
                        sample(family, "{" + hostLabel + "," + targetLabel + "}", host.certificateExpiry());
                    }
                }
                case TLS_VERIFIED -> {
                    if (!Double.isNaN(host.tlsVerified())) {
                        sample(family, "{" + hostLabel + "," + targetLabel + "}", host.tlsVerified());
                    }
                }
                case VERDICT -> sample(family, "{" + hostLabel + "," + targetLabel + ",verdict=\""
                        + host.verdict().label() + "\"}", 1);
                case DELIVERABLE, DURATION, EXPECTED_REACHABLE, LAST_RUN, RUNS ->
                        throw new IllegalStateException(family + " is not a per-host family");
            }
        }
    }

    private void sample(TargetFamily family, String labels, double value) {
        line.append(family.sampleName()).append(labels).append(' ').append(number(value)).append('\n');
    }

    /** A sample value as both formats spell it: Java's shortest round-trip decimal, NaN, +Inf, -Inf. */
    static String number(double value) {
        if (value == Double.POSITIVE_INFINITY) {
            return "+Inf";
        }
        if (value == Double.NEGATIVE_INFINITY) {
            return "-Inf";
        }
        return Double.toString(value);
    }

    /** A label value escaped as both text formats require: backslash, double quote and line feed. */
    static String escape(String value) {
        StringBuilder escaped = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '\\' -> "\\\\";
                case '"' -> "\\\"";
                case '\n' -> "\\n";
                default -> null;
            };
            if (replacement != null && escaped == null) {
                escaped = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (escaped != null) {
                if (replacement != null) {
                    escaped.append(replacement);
                } else {
                    escaped.append(c);
                }
            }
        }
        return escaped == null ? value : escaped.toString();
    }

    private static <E> E[] sorted(E[] values, java.util.function.Function<E, String> label) {
        E[] copy = values.clone();
        Arrays.sort(copy, Comparator.comparing(label));
        return copy;
    }
}
