package io.smtpprobe.classify;

import java.util.Locale;

/** One finding for the whole VM from a round of results (README.md "Reading the verdicts"). */
public enum Diagnosis {
    PORT25_BLOCKED_AS_EXPECTED,
    PORT25_OPEN_AS_EXPECTED,
    PORT25_BLOCKED_UNEXPECTEDLY,
    PORT25_OPEN_UNEXPECTEDLY,
    NO_EGRESS,
    RELAY_FAILING,
    MIXED,
    INSUFFICIENT_DATA,
    /** No name server gave a usable answer to any lookup (r2). */
    DNS_UNAVAILABLE,
    /** Port 25 reaches the MX hosts as expected, but some refuse us or do not take the session now (r2). */
    RECEIVERS_REJECTING,
    /**
     * Port 25 and the receivers work; every refusal is of the probe's own addresses (rcpt_to, mail_from):
     * the probe's config is at fault (r3).
     */
    PROBE_MISCONFIGURED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
