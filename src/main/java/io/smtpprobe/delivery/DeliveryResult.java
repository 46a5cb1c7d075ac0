package io.smtpprobe.delivery;

import io.smtpprobe.probe.Outcome;
import java.time.Duration;
import java.time.Instant;

/**
 * What one delivery probe found.
 *
 * @param target the delivery target's name
 * @param relay the relay target the message was sent through
 * @param outcome how it ended
 * @param relayOutcome the relay check's or the submission's outcome in the relay's vocabulary; null when the relay
 *     was not reached (mailbox_failed, not_due) or refused the message after DATA, which that vocabulary has no name for
 * @param reply the relay's or the IMAP server's last reply line, or null
 * @param detail what happened, for a person
 * @param arrival submission to arrival, only when delivered
 * @param startedAt when the probe started
 */
public record DeliveryResult(String target, String relay, DeliveryOutcome outcome, Outcome relayOutcome, String reply,
        String detail, Duration arrival, Instant startedAt) {

    /** Submission to arrival in seconds, or null when nothing arrived. */
    public Double arrivalSeconds() {
        return arrival == null ? null : arrival.toNanos() / 1e9;
    }

    public boolean delivered() {
        return outcome == DeliveryOutcome.DELIVERED;
    }
}
