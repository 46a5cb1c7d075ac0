package io.smtpprobe.probe;

/** A name that did not resolve; the message says why (NXDOMAIN, SERVFAIL, timeout, no records). */
public final class ResolutionException extends Exception {
    public ResolutionException(String reason) {
        super(reason);
    }

    public ResolutionException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
