package io.smtpprobe.dashboards;

import io.smtpprobe.metrics.MetricNames;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/** The metric names dashboards and rules may read: what the agent exports, what Prometheus adds, what the rules record. */
final class MetricVocabulary {
    /** Series Prometheus itself makes: scrape health and alert state. */
    private static final Set<String> PROMETHEUS = Set.of("up", "ALERTS", "ALERTS_FOR_STATE");

    /**
     * Metrics decided for this release (the README's metric list) that the rules and dashboards are built
     * to, whether or not this build's {@link MetricNames} has them yet: issue 12's certificate verification.
     * Once the agent exports one, {@link #notYetExported} no longer lists it and every check on it is strict.
     */
    static final Set<String> DECIDED = Set.of("smtp_probe_tls_verified");

    private MetricVocabulary() {}

    static Set<String> known(Collection<String> recorded) {
        Set<String> known = new TreeSet<>(PROMETHEUS);
        known.addAll(recorded);
        known.addAll(MetricNames.ALL);
        known.addAll(DECIDED);
        // The histogram's series in the exposition.
        for (String suffix : new String[] {"_bucket", "_count", "_sum"}) {
            known.add(MetricNames.DURATION_SECONDS + suffix);
        }
        return known;
    }

    /** Decided names this build of the agent does not export yet: a query on one alone may find no data. */
    static Set<String> notYetExported() {
        Set<String> missing = new TreeSet<>(DECIDED);
        missing.removeAll(MetricNames.ALL);
        return missing;
    }
}
