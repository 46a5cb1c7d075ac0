package io.smtpprobe.probe.step;

import io.smtpprobe.probe.Phase;

/**
 * Where a probe is in its script. Finer than {@link Phase}: a failure is classified by the step it
 * happened in (MAIL FROM and RCPT TO share the {@code mail} phase but not an outcome).
 */
public enum Step {
    SETUP(null),
    DNS(Phase.DNS),
    CONNECT(Phase.CONNECT),
    /**
     * Connected, waiting for a probe thread to converse on (the asynchronous probe only; smtp and
     * submission time this wait as greeting, since the server's delay runs from the handshake). Counted
     * in the total only: a deadline that passes here is ours (every thread busy), not the peer's.
     */
    THREAD_WAIT(null),
    /** The implicit TLS handshake of smtps (RFC 8314), timed as the TLS-negotiation phase. */
    TLS(Phase.STARTTLS),
    GREETING(Phase.GREETING),
    EHLO(Phase.EHLO),
    STARTTLS(Phase.STARTTLS),
    AUTH(Phase.AUTH),
    MAIL_FROM(Phase.MAIL),
    RCPT_TO(Phase.MAIL),
    /** Counted in the total only: a slow goodbye says nothing about the path. */
    QUIT(null);

    private final Phase phase;

    Step(Phase phase) {
        this.phase = phase;
    }

    /** The timed phase this step belongs to, or null when it is only part of the total. */
    Phase phase() {
        return phase;
    }

    public String label() {
        return switch (this) {
            case SETUP -> "setup";
            case DNS -> "DNS resolution";
            case CONNECT -> "TCP connect";
            case THREAD_WAIT -> "the wait for a free probe thread";
            case TLS -> "TLS handshake";
            case GREETING -> "greeting";
            case EHLO -> "EHLO";
            case STARTTLS -> "STARTTLS";
            case AUTH -> "AUTH";
            case MAIL_FROM -> "MAIL FROM";
            case RCPT_TO -> "RCPT TO";
            case QUIT -> "QUIT";
        };
    }
}
