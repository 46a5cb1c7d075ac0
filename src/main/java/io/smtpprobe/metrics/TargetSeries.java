package io.smtpprobe.metrics;

import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.Expectation;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.ProbeResult;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The series of one configured target and of each host it probed last, kept as plain values rather than
 * meters: counts per outcome, the duration histogram's buckets, the latest state of every host. Each change
 * renders the target's sample lines once ({@link TargetRenderer}) and publishes them whole, so a scrape only
 * copies bytes and never sees half of two probes.
 *
 * <p>Mutated only under {@link AgentMetrics}' lock; {@link #rendered()} is safe to read from any thread.
 */
final class TargetSeries {
    private final TargetConfig target;
    private final TargetRenderer renderer;
    private final long[] runs = new long[Outcome.values().length];
    /** Observations per bucket, not cumulative, indexed like {@link TargetRenderer#DURATION_BUCKETS}. */
    private final long[] durationBuckets = new long[TargetRenderer.DURATION_BUCKETS.length];
    private long durationCount;
    private double durationSum;
    private double lastRunSeconds;
    /** By host name, so that a target's hosts come out in a stable order. */
    private final Map<String, HostState> hosts = new TreeMap<>();
    private Expectation expected = Expectation.UNKNOWN;
    private volatile RenderedTarget rendered;

    TargetSeries(TargetConfig target, TargetRenderer renderer) {
        this.target = target;
        this.renderer = renderer;
    }

    TargetConfig config() {
        return target;
    }

    /** The sample lines of the latest state, rendered when it last changed; null before the first record. */
    RenderedTarget rendered() {
        return rendered;
    }

    /**
     * Counts the results and shows them as the latest state. Hosts the target did not probe this time (an
     * MX record that changed) disappear; a host now probed on another port or in another mode replaces its
     * old series.
     */
    void record(List<ClassifiedResult> results) {
        // When this run finished by the wall clock, not the latest ever: after a clock step back, a max() stayed
        // in the future and the stale-results alert could never fire (issue 23).
        double finished = results.isEmpty() ? lastRunSeconds : Double.NEGATIVE_INFINITY;
        for (ClassifiedResult classified : results) {
            ProbeResult result = classified.result();
            hosts.put(result.host(), HostState.of(classified));
            runs[result.outcome().ordinal()]++;
            double seconds = HostState.toSeconds(result.total());
            observeDuration(seconds);
            finished = Math.max(finished, result.startedAt().toEpochMilli() / 1000.0 + seconds);
        }
        lastRunSeconds = finished;
        Set<String> current = results.stream().map(r -> r.result().host()).collect(Collectors.toSet());
        hosts.keySet().retainAll(current);
        expected = expectation(results);
        render();
    }

    /** Shows the verdicts and expectation of results judged again, without counting them as probes. */
    void rejudge(List<ClassifiedResult> results) {
        for (ClassifiedResult classified : results) {
            HostState host = hosts.get(classified.result().host());
            if (host != null && host.matches(classified.result())) {
                hosts.put(host.host(), HostState.of(classified));
            }
        }
        expected = expectation(results);
        render();
    }

    private void observeDuration(double seconds) {
        double[] bounds = TargetRenderer.DURATION_BUCKETS;
        for (int i = 0; i < bounds.length; i++) {
            if (seconds <= bounds[i]) {
                durationBuckets[i]++;
                break;
            }
        }
        durationCount++; // the +Inf bucket
        durationSum += seconds;
    }

    private void render() {
        rendered = renderer.render(this);
    }

    /**
     * {@code smtp_probe_expected_reachable} exists while every host of the target has the same known
     * expectation; it is absent when that is unknown (or the hosts disagree, which only happens when some
     * resolve to private and some to public addresses).
     */
    private static Expectation expectation(List<ClassifiedResult> results) {
        Set<Expectation> expectations = results.stream().map(ClassifiedResult::expected).collect(Collectors.toSet());
        return expectations.size() == 1 ? expectations.iterator().next() : Expectation.UNKNOWN;
    }

    String name() {
        return target.name();
    }

    long runs(Outcome outcome) {
        return runs[outcome.ordinal()];
    }

    long durationBucket(int index) {
        return durationBuckets[index];
    }

    long durationCount() {
        return durationCount;
    }

    double durationSum() {
        return durationSum;
    }

    double lastRunSeconds() {
        return lastRunSeconds;
    }

    Expectation expected() {
        return expected;
    }

    /** Whether one of the hosts took the session (revision 3: what makes an mx: target's domain deliverable). */
    boolean deliverable() {
        return hosts.values().stream().anyMatch(h -> h.outcome() == Outcome.OK);
    }

    Collection<HostState> hosts() {
        return Collections.unmodifiableCollection(hosts.values());
    }
}
