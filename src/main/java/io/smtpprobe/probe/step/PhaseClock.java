package io.smtpprobe.probe.step;

import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.Ticker;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Times the steps of one probe. Entering a step ends the previous one; a step entered twice (EHLO
 * before and after STARTTLS) adds up. The last step entered stays current after it ends, so that a
 * failure between steps is blamed on the step that just ran.
 */
public final class PhaseClock {
    private final Ticker ticker;
    private final long startNanos;
    private final EnumMap<Phase, Long> nanos = new EnumMap<>(Phase.class);
    private Step current = Step.SETUP;
    private long stepStart = -1;
    /** Time spent before this clock started, counted in the total. */
    private long beforeNanos;

    public PhaseClock(Ticker ticker) {
        this.ticker = ticker;
        this.startNanos = ticker.nanoTime();
    }

    public synchronized void enter(Step step) {
        end();
        current = step;
        stepStart = ticker.nanoTime();
    }

    /**
     * Ends the running step now, from any thread, and keeps it current: a non-blocking connect ends on
     * the connector's thread, not when a probe thread takes up the connected socket.
     */
    public synchronized void endStep() {
        end();
    }

    public synchronized Step current() {
        return current;
    }

    /** The time {@code phase} has taken so far, the running step included. */
    public synchronized Duration elapsed(Phase phase) {
        long running = stepStart >= 0 && current.phase() == phase ? ticker.nanoTime() - stepStart : 0;
        return Duration.ofNanos(nanos.getOrDefault(phase, 0L) + running);
    }

    /**
     * Adds time spent before this clock started on what the probe needed first (the MX and MTA-STS lookups
     * shared by the hosts of an mx: target): to its phase, and to the total, which spans all the phases.
     */
    public synchronized void addBefore(Phase phase, long elapsedNanos) {
        nanos.merge(phase, elapsedNanos, Long::sum);
        beforeNanos += elapsedNanos;
    }

    /** Ends the running step and returns every phase that ran, with {@link Phase#TOTAL}. */
    public synchronized Map<Phase, Duration> finish() {
        end();
        Map<Phase, Duration> phases = new EnumMap<>(Phase.class);
        nanos.forEach((phase, value) -> phases.put(phase, Duration.ofNanos(value)));
        phases.put(Phase.TOTAL, Duration.ofNanos(ticker.nanoTime() - startNanos + beforeNanos));
        return phases;
    }

    private void end() {
        if (stepStart >= 0 && current.phase() != null) {
            nanos.merge(current.phase(), ticker.nanoTime() - stepStart, Long::sum);
        }
        stepStart = -1;
    }
}
