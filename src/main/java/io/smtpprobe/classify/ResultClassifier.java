package io.smtpprobe.classify;

import io.smtpprobe.config.Mode;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.Expectation;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.IpLiteral;
import io.smtpprobe.probe.ProbeResult;
import java.net.InetAddress;

/** Gives a probe result its expectation (from policy, destination and config), its verdict and its role. */
public final class ResultClassifier {
    private ResultClassifier() {}

    public static ClassifiedResult classify(Port25Policy policy, TargetConfig target, ProbeResult result) {
        InetAddress address = literal(result.address());
        boolean internet = PolicyTable.subjectToBlock(target.route(), address);
        Expectation expected =
                PolicyTable.expectationFor(policy, target.expect(), target.route(), result.port(), address);
        Verdict verdict = VerdictClassifier.classify(result.outcome(), result.replyCode(), expected);
        return new ClassifiedResult(result, expected, verdict, internet, role(target, internet), target.auth(),
                RefusalReader.cause(result.outcome(), result.reply()), target.mx());
    }

    /**
     * The configured role, or the guess of README.md "Reading the verdicts": an {@code mx:} target is mx, {@code tcp}
     * a control, submission and smtps relays, and {@code smtp} to a private destination a smarthost
     * (relay), to any other an mx. A host that did not resolve counts as internet-routed, as for the
     * port-25 rule, unless {@code route: private} says otherwise.
     */
    static Role role(TargetConfig target, boolean internet) {
        return switch (target.role()) {
            case MX -> Role.MX;
            case RELAY -> Role.RELAY;
            case CONTROL -> Role.CONTROL;
            case AUTO -> target.mx() != null ? Role.MX : guess(target.mode(), internet);
        };
    }

    private static Role guess(Mode mode, boolean internet) {
        return switch (mode) {
            case TCP -> Role.CONTROL;
            case SUBMISSION, SMTPS -> Role.RELAY;
            case SMTP -> internet ? Role.MX : Role.RELAY;
        };
    }

    /** Parses an IP literal without any name lookup; null when there is no address. */
    private static InetAddress literal(String address) {
        if (address == null || address.isEmpty()) {
            return null;
        }
        try {
            // An IP literal is parsed, never looked up; the probe only ever records literals here.
            return IpLiteral.parse(address).orElse(null);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
