package io.smtpprobe.classify;

import io.smtpprobe.policy.Expectation;
import io.smtpprobe.probe.Outcome;

/** The verdict table of README.md "Reading the verdicts": outcome plus expectation give a verdict. */
public final class VerdictClassifier {
    private VerdictClassifier() {}

    public static Verdict classify(Outcome outcome, Expectation expected) {
        if (outcome == Outcome.DNS_FAILURE || outcome == Outcome.ERROR || expected == Expectation.UNKNOWN) {
            return Verdict.INCONCLUSIVE;
        }
        if (expected == Expectation.BLOCKED) {
            // Anything past connect means a server answered where the platform should have dropped us.
            return outcome.isNetworkLevelFailure() ? Verdict.AS_EXPECTED : Verdict.UNEXPECTEDLY_OPEN;
        }
        return switch (outcome) {
            case OK -> Verdict.AS_EXPECTED;
            case TCP_TIMEOUT, TCP_REFUSED, UNREACHABLE -> Verdict.UNEXPECTEDLY_BLOCKED;
            case GREETING_REJECTED, EHLO_REJECTED, SENDER_REJECTED, RECIPIENT_REJECTED -> Verdict.RECEIVER_REJECTED;
            case GREETING_TIMEOUT, PROTOCOL_ERROR, STARTTLS_UNAVAILABLE, TLS_HANDSHAKE_FAILED,
                    TLS_CERTIFICATE_INVALID, AUTH_UNAVAILABLE, AUTH_REJECTED, AUTH_TEMPFAIL,
                    DEADLINE_EXCEEDED -> Verdict.SESSION_FAILED;
            case DNS_FAILURE, ERROR -> Verdict.INCONCLUSIVE;
        };
    }
}
