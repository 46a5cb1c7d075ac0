package io.smtpprobe.delivery;

import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.config.DeliveryConfig;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.Prober;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.probe.tls.TlsContexts;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One delivery probe, read top to bottom: not within the interval of the last message; the relay's own check
 * passes; the mailbox opens; the message goes out through the relay; the mailbox is looked into until it is there
 * or {@code delivery_timeout} has passed; the probe's messages are deleted. Never throws for anything the network,
 * the relay or the mailbox does: each failure is a {@link DeliveryOutcome}.
 */
public final class DeliveryProbe implements AutoCloseable {
    private final Prober relayProber;
    private final Clock clock;
    private final Ticker ticker;
    private final Duration timeout;
    private final TlsContexts tls = new TlsContexts();
    private final Submission submission;
    private final ArrivalWait wait;
    private final AutoCloseable waitResources;

    /**
     * @param relayProber runs the relay target's own check before anything is sent
     * @param timeout each network step's timeout (the config's {@code probe.timeout})
     * @param heloName the name the submission says in EHLO
     */
    public DeliveryProbe(Prober relayProber, Clock clock, Ticker ticker, Duration timeout, String heloName) {
        this(relayProber, clock, ticker, timeout, heloName, new MailboxWait());
    }

    DeliveryProbe(Prober relayProber, Clock clock, Ticker ticker, Duration timeout, String heloName, ArrivalWait wait) {
        this.relayProber = relayProber;
        this.clock = clock;
        this.ticker = ticker;
        this.timeout = timeout;
        this.submission = new Submission(tls, timeout, heloName);
        this.wait = wait;
        this.waitResources = wait instanceof AutoCloseable closeable ? closeable : () -> { };
    }

    /** When the next message may be sent: now when none was, else one interval after the last. */
    public Instant nextDue(DeliveryConfig delivery) {
        Instant last = new SendLedger(delivery.stateFile()).lastSent();
        return last == null ? clock.instant() : last.plus(delivery.interval());
    }

    public DeliveryResult run(DeliveryConfig delivery, TargetConfig relay) {
        Instant started = clock.instant();
        SendLedger ledger = new SendLedger(delivery.stateFile());
        Instant last = ledger.lastSent();
        if (last != null && started.isBefore(last.plus(delivery.interval()))) {
            return result(delivery, DeliveryOutcome.NOT_DUE, null, null, "a probe message was sent at " + last
                    + " (" + ledger.file() + "); the next is due at " + last.plus(delivery.interval()) + ", one interval ("
                    + ConfigLoader.formatDuration(delivery.interval()) + ") later; nothing was sent", null, started);
        }
        List<ProbeResult> relayResults = relayProber.probe(relay);
        ProbeResult failed = relayResults.stream().filter(r -> r.outcome() != Outcome.OK).findFirst().orElse(null);
        if (failed != null || relayResults.isEmpty()) {
            Outcome outcome = failed == null ? Outcome.ERROR : failed.outcome();
            return result(delivery, DeliveryOutcome.SUBMIT_FAILED, outcome, failed == null ? null : failed.reply(),
                    "the relay " + relay.name() + "'s own check failed with " + outcome.label()
                            + (failed == null || failed.detail() == null ? "" : " (" + failed.detail() + ")")
                            + "; nothing was sent", null, started);
        }
        try (Mailbox mailbox = Mailbox.open(delivery.mailbox(), tls, timeout)) {
            return sendAndFind(delivery, relay, mailbox, ledger, started);
        } catch (MailboxFailedException e) {
            return result(delivery, DeliveryOutcome.MAILBOX_FAILED, null, null, e.getMessage() + "; nothing was sent",
                    null, started);
        }
    }

    private DeliveryResult sendAndFind(DeliveryConfig delivery, TargetConfig relay, Mailbox mailbox, SendLedger ledger,
            Instant started) {
        String token = ProbeMessage.newToken();
        Instant sent = clock.instant();
        try {
            ledger.record(sent);
        } catch (IOException e) {
            return result(delivery, DeliveryOutcome.SUBMIT_FAILED, null, null, "cannot record the send in "
                    + ledger.file() + " (" + e + "), which keeps to one message per interval across restarts;"
                    + " nothing was sent; make its directory writable for the agent or set state_file", null, started);
        }
        try {
            submission.send(relay, delivery.mailFrom(), delivery.rcptTo(), delivery.name(), token, sent);
        } catch (Submission.Refused e) {
            return result(delivery, DeliveryOutcome.SUBMIT_FAILED, e.outcome(), e.reply(), e.getMessage(), null,
                    started);
        }
        long submitted = ticker.nanoTime();
        try {
            while (true) {
                if (mailbox.takeProbeMessages(token, sent)) {
                    return result(delivery, DeliveryOutcome.DELIVERED, Outcome.OK, null, "found in "
                            + delivery.mailbox().folder() + " of " + delivery.mailbox().username()
                            + " and deleted", Duration.ofNanos(ticker.nanoTime() - submitted), started);
                }
                Duration left = delivery.deliveryTimeout().minusNanos(ticker.nanoTime() - submitted);
                if (left.isNegative() || left.isZero()) {
                    return result(delivery, DeliveryOutcome.NOT_DELIVERED, Outcome.OK, null, "the relay "
                            + relay.name() + " accepted the message, but it was not in " + delivery.mailbox().folder()
                            + " of " + delivery.mailbox().username() + " after "
                            + ConfigLoader.formatDuration(delivery.deliveryTimeout()) + " (delivery_timeout)", null,
                            started);
                }
                wait.await(mailbox, left);
            }
        } catch (MailboxFailedException e) {
            return result(delivery, DeliveryOutcome.MAILBOX_FAILED, Outcome.OK, null, "the message was sent, but "
                    + e.getMessage(), null, started);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return result(delivery, DeliveryOutcome.NOT_DELIVERED, Outcome.OK, null, "the agent stopped while"
                    + " waiting for the message", null, started);
        }
    }

    private static DeliveryResult result(DeliveryConfig delivery, DeliveryOutcome outcome, Outcome relayOutcome,
            String reply, String detail, Duration arrival, Instant started) {
        return new DeliveryResult(delivery.name(), delivery.relay(), outcome, relayOutcome, reply, detail, arrival,
                started);
    }

    @Override
    public void close() {
        try {
            waitResources.close();
        } catch (Exception e) {
            // Only a timer thread to stop; nothing to report.
        }
    }
}
