package io.smtpprobe.metrics;

import java.util.Locale;

/** The two text formats /metrics serves, chosen from the request's Accept header. */
public enum ExpositionFormat {
    /** Prometheus text format 0.0.4, what every Prometheus understands. */
    PROMETHEUS_TEXT("text/plain; version=0.0.4; charset=utf-8"),
    /** OpenMetrics 1.0.0, asked for by Prometheus when it prefers it. */
    OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8");

    private final String contentType;

    ExpositionFormat(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /** OpenMetrics when the client lists it in Accept, Prometheus text otherwise (also for no Accept at all). */
    public static ExpositionFormat negotiate(String accept) {
        if (accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")) {
            return OPENMETRICS;
        }
        return PROMETHEUS_TEXT;
    }
}
