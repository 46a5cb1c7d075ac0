package io.smtpprobe.probe.dns;

import io.smtpprobe.probe.DnsFailure;

/**
 * A name that did not resolve; the message says why (NXDOMAIN, SERVFAIL, timeout, no records) and
 * {@link #kind()} whether DNS answered or could not be asked.
 */
public final class ResolutionException extends Exception {
    private final DnsFailure kind;

    /** DNS answered, but with nothing usable (no such name, no records). */
    public ResolutionException(String reason) {
        this(reason, DnsFailure.NO_SUCH_NAME);
    }

    public ResolutionException(String reason, DnsFailure kind) {
        super(reason);
        this.kind = kind;
    }

    public ResolutionException(String reason, Throwable cause) {
        this(reason, DnsFailure.NO_SUCH_NAME, cause);
    }

    public ResolutionException(String reason, DnsFailure kind, Throwable cause) {
        super(reason, cause);
        this.kind = kind;
    }

    public DnsFailure kind() {
        return kind;
    }
}
