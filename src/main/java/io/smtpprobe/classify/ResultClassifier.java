package io.smtpprobe.classify;

import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.Expectation;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.IpLiteral;
import io.smtpprobe.probe.ProbeResult;
import java.net.InetAddress;

/** Gives a probe result its expectation (from policy, destination and config) and its verdict. */
public final class ResultClassifier {
    private ResultClassifier() {}

    public static ClassifiedResult classify(Port25Policy policy, TargetConfig target, ProbeResult result) {
        InetAddress address = literal(result.address());
        boolean subject = result.port() == PolicyTable.SMTP_PORT && PolicyTable.subjectToBlock(target.route(), address);
        Expectation expected =
                PolicyTable.expectationFor(policy, target.expect(), target.route(), result.port(), address);
        return new ClassifiedResult(result, expected, VerdictClassifier.classify(result.outcome(), expected), subject);
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
