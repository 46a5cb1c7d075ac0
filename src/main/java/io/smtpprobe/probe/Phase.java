package io.smtpprobe.probe;

import java.util.Locale;

/** The timed steps of a probe; {@link #TOTAL} spans all of them. */
public enum Phase {
    DNS,
    CONNECT,
    GREETING,
    EHLO,
    STARTTLS,
    AUTH,
    MAIL,
    /**
     * An mx: domain's MTA-STS policy lookup (RFC 8461): the _mta-sts TXT record and the HTTPS fetch, made before
     * the hosts' probes; listed last so that the steps of a conversation keep their order.
     */
    MTA_STS,
    TOTAL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
