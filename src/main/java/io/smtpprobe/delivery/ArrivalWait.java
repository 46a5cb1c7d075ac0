package io.smtpprobe.delivery;

import java.time.Duration;

/** How the probe waits between two looks into the mailbox. Tests inject one that moves their clock instead. */
@FunctionalInterface
interface ArrivalWait {
    /**
     * Returns when something may have arrived, or after at most {@code bound}.
     *
     * @throws MailboxFailedException when the mailbox connection fails while waiting
     */
    void await(Mailbox mailbox, Duration bound) throws MailboxFailedException, InterruptedException;
}
