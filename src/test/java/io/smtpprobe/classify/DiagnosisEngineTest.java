package io.smtpprobe.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Mode;
import io.smtpprobe.policy.Expectation;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Diagnosis over whole rounds: every value reached from a realistic set of results. */
class DiagnosisEngineTest {
    private static final Port25Policy PAYG = PolicyTable.evaluate("pay-as-you-go", null, false, "config");
    private static final Port25Policy EA = PolicyTable.evaluate("enterprise-agreement", null, false, "config");
    private static final Port25Policy UNKNOWN = PolicyTable.evaluate("unknown", null, false, "config");

    /**
     * A round described as {@code kind:outcome} items separated by spaces: kind {@code mx} is a
     * port-25 internet target, {@code relay} a submission target on 587, {@code ctl} a TCP/443 control.
     */
    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource({
        "pay-as-you-go, mx:tcp_timeout mx:tcp_timeout relay:ok ctl:ok, port25_blocked_as_expected",
        "pay-as-you-go, mx:tcp_timeout, port25_blocked_as_expected",
        "enterprise-agreement, mx:tcp_timeout relay:ok ctl:ok, port25_blocked_unexpectedly",
        "enterprise-agreement, mx:ok mx:ok relay:ok, port25_open_as_expected",
        "pay-as-you-go, mx:ok ctl:ok, port25_open_unexpectedly",
        "pay-as-you-go, mx:greeting_rejected ctl:ok, port25_open_unexpectedly",
        "pay-as-you-go, mx:tcp_timeout relay:tcp_timeout ctl:tcp_timeout, no_egress",
        "enterprise-agreement, mx:tcp_timeout relay:unreachable, no_egress",
        "pay-as-you-go, ctl:tcp_timeout, no_egress",
        "pay-as-you-go, mx:tcp_timeout relay:auth_rejected ctl:ok, relay_failing",
        "pay-as-you-go, mx:tcp_timeout relay:tls_certificate_invalid, relay_failing",
        "enterprise-agreement, mx:ok mx:tcp_timeout ctl:ok, mixed",
        "pay-as-you-go, relay:ok ctl:ok, insufficient_data",
        "pay-as-you-go, mx:dns_failure relay:ok, insufficient_data",
        "unknown, mx:tcp_timeout ctl:ok, insufficient_data",
        "pay-as-you-go, '', insufficient_data",
    })
    void diagnosesWholeRounds(String offer, String round, String diagnosis) {
        Port25Policy policy = switch (offer) {
            case "pay-as-you-go" -> PAYG;
            case "enterprise-agreement" -> EA;
            default -> UNKNOWN;
        };
        Finding finding = DiagnosisEngine.diagnose(policy, round(policy, round));
        assertThat(finding.diagnosis().label()).isEqualTo(diagnosis);
        assertThat(finding.explanation()).isNotBlank();
        assertThat(finding.action()).isNotBlank();
    }

    @Test
    void blockedPayAsYouGoIsToldToUseARelayAndThatNoExemptionCanBeRequested() {
        Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "mx:tcp_timeout relay:ok"));
        assertThat(finding.explanation()).contains("as Azure's policy for pay-as-you-go");
        assertThat(finding.action()).contains("authenticated relay on port 587").contains("No new exemption");
    }

    @Test
    void blockedEnterpriseDevTestIsToldAboutSelfServiceUnblock() {
        Port25Policy devtest = PolicyTable.evaluate("enterprise-devtest", null, false, "config");
        Finding finding = DiagnosisEngine.diagnose(devtest, round(devtest, "mx:tcp_timeout ctl:ok"));
        assertThat(finding.action()).contains("Cannot send email (SMTP-Port 25)").contains("deallocate");
    }

    @Test
    void blockedDespiteARecordedExemptionSaysToDeallocateAndStart() {
        Port25Policy exempt = PolicyTable.evaluate("pay-as-you-go", null, true, "config");
        assertThat(exempt.port25()).isEqualTo(Expectation.REACHABLE);
        Finding finding = DiagnosisEngine.diagnose(exempt, round(exempt, "mx:tcp_timeout ctl:ok"));
        assertThat(finding.diagnosis()).isEqualTo(Diagnosis.PORT25_BLOCKED_UNEXPECTEDLY);
        assertThat(finding.action()).contains("deallocate and start the VM");
    }

    @Test
    void noEgressIsNotAPolicyFinding() {
        Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "mx:tcp_timeout relay:tcp_timeout"));
        assertThat(finding.explanation()).contains("not Azure's port-25 policy");
    }

    private static List<ClassifiedResult> round(Port25Policy policy, String spec) {
        List<ClassifiedResult> results = new ArrayList<>();
        for (String item : spec.trim().split("\\s+")) {
            if (item.isEmpty()) {
                continue;
            }
            String[] parts = item.split(":");
            Outcome outcome = Outcome.valueOf(parts[1].toUpperCase());
            Mode mode = switch (parts[0]) {
                case "mx" -> Mode.SMTP;
                case "relay" -> Mode.SUBMISSION;
                default -> Mode.TCP;
            };
            int port = switch (parts[0]) {
                case "mx" -> 25;
                case "relay" -> 587;
                default -> 443;
            };
            ProbeResult result = new ProbeResult(parts[0] + results.size(), "host" + results.size() + ".example",
                    "20.0.0." + (results.size() + 1), port, mode, outcome, null, "", Map.of(Phase.TOTAL,
                            Duration.ofMillis(10)), null, Instant.EPOCH, null);
            Expectation expected = port == 25 ? policy.port25() : Expectation.REACHABLE;
            results.add(new ClassifiedResult(result, expected, VerdictClassifier.classify(outcome, expected),
                    port == 25));
        }
        return results;
    }
}
