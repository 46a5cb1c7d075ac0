package io.smtpprobe.delivery;

import io.smtpprobe.probe.DaemonThreads;
import jakarta.mail.MessagingException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Waits with IDLE where the server offers it (RFC 2177: the server says EXISTS when the message lands), polling
 * otherwise. An IDLE is ended at its bound by touching the folder from the timer thread, again and again until it
 * is over: Angus Mail's IMAPFolder sends DONE before any other command on an idling connection.
 */
final class MailboxWait implements ArrivalWait, AutoCloseable {
    /** Between two looks without IDLE. */
    static final Duration POLL = Duration.ofSeconds(10);
    /**
     * RFC 2177 section 3: a client re-issues IDLE at least every 29 minutes; we do every minute, which also bounds
     * how late a message is seen that lands in the instant between the NOOP before an IDLE and the IDLE.
     */
    static final Duration MAX_IDLE = Duration.ofMinutes(1);
    /**
     * A wake that comes before the IDLE has begun touches a folder that is not idling and is lost (the IDLE would run
     * until the server next speaks: Dovecot waits 2 minutes), so it comes again this often until the IDLE is over.
     */
    static final Duration WAKE_AGAIN = Duration.ofMillis(200);

    private final ScheduledExecutorService timer;

    MailboxWait() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                DaemonThreads.named("smtp-probe-delivery-idle"));
        executor.setRemoveOnCancelPolicy(true);
        this.timer = executor;
    }

    @Override
    public void await(Mailbox mailbox, Duration bound) throws MailboxFailedException, InterruptedException {
        if (!mailbox.offersIdle()) {
            Thread.sleep(Math.max(1, Math.min(bound.toMillis(), POLL.toMillis())));
            return;
        }
        if (mailbox.changedSinceLastLook()) {
            return;
        }
        // Rounded up: a bound cut short by its nanoseconds would leave a sliver for one more wait.
        long millis = Math.max(1, Math.min((bound.toNanos() + 999_999) / 1_000_000, MAX_IDLE.toMillis()));
        ScheduledFuture<?> wake = timer.scheduleWithFixedDelay(() -> touch(mailbox), millis, WAKE_AGAIN.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            mailbox.folder().idle(true);
        } catch (MessagingException e) {
            throw new MailboxFailedException("IMAP IDLE failed: " + e.getMessage(), e);
        } finally {
            wake.cancel(false);
        }
    }

    private static void touch(Mailbox mailbox) {
        try {
            mailbox.folder().getMessageCount();
        } catch (MessagingException e) {
            // The waiting thread sees the broken connection at its next look and reports it.
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
