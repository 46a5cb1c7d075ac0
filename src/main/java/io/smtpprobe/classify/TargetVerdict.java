package io.smtpprobe.classify;

import java.util.List;

/**
 * One configured target judged as a whole (revision 3). A target of one host takes that host's verdict and
 * cause. An {@code mx:} target is a domain, judged as RFC 5321 section 5.1 delivers: its hosts in preference
 * order, the first that takes the session makes the domain deliverable, and the hosts before it are
 * warnings, not the domain's verdict.
 *
 * @param deliverable for an {@code mx:} target, whether one of its hosts took the session; null otherwise
 * @param cause the cause of the refusal that decided the verdict; null when none did
 * @param warnings what the hosts before the one that took the session did ("... refused at connect; mail goes
 *     to ..."); empty otherwise
 */
public record TargetVerdict(String name, Role role, Boolean deliverable, Verdict verdict, Cause cause,
        List<String> warnings) {
    public TargetVerdict {
        warnings = List.copyOf(warnings);
    }
}
