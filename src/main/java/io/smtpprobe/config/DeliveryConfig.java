package io.smtpprobe.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One delivery target ({@code mode: delivery}): a small message sent through a relay target of the same file
 * and looked for in a mailbox over IMAPS. Normalised at load: nothing downstream supplies a default.
 *
 * @param name unique among all targets, the {@code target} label
 * @param relay the name of the submission or smtps target the message is sent through
 * @param mailFrom the envelope sender and From: of the probe message
 * @param rcptTo the recipient, whose mailbox {@code mailbox} reads
 * @param interval at most one message per interval, also across reloads and restarts (see {@code stateFile})
 * @param deliveryTimeout how long the probe looks for its message before it reports {@code not_delivered}
 * @param stateFile where the time of the last message sent is kept
 */
public record DeliveryConfig(String name, String relay, String mailFrom, String rcptTo, MailboxConfig mailbox,
        Duration interval, Duration deliveryTimeout, Path stateFile) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(15);
    public static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofMinutes(5);
    /** The systemd unit's StateDirectory=; systemd also says it in {@code $STATE_DIRECTORY}. */
    public static final String DEFAULT_STATE_DIRECTORY = "/var/lib/smtp-probe";
}
