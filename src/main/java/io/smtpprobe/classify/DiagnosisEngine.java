package io.smtpprobe.classify;

import io.smtpprobe.policy.Expectation;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Outcome;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a whole round of results into one diagnosis for the VM: the precedence table of README.md
 * "Reading the verdicts", read top to bottom, the first rule that holds wins. The wording of each finding lives in
 * {@link Findings} and {@link ServiceFindings}.
 */
public final class DiagnosisEngine {
    private DiagnosisEngine() {}

    /**
     * @param invocation how this round's targets were chosen, so that recommended commands run as printed
     */
    public static Finding diagnose(Port25Policy policy, List<ClassifiedResult> results, CheckInvocation invocation) {
        // Revision 3: an mx: target is a domain. Where one of its hosts took the session, the hosts before it are
        // what a sender meets and passes over, so they are warnings in the explanation, never evidence of a block,
        // of mixed results or of receivers refusing.
        List<TargetVerdict> targets = TargetJudge.judge(results);
        Set<String> deliverable = targets.stream().filter(t -> Boolean.TRUE.equals(t.deliverable()))
                .map(TargetVerdict::name).collect(Collectors.toSet());
        List<ClassifiedResult> judged = results.stream()
                .filter(r -> !deliverable.contains(r.result().target()) || TargetJudge.tookTheSession(r)).toList();
        Finding finding = diagnoseHosts(policy, judged, invocation);
        List<String> warnings = targets.stream().flatMap(t -> t.warnings().stream()).toList();
        return warnings.isEmpty() ? finding : new Finding(finding.diagnosis(),
                finding.explanation() + " Note: " + String.join("; ", warnings) + ".", finding.action());
    }

    private static Finding diagnoseHosts(Port25Policy policy, List<ClassifiedResult> results,
            CheckInvocation invocation) {
        Evidence evidence = new Evidence(results);
        Findings findings = new Findings(policy, invocation, evidence);
        if (evidence.dnsUnavailable()) {
            return findings.dnsUnavailable();
        }
        if (evidence.noEgress()) {
            return findings.noEgress();
        }
        // Port 25 dropped while policy says open: with other ports answering, or with only port-25
        // evidence (then the finding says no control was probed).
        if (evidence.port25Dropped() && evidence.port25Expects(Expectation.REACHABLE)) {
            return findings.blockedUnexpectedly();
        }
        // r3: an RST from every MX domain while another port connects is a firewall that rejects port 25.
        boolean resetEverywhere = evidence.port25ResetEverywhere();
        if (resetEverywhere && evidence.port25Expects(Expectation.REACHABLE)) {
            return findings.resetUnexpectedly();
        }
        List<ClassifiedResult> open = evidence.port25.stream()
                .filter(r -> r.verdict() == Verdict.UNEXPECTEDLY_OPEN).toList();
        if (!open.isEmpty()) {
            return findings.openUnexpectedly(open);
        }
        ServiceFindings services = new ServiceFindings(invocation);
        List<ClassifiedResult> failingRelays = evidence.select(r -> r.role() == Role.RELAY
                && r.result().outcome() != Outcome.OK && r.verdict() != Verdict.AS_EXPECTED);
        if (!failingRelays.isEmpty()) {
            return services.relayFailing(failingRelays);
        }
        if (resetEverywhere && evidence.port25Expects(Expectation.BLOCKED)) {
            return findings.resetAsExpected();
        }
        List<ClassifiedResult> refusing = evidence.select(r -> r.role() == Role.MX
                && (r.verdict() == Verdict.RECEIVER_REJECTED || r.verdict() == Verdict.RECEIVER_UNAVAILABLE));
        if (!refusing.isEmpty() && refusing.stream().allMatch(r -> r.cause() != null && r.cause().aboutProbeAddresses())) {
            return services.probeMisconfigured(refusing);
        }
        if (!refusing.isEmpty()) {
            return services.receiversRejecting(refusing);
        }
        if (evidence.port25Mixed()) {
            return findings.mixed();
        }
        if (evidence.port25.isEmpty()) {
            return findings.insufficientData();
        }
        if (evidence.port25Expects(Expectation.UNKNOWN)) {
            return findings.offerUnknown();
        }
        // Dropped everywhere and expected so, or an RST where a block was expected: still not through.
        boolean notThrough = evidence.port25Dropped() || !evidence.port25Expects(Expectation.REACHABLE);
        return notThrough ? findings.blockedAsExpected() : findings.openAsExpected();
    }
}
