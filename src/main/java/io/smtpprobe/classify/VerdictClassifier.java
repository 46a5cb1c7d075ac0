package io.smtpprobe.classify;

import io.smtpprobe.policy.Expectation;
import io.smtpprobe.probe.Outcome;

/** The verdict table of README.md "Reading the verdicts": outcome plus expectation (and a refusal's code) give a verdict. */
public final class VerdictClassifier {
    private VerdictClassifier() {}

    /**
     * @param replyCode the code of the server's last reply (0 when none): a refusal with a 4xx is passing
     *     (RFC 5321 section 4.2.1, transient negative completion), anything else lasting
     */
    public static Verdict classify(Outcome outcome, int replyCode, Expectation expected) {
        return switch (expected) {
            case UNKNOWN -> Verdict.INCONCLUSIVE;
            case BLOCKED -> whenBlocked(outcome);
            case REACHABLE -> whenReachable(outcome, replyCode);
        };
    }

    /** Anything past connect means a server answered where the platform should have dropped us. */
    private static Verdict whenBlocked(Outcome outcome) {
        return switch (outcome) {
            // An RST is what a blocking firewall may send instead of dropping: still not through.
            case TCP_TIMEOUT, UNREACHABLE, TCP_REFUSED -> Verdict.AS_EXPECTED;
            // No packet left: nothing is known of the path (r3); an MTA skips the address.
            case DNS_FAILURE, NO_ROUTE, ERROR -> Verdict.INCONCLUSIVE;
            case OK, GREETING_TIMEOUT, GREETING_REJECTED, PROTOCOL_ERROR, EHLO_REJECTED, STARTTLS_UNAVAILABLE,
                    TLS_HANDSHAKE_FAILED, TLS_CERTIFICATE_INVALID, AUTH_UNAVAILABLE, AUTH_REJECTED, AUTH_TEMPFAIL,
                    SENDER_REJECTED, RECIPIENT_REJECTED, DEADLINE_EXCEEDED -> Verdict.UNEXPECTEDLY_OPEN;
        };
    }

    private static Verdict whenReachable(Outcome outcome, int replyCode) {
        return switch (outcome) {
            case OK -> Verdict.AS_EXPECTED;
            case TCP_TIMEOUT, UNREACHABLE -> Verdict.UNEXPECTEDLY_BLOCKED;
            // An RST proves the path works: nothing listens there now, or a firewall rejects.
            case TCP_REFUSED -> Verdict.RECEIVER_UNAVAILABLE;
            case GREETING_REJECTED, EHLO_REJECTED, SENDER_REJECTED, RECIPIENT_REJECTED ->
                    replyCode >= 400 && replyCode < 500 ? Verdict.RECEIVER_UNAVAILABLE : Verdict.RECEIVER_REJECTED;
            case GREETING_TIMEOUT, PROTOCOL_ERROR, STARTTLS_UNAVAILABLE, TLS_HANDSHAKE_FAILED,
                    TLS_CERTIFICATE_INVALID, AUTH_UNAVAILABLE, AUTH_REJECTED, AUTH_TEMPFAIL,
                    DEADLINE_EXCEEDED -> Verdict.SESSION_FAILED;
            case DNS_FAILURE, NO_ROUTE, ERROR -> Verdict.INCONCLUSIVE;
        };
    }
}
