package io.smtpprobe.dashboards;

import io.smtpprobe.metrics.MetricNames;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/** The metric names dashboards and rules may read: what the agent exports, what Prometheus adds, what the rules record. */
final class MetricVocabulary {
    /** Series Prometheus itself makes: scrape health and alert state. */
    private static final Set<String> PROMETHEUS = Set.of("up", "ALERTS", "ALERTS_FOR_STATE");

    private MetricVocabulary() {}

    static Set<String> known(Collection<String> recorded) {
        Set<String> known = new TreeSet<>(PROMETHEUS);
        known.addAll(recorded);
        known.addAll(MetricNames.ALL);
        // The histogram's series in the exposition.
        for (String suffix : new String[] {"_bucket", "_count", "_sum"}) {
            known.add(MetricNames.DURATION_SECONDS + suffix);
        }
        return known;
    }
}
