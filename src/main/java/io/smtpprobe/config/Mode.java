package io.smtpprobe.config;

import java.util.Locale;

/** How a target is probed (smtp-probe.yml(5), "targets"). */
public enum Mode {
    /** Connect and close: a control that proves the path, not the service. */
    TCP(0),
    /** Unauthenticated SMTP to a mail exchanger, STARTTLS if offered (RFC 5321). */
    SMTP(25),
    /** Authenticated submission with mandatory STARTTLS (RFC 6409, RFC 3207). */
    SUBMISSION(587),
    /** Submission over implicit TLS (RFC 8314). */
    SMTPS(465);

    private final int defaultPort;

    Mode(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    /** The port used when a target names none; 0 for {@link #TCP}, which must name one. */
    public int defaultPort() {
        return defaultPort;
    }

    /** Whether this mode talks to a relay that the VM submits mail through. */
    public boolean isRelay() {
        return this == SUBMISSION || this == SMTPS;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
