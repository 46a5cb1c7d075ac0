package io.smtpprobe.classify;

import java.util.Locale;

/** An outcome judged against its expectation (README.md "Reading the verdicts"). */
public enum Verdict {
    AS_EXPECTED,
    UNEXPECTEDLY_BLOCKED,
    UNEXPECTEDLY_OPEN,
    /** Expected reachable, and the server refused us for good: a 5xx at greeting, EHLO, MAIL FROM or RCPT TO. */
    RECEIVER_REJECTED,
    /** Expected reachable, and the destination did not take the session now: an RST, or a 4xx at those stages. */
    RECEIVER_UNAVAILABLE,
    SESSION_FAILED,
    INCONCLUSIVE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this verdict is something an operator must act on. */
    public boolean isProblem() {
        return switch (this) {
            case AS_EXPECTED, INCONCLUSIVE -> false;
            case UNEXPECTEDLY_BLOCKED, UNEXPECTEDLY_OPEN, RECEIVER_REJECTED, RECEIVER_UNAVAILABLE, SESSION_FAILED -> true;
        };
    }
}
