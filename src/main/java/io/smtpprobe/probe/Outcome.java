package io.smtpprobe.probe;

import java.util.Locale;

/** How one probe attempt ended (README.md "Reading the verdicts"). Exactly one per probe. */
public enum Outcome {
    OK,
    DNS_FAILURE,
    /** The SYN went unanswered: what Azure's silent port-25 drop looks like. */
    TCP_TIMEOUT,
    TCP_REFUSED,
    /** An ICMP unreachable or administratively prohibited came back from the path: a firewall or router rejects. */
    UNREACHABLE,
    /**
     * The VM has no route for the address (ENETUNREACH, before a packet leaves; typically IPv6 on a VM without
     * it). A fact about the VM's routing, skipped as mail servers skip such an address; never a path failure (r3).
     */
    NO_ROUTE,
    GREETING_TIMEOUT,
    GREETING_REJECTED,
    PROTOCOL_ERROR,
    EHLO_REJECTED,
    STARTTLS_UNAVAILABLE,
    TLS_HANDSHAKE_FAILED,
    TLS_CERTIFICATE_INVALID,
    AUTH_UNAVAILABLE,
    AUTH_REJECTED,
    AUTH_TEMPFAIL,
    SENDER_REJECTED,
    RECIPIENT_REJECTED,
    /** The whole-probe deadline passed mid-conversation. */
    DEADLINE_EXCEEDED,
    /** A bug or a local fault, never a property of the peer. */
    ERROR;

    /** The label value used in metrics and JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * A path failure (README.md "Reading the verdicts"): nothing answered at all. Not {@link #TCP_REFUSED}: an RST
     * came from the destination or a firewall on the way, so the path works.
     */
    public boolean isPathFailure() {
        return this == TCP_TIMEOUT || this == UNREACHABLE;
    }

    /**
     * A TCP connection was established, so something on the far side answered. Every value is listed:
     * a new outcome does not compile until someone has decided which side it is on.
     */
    public boolean connected() {
        return switch (this) {
            case DNS_FAILURE, TCP_TIMEOUT, TCP_REFUSED, UNREACHABLE, NO_ROUTE, ERROR -> false;
            case OK, GREETING_TIMEOUT, GREETING_REJECTED, PROTOCOL_ERROR, EHLO_REJECTED, STARTTLS_UNAVAILABLE,
                    TLS_HANDSHAKE_FAILED, TLS_CERTIFICATE_INVALID, AUTH_UNAVAILABLE, AUTH_REJECTED, AUTH_TEMPFAIL,
                    SENDER_REJECTED, RECIPIENT_REJECTED, DEADLINE_EXCEEDED -> true;
        };
    }
}
