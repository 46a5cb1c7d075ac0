package io.smtpprobe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.prometheus.metrics.core.metrics.Histogram;
import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.Expectation;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.ProbeResult;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The series of one configured target and of each host it probed last. Not thread-safe: {@link AgentMetrics} locks. */
final class TargetSeries {
    private final MeterRegistry registry;
    private final Histogram duration;
    private final TargetConfig target;
    private final Map<Outcome, Counter> runs = new EnumMap<>(Outcome.class);
    private final Map<String, HostSeries> hosts = new LinkedHashMap<>();
    private final List<Meter> meters = new ArrayList<>();
    private Gauge expectedReachable;
    private volatile double expectedValue;
    private volatile double lastRunSeconds;

    TargetSeries(MeterRegistry registry, Histogram duration, TargetConfig target) {
        this.registry = registry;
        this.duration = duration;
        this.target = target;
        String name = target.name();
        for (Outcome outcome : Outcome.values()) {
            Counter counter = Counter.builder(MetricNames.RUNS_TOTAL)
                    .description("Probes of this target by outcome, one per probed host")
                    .tags("target", name, "outcome", outcome.label())
                    .register(registry);
            runs.put(outcome, counter);
            meters.add(counter);
        }
        meters.add(Gauge.builder(MetricNames.LAST_RUN_TIMESTAMP_SECONDS, this, t -> t.lastRunSeconds)
                .description("When the last probe of this target finished, in Unix seconds")
                .tags("target", name).strongReference(true).register(registry));
        duration.initLabelValues(name);
    }

    TargetConfig config() {
        return target;
    }

    void record(List<ClassifiedResult> results) {
        double finished = lastRunSeconds;
        for (ClassifiedResult classified : results) {
            ProbeResult result = classified.result();
            HostSeries series = hosts.get(result.host());
            if (series != null && !series.matches(result)) {
                series.remove();
                series = null;
            }
            if (series == null) {
                hosts.put(result.host(), new HostSeries(registry, target.name(), classified, tlsPossible(target)));
            } else {
                series.update(classified);
            }
            runs.get(result.outcome()).increment();
            double seconds = HostSeries.toSeconds(result.total());
            duration.labelValues(target.name()).observe(seconds);
            finished = Math.max(finished, result.startedAt().toEpochMilli() / 1000.0 + seconds);
        }
        lastRunSeconds = finished;
        // An MX target whose records changed stops showing the hosts it no longer probes.
        Set<String> current = results.stream().map(r -> r.result().host()).collect(Collectors.toSet());
        hosts.entrySet().removeIf(e -> {
            if (current.contains(e.getKey())) {
                return false;
            }
            e.getValue().remove();
            return true;
        });
        updateExpectation(results);
    }

    void rejudge(List<ClassifiedResult> results) {
        for (ClassifiedResult classified : results) {
            HostSeries series = hosts.get(classified.result().host());
            if (series != null && series.matches(classified.result())) {
                series.update(classified);
            }
        }
        updateExpectation(results);
    }

    /**
     * {@code smtp_probe_expected_reachable} exists while every host of the target has the same known
     * expectation; it is absent when that is unknown (or the hosts disagree, which only happens
     * when some resolve to private and some to public addresses).
     */
    private void updateExpectation(List<ClassifiedResult> results) {
        Set<Expectation> expectations = results.stream().map(ClassifiedResult::expected).collect(Collectors.toSet());
        Expectation expected = expectations.size() == 1 ? expectations.iterator().next() : Expectation.UNKNOWN;
        if (expected == Expectation.UNKNOWN) {
            if (expectedReachable != null) {
                registry.remove(expectedReachable);
                expectedReachable = null;
            }
            return;
        }
        expectedValue = expected == Expectation.REACHABLE ? 1 : 0;
        if (expectedReachable == null) {
            expectedReachable = Gauge.builder(MetricNames.EXPECTED_REACHABLE, this, t -> t.expectedValue)
                    .description("1 when this target is expected reachable, 0 when expected blocked; absent when unknown")
                    .tags("target", target.name()).strongReference(true).register(registry);
        }
    }

    void remove() {
        hosts.values().forEach(HostSeries::remove);
        hosts.clear();
        meters.forEach(registry::remove);
        meters.clear();
        if (expectedReachable != null) {
            registry.remove(expectedReachable);
            expectedReachable = null;
        }
        duration.remove(target.name());
    }

    /** Whether a probe of this target can ever negotiate TLS, and so have a certificate expiry series. */
    static boolean tlsPossible(TargetConfig target) {
        return switch (target.mode()) {
            case TCP -> false;
            case SMTP -> target.starttls() != StartTls.OFF;
            case SUBMISSION, SMTPS -> true;
        };
    }
}
