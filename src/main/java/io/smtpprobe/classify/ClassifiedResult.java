package io.smtpprobe.classify;

import io.smtpprobe.config.AuthConfig;
import io.smtpprobe.policy.Expectation;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.probe.ProbeResult;

/**
 * A probe result with its expectation, verdict and role.
 *
 * @param internet whether the destination is internet-routed (not a private address, or {@code route:
 *     internet}); on port 25 such results are subject to Azure's block and decide the port-25 diagnosis
 * @param auth the target's credentials, or null: advice names where the password came from
 * @param cause why the server refused us, read from its reply (README.md "Reading the verdicts"); null when the outcome is
 *     not a refusal
 * @param mxDomain the domain of an {@code mx:} target, whose hosts are judged together as a domain (revision 3);
 *     null for a target of one host
 */
public record ClassifiedResult(ProbeResult result, Expectation expected, Verdict verdict, boolean internet, Role role,
        AuthConfig auth, Cause cause, String mxDomain) {

    /** Whether Azure's port-25 rule applies to this destination (port 25, internet-routed). */
    public boolean subjectToBlock() {
        return internet && result.port() == PolicyTable.SMTP_PORT;
    }
}
