package io.smtpprobe.metrics;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The delivery targets' series: registered with the first delivery result, so an agent without a delivery target
 * exports none of them, not even their headers.
 */
final class DeliveryGauges {
    private final Gauge success;
    private final Gauge duration;
    private final Gauge lastSuccess;
    private final Set<String> targets = new HashSet<>();

    DeliveryGauges(PrometheusRegistry registry) {
        success = Gauge.builder().name(MetricNames.DELIVERY_SUCCESS)
                .help("1 when the last delivery probe's message arrived in the mailbox within delivery_timeout, else 0")
                .labelNames("target").withoutExemplars().register(registry);
        duration = Gauge.builder().name(MetricNames.DELIVERY_DURATION_SECONDS)
                .help("Submission to arrival of the last delivery probe's message; absent when it did not arrive")
                .labelNames("target").withoutExemplars().register(registry);
        lastSuccess = Gauge.builder().name(MetricNames.DELIVERY_LAST_SUCCESS_TIMESTAMP_SECONDS)
                .help("When a delivery probe's message last arrived, in Unix seconds (since the agent started)")
                .labelNames("target").withoutExemplars().register(registry);
    }

    void record(String target, boolean delivered, Double arrivalSeconds, Instant at) {
        targets.add(target);
        success.labelValues(target).set(delivered ? 1 : 0);
        if (delivered && arrivalSeconds != null) {
            duration.labelValues(target).set(arrivalSeconds);
            lastSuccess.labelValues(target).set(at.toEpochMilli() / 1000.0);
        } else {
            duration.remove(target);
        }
    }

    void retain(Collection<String> names) {
        for (String target : Set.copyOf(targets)) {
            if (!names.contains(target)) {
                success.remove(target);
                duration.remove(target);
                lastSuccess.remove(target);
                targets.remove(target);
            }
        }
    }
}
