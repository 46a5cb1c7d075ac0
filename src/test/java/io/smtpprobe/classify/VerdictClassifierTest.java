package io.smtpprobe.classify;

import static io.smtpprobe.classify.Verdict.AS_EXPECTED;
import static io.smtpprobe.classify.Verdict.INCONCLUSIVE;
import static io.smtpprobe.classify.Verdict.RECEIVER_REJECTED;
import static io.smtpprobe.classify.Verdict.SESSION_FAILED;
import static io.smtpprobe.classify.Verdict.UNEXPECTEDLY_BLOCKED;
import static io.smtpprobe.classify.Verdict.UNEXPECTEDLY_OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.policy.Expectation;
import io.smtpprobe.probe.Outcome;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The verdict table of README.md "Reading the verdicts", every outcome against every expectation. */
class VerdictClassifierTest {
    /** Verdict when the target is expected reachable, per outcome. */
    private static final Map<Outcome, Verdict> WHEN_REACHABLE = new EnumMap<>(Map.ofEntries(
            Map.entry(Outcome.OK, AS_EXPECTED),
            Map.entry(Outcome.DNS_FAILURE, INCONCLUSIVE),
            Map.entry(Outcome.TCP_TIMEOUT, UNEXPECTEDLY_BLOCKED),
            Map.entry(Outcome.TCP_REFUSED, UNEXPECTEDLY_BLOCKED),
            Map.entry(Outcome.UNREACHABLE, UNEXPECTEDLY_BLOCKED),
            Map.entry(Outcome.GREETING_TIMEOUT, SESSION_FAILED),
            Map.entry(Outcome.GREETING_REJECTED, RECEIVER_REJECTED),
            Map.entry(Outcome.PROTOCOL_ERROR, SESSION_FAILED),
            Map.entry(Outcome.EHLO_REJECTED, RECEIVER_REJECTED),
            Map.entry(Outcome.STARTTLS_UNAVAILABLE, SESSION_FAILED),
            Map.entry(Outcome.TLS_HANDSHAKE_FAILED, SESSION_FAILED),
            Map.entry(Outcome.TLS_CERTIFICATE_INVALID, SESSION_FAILED),
            Map.entry(Outcome.AUTH_UNAVAILABLE, SESSION_FAILED),
            Map.entry(Outcome.AUTH_REJECTED, SESSION_FAILED),
            Map.entry(Outcome.AUTH_TEMPFAIL, SESSION_FAILED),
            Map.entry(Outcome.SENDER_REJECTED, RECEIVER_REJECTED),
            Map.entry(Outcome.RECIPIENT_REJECTED, RECEIVER_REJECTED),
            Map.entry(Outcome.DEADLINE_EXCEEDED, SESSION_FAILED),
            Map.entry(Outcome.ERROR, INCONCLUSIVE)));

    @Test
    void tableNamesEveryOutcome() {
        assertThat(WHEN_REACHABLE.keySet()).containsExactlyInAnyOrder(Outcome.values());
    }

    @ParameterizedTest
    @EnumSource(Outcome.class)
    void expectedReachable(Outcome outcome) {
        assertThat(VerdictClassifier.classify(outcome, Expectation.REACHABLE)).isEqualTo(WHEN_REACHABLE.get(outcome));
    }

    @ParameterizedTest
    @EnumSource(Outcome.class)
    void expectedBlockedIsAsExpectedOnlyForNetworkLevelFailures(Outcome outcome) {
        Verdict expected = switch (outcome) {
            case TCP_TIMEOUT, TCP_REFUSED, UNREACHABLE -> AS_EXPECTED;
            case DNS_FAILURE, ERROR -> INCONCLUSIVE;
            default -> UNEXPECTEDLY_OPEN; // an SMTP server answered past connect
        };
        assertThat(VerdictClassifier.classify(outcome, Expectation.BLOCKED)).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(Outcome.class)
    void unknownExpectationIsAlwaysInconclusive(Outcome outcome) {
        assertThat(VerdictClassifier.classify(outcome, Expectation.UNKNOWN)).isEqualTo(INCONCLUSIVE);
    }
}
