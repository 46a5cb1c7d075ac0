package io.smtpprobe.classify;

import java.util.Locale;

/**
 * Why a receiver refused us (README.md "Reading the verdicts", revision 3): read from a refusal's reply by
 * {@link RefusalReader}. Not to be confused with the root cause of section 8, which says where a block is.
 */
public enum Cause {
    /** The probe's {@code rcpt_to} does not exist: the probe's config, not the path. */
    RECIPIENT_UNKNOWN,
    /** {@code rcpt_to} is not a domain this host receives for. */
    RELAY_DENIED,
    /** The account may not send as this {@code mail_from}. */
    SENDER_NOT_ALLOWED,
    /** The VM's public IP is on a blocklist. */
    IP_BLOCKLISTED,
    /** The public IP has no matching PTR record. */
    NO_REVERSE_DNS,
    /** The HELO name ({@code probe.helo_name}) was refused. */
    HELO_REJECTED,
    /** SPF or DMARC of the sending domain. */
    SENDER_POLICY,
    /** Passing: too many connections or messages. */
    RATE_LIMITED,
    /** Passing: a retry delivers. */
    GREYLISTED,
    /** The receiver wants STARTTLS first: the target's {@code starttls}. */
    TLS_REQUIRED,
    /** The relay needs credentials. */
    AUTH_REQUIRED,
    /** Passing: the receiver is loaded. */
    SERVICE_UNAVAILABLE,
    /** Any other policy refusal (X.7.x): the reply says which. */
    POLICY,
    /** Anything else: the reply says. */
    OTHER;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A finding about the probe's own addresses: the path and the receiver work (section 3.1). */
    public boolean aboutProbeAddresses() {
        return switch (this) {
            case RECIPIENT_UNKNOWN, RELAY_DENIED, SENDER_NOT_ALLOWED -> true;
            case IP_BLOCKLISTED, NO_REVERSE_DNS, HELO_REJECTED, SENDER_POLICY, RATE_LIMITED, GREYLISTED, TLS_REQUIRED,
                    AUTH_REQUIRED, SERVICE_UNAVAILABLE, POLICY, OTHER -> false;
        };
    }
}
