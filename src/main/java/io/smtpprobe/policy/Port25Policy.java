package io.smtpprobe.policy;

import java.time.LocalDate;
import java.util.List;

/**
 * What the policy says about TCP/25 to the internet for this VM's subscription.
 *
 * @param offer the offer the subscription was matched to
 * @param created the creation date given, or null when unknown (then on/after the cutoff is assumed)
 * @param exemption whether an exemption is recorded
 * @param port25 the expected state of TCP/25 to internet destinations
 * @param reason a sentence or two of why, for people
 * @param warnings things the operator should check (a misrecorded offer, an ambiguous quotaId)
 * @param source where the offer came from: {@code config}, {@code flag}, {@code azure} or {@code default}
 */
public record Port25Policy(
        Offer offer,
        LocalDate created,
        boolean exemption,
        Expectation port25,
        String reason,
        List<String> warnings,
        String source) {

    public Port25Policy {
        warnings = List.copyOf(warnings);
    }
}
