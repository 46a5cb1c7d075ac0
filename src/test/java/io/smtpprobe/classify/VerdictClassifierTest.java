package io.smtpprobe.classify;

import static io.smtpprobe.classify.Verdict.AS_EXPECTED;
import static io.smtpprobe.classify.Verdict.INCONCLUSIVE;
import static io.smtpprobe.classify.Verdict.RECEIVER_REJECTED;
import static io.smtpprobe.classify.Verdict.RECEIVER_UNAVAILABLE;
import static io.smtpprobe.classify.Verdict.SESSION_FAILED;
import static io.smtpprobe.classify.Verdict.UNEXPECTEDLY_BLOCKED;
import static io.smtpprobe.classify.Verdict.UNEXPECTEDLY_OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Mode;
import io.smtpprobe.policy.Expectation;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.testing.Targets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The verdict table of README.md "Reading the verdicts" (revision 2), every outcome against every expectation. */
class VerdictClassifierTest {
    /** Verdict when the target is expected reachable and a refusal came with a 5xx (or no code), per outcome. */
    private static final Map<Outcome, Verdict> WHEN_REACHABLE = new EnumMap<>(Map.ofEntries(
            Map.entry(Outcome.OK, AS_EXPECTED),
            Map.entry(Outcome.DNS_FAILURE, INCONCLUSIVE),
            Map.entry(Outcome.TCP_TIMEOUT, UNEXPECTEDLY_BLOCKED),
            Map.entry(Outcome.TCP_REFUSED, RECEIVER_UNAVAILABLE),
            Map.entry(Outcome.UNREACHABLE, UNEXPECTEDLY_BLOCKED),
            // r3: no packet left the VM, so nothing is known of the path; mail servers skip the address
            Map.entry(Outcome.NO_ROUTE, INCONCLUSIVE),
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
    void expectedReachableWithALastingReply(Outcome outcome) {
        assertThat(VerdictClassifier.classify(outcome, 554, Expectation.REACHABLE))
                .isEqualTo(WHEN_REACHABLE.get(outcome));
    }

    /** A 4xx is "not now" (RFC 5321 section 4.2.1): overload, rate limit, greylisting. A 5xx is for good. */
    @ParameterizedTest(name = "{0} with {1} -> {2}")
    @CsvSource({
        "GREETING_REJECTED, 421, RECEIVER_UNAVAILABLE",
        "GREETING_REJECTED, 554, RECEIVER_REJECTED",
        "EHLO_REJECTED, 421, RECEIVER_UNAVAILABLE",
        "EHLO_REJECTED, 550, RECEIVER_REJECTED",
        "SENDER_REJECTED, 451, RECEIVER_UNAVAILABLE",
        "SENDER_REJECTED, 553, RECEIVER_REJECTED",
        "RECIPIENT_REJECTED, 450, RECEIVER_UNAVAILABLE",
        "RECIPIENT_REJECTED, 550, RECEIVER_REJECTED",
        "RECIPIENT_REJECTED, 0, RECEIVER_REJECTED",
        "TCP_REFUSED, 0, RECEIVER_UNAVAILABLE",
        "AUTH_TEMPFAIL, 454, SESSION_FAILED",
    })
    void expectedReachableTellsPassingFromLastingRefusals(Outcome outcome, int code, Verdict verdict) {
        assertThat(VerdictClassifier.classify(outcome, code, Expectation.REACHABLE)).isEqualTo(verdict);
    }

    @ParameterizedTest
    @EnumSource(Outcome.class)
    void expectedBlockedIsAsExpectedForPathFailuresAndAnRst(Outcome outcome) {
        Verdict expected = switch (outcome) {
            case TCP_TIMEOUT, UNREACHABLE, TCP_REFUSED -> AS_EXPECTED;
            case DNS_FAILURE, NO_ROUTE, ERROR -> INCONCLUSIVE;
            default -> UNEXPECTEDLY_OPEN; // an SMTP server answered past connect
        };
        assertThat(VerdictClassifier.classify(outcome, 421, Expectation.BLOCKED)).isEqualTo(expected);
        assertThat(VerdictClassifier.classify(outcome, 554, Expectation.BLOCKED)).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(Outcome.class)
    void unknownExpectationIsAlwaysInconclusive(Outcome outcome) {
        assertThat(VerdictClassifier.classify(outcome, 421, Expectation.UNKNOWN)).isEqualTo(INCONCLUSIVE);
    }

    @Test
    void theReplyCodeIsReadFromTheResultsLastReply() {
        var policy = PolicyTable.evaluate("enterprise-agreement", null, false, "config");
        var target = Targets.host("mx.example", 25, Mode.SMTP).build();

        assertThat(ResultClassifier.classify(policy, target,
                greeting("421 4.7.0 mx.example Error: too many connections from 20.0.0.1")).verdict())
                .isEqualTo(RECEIVER_UNAVAILABLE);
        assertThat(ResultClassifier.classify(policy, target,
                greeting("554 5.7.1 Service unavailable; client host blocked using zen.example")).verdict())
                .isEqualTo(RECEIVER_REJECTED);
    }

    @Test
    void onlyProblemsExitOne() {
        assertThat(RECEIVER_UNAVAILABLE.isProblem()).isTrue();
        assertThat(RECEIVER_REJECTED.isProblem()).isTrue();
        assertThat(AS_EXPECTED.isProblem()).isFalse();
        assertThat(INCONCLUSIVE.isProblem()).isFalse();
    }

    private static ProbeResult greeting(String reply) {
        return new ProbeResult("mx", "mx.example", "20.0.0.25", 25, Mode.SMTP, Outcome.GREETING_REJECTED, reply,
                "the server greeted with " + reply.substring(0, 3), Map.of(Phase.TOTAL, Duration.ofMillis(5)), null,
                Instant.EPOCH, null);
    }
}
