package io.smtpprobe.probe.mtasts;

import io.smtpprobe.probe.Outcome;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a domain's MTA-STS policy (RFC 8461) means for one of its MX hosts: whether a sender that
 * honours it requires TLS with a verified certificate there, and what the probe's detail should say.
 *
 * @param enforced the policy is in enforce mode and lists this host
 * @param summary what to add to the detail, or empty
 * @param ifTlsFails what to add instead when TLS failed or was missing, or empty
 */
public record MtaStsVerdict(boolean enforced, String summary, String ifTlsFails) {
    /** No policy, or a target that is not an {@code mx:} domain. */
    public static final MtaStsVerdict NONE = new MtaStsVerdict(false, "", "");

    private static final Set<Outcome> TLS_FAILURES =
            EnumSet.of(Outcome.STARTTLS_UNAVAILABLE, Outcome.TLS_HANDSHAKE_FAILED, Outcome.TLS_CERTIFICATE_INVALID);

    /** The text to append to a probe's detail ("; ..."), given how the probe ended. */
    public String note(Outcome outcome) {
        boolean tlsFailed = TLS_FAILURES.contains(outcome);
        String text = tlsFailed && !ifTlsFails.isEmpty() ? ifTlsFails : summary;
        return text.isEmpty() ? "" : "; " + text;
    }
}
