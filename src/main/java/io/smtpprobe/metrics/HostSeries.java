package io.smtpprobe.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.classify.Verdict;
import io.smtpprobe.config.Mode;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The series of one probed host of one target. Every series exists from the first result on, the
 * one-hot enumerations with a 0 for every value but the current one, so that alert expressions never
 * meet a missing series.
 *
 * <p>A phase the last probe did not reach reads NaN, not 0: 0 would claim an instant phase, while
 * NaN compares false in every alert expression and leaves a gap in graphs. The certificate expiry
 * reads NaN when the last probe negotiated no TLS.
 */
final class HostSeries {
    private final MeterRegistry registry;
    private final String host;
    private final int port;
    private final Mode mode;
    private final List<Meter> meters = new ArrayList<>();
    /** Replaced whole on each result, so one scrape never sees half of two probes. */
    private volatile State state;

    private record State(Outcome outcome, Verdict verdict, Map<Phase, Double> phaseSeconds, double certExpiry) {}

    HostSeries(MeterRegistry registry, String target, ClassifiedResult first, boolean tlsPossible) {
        this.registry = registry;
        ProbeResult result = first.result();
        this.host = result.host();
        this.port = result.port();
        this.mode = result.mode();
        update(first);
        Tags targetHost = Tags.of("target", target, "host", host);
        meters.add(Gauge.builder(MetricNames.SUCCESS, this, s -> s.state.outcome == Outcome.OK ? 1 : 0)
                .description("1 when the last probe of this host reached ok, else 0")
                .tags(targetHost).tags("port", Integer.toString(port), "mode", mode.label())
                .strongReference(true).register(registry));
        for (Outcome outcome : Outcome.values()) {
            meters.add(Gauge.builder(MetricNames.OUTCOME, this, s -> s.state.outcome == outcome ? 1 : 0)
                    .description("1 for the outcome of the last probe of this host, 0 for every other outcome")
                    .tags(targetHost).tag("outcome", outcome.label())
                    .strongReference(true).register(registry));
        }
        for (Verdict verdict : Verdict.values()) {
            meters.add(Gauge.builder(MetricNames.VERDICT, this, s -> s.state.verdict == verdict ? 1 : 0)
                    .description("1 for the verdict of the last probe of this host, 0 for every other verdict")
                    .tags(targetHost).tag("verdict", verdict.label())
                    .strongReference(true).register(registry));
        }
        for (Phase phase : Phase.values()) {
            meters.add(Gauge.builder(MetricNames.PHASE_DURATION_SECONDS, this,
                            s -> s.state.phaseSeconds.getOrDefault(phase, Double.NaN))
                    .description("Seconds each phase of the last probe took; NaN for a phase it did not reach")
                    .tags(targetHost).tag("phase", phase.label())
                    .strongReference(true).register(registry));
        }
        if (tlsPossible) {
            meters.add(Gauge.builder(MetricNames.TLS_CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS, this, s -> s.state.certExpiry)
                    .description("Expiry of the server certificate seen by the last probe, in Unix seconds;"
                            + " NaN when it negotiated no TLS")
                    .tags(targetHost).strongReference(true).register(registry));
        }
    }

    /** Whether a result for this host can be recorded here, or the series must be made anew. */
    boolean matches(ProbeResult result) {
        return result.port() == port && result.mode() == mode;
    }

    void update(ClassifiedResult classified) {
        ProbeResult result = classified.result();
        Map<Phase, Double> seconds = new EnumMap<>(Phase.class);
        for (Map.Entry<Phase, Duration> e : result.phases().entrySet()) {
            seconds.put(e.getKey(), toSeconds(e.getValue()));
        }
        double expiry = result.tls() != null && result.tls().certificateExpiry() != null
                ? result.tls().certificateExpiry().getEpochSecond()
                : Double.NaN;
        state = new State(result.outcome(), classified.verdict(), Map.copyOf(seconds), expiry);
    }

    void remove() {
        meters.forEach(registry::remove);
        meters.clear();
    }

    static double toSeconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
