package io.smtpprobe.engine;

import io.smtpprobe.config.ProbeConfig;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.Prober;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * Probes every target on its own schedule.
 *
 * <ul>
 *   <li>Target {@code t}'s k-th probe is due at {@code start + k * interval + jitter_k}, each {@code jitter_k}
 *       drawn anew in {@code [0, probe.jitter)}: the first probes of a fleet, and every later round, are
 *       spread so that VMs do not hit the same MX in the same second. The schedule never drifts with
 *       how long probes take, nor with a timer that ran a slot late (a start-up, a long pause): the next
 *       slot is counted from when this one was due, not from when it ran. Slots a pause longer than an
 *       interval passed over are skipped, not made up in a burst.</li>
 *   <li>A target is never probed twice at once: a slot that comes due while its previous probe still
 *       runs is skipped.</li>
 *   <li>At most {@code probe.concurrency} probes hold a probe thread at once (to resolve, set up, or
 *       converse); the rest wait for one in arrival order. A probe waiting for a TCP handshake holds no
 *       thread ({@link Prober#probe(TargetConfig, Executor)}), so up to {@link #MAX_IN_FLIGHT} probes
 *       are in flight together; beyond that they wait to start. No thread blocks waiting for a permit.</li>
 *   <li>A probe that has not returned {@link #OVERRUN_GRACE} after its deadline (an MX target's: one per
 *       host plus one for the MX lookup), counted from when it first got a thread, is abandoned: recorded
 *       as {@code deadline_exceeded}, its thread interrupted, its thread permit given to the next waiting
 *       probe, and whatever it returns later discarded. It never delays the others.</li>
 * </ul>
 */
public final class ProbeScheduler {
    /** How long past its own deadline a probe may take before it is abandoned. */
    public static final Duration OVERRUN_GRACE = Duration.ofSeconds(1);

    /**
     * How many probes may be in flight at once, threads or not. Each holds at most one socket (one
     * descriptor; the JVM raises its soft descriptor limit to the hard one, 524288 under systemd), so
     * this is generous: a round of 1000 targets starts every connect at once, and a configuration far
     * beyond anything a VM should probe still has a bound.
     */
    public static final int MAX_IN_FLIGHT = 4096;

    /** Receives the results of each finished (or abandoned) probe of a target, on a probe or timer thread. */
    @FunctionalInterface
    public interface ResultSink {
        void accept(TargetConfig target, List<ProbeResult> results);
    }

    private final TaskScheduler timer;
    private final ProbeRunner runner;
    private final RandomGenerator random;

    /** Guards the calendar below; taken before the runner's lock, never after it. */
    private final Object lock = new Object();
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private ProbeConfig settings;
    private boolean stopped;

    /** A target's place in the calendar: when it is next due. Its probe's state is the runner's. */
    private static final class Slot {
        final TargetProbe probe;
        /** When this round's slot is due without its jitter, on the timer's time line ({@code start + k * interval}). */
        long base;
        TaskScheduler.Cancellable next;

        Slot(TargetProbe probe) {
            this.probe = probe;
        }

        void cancelNext() {
            if (next != null) {
                next.cancel();
            }
        }
    }

    public ProbeScheduler(TaskScheduler timer, Executor probeThreads, Clock clock, RandomGenerator random,
            ResultSink sink, EventLog log) {
        this(timer, probeThreads, clock, random, sink, log, MAX_IN_FLIGHT);
    }

    /** @param maxInFlight see {@link #MAX_IN_FLIGHT}; lower only in tests */
    ProbeScheduler(TaskScheduler timer, Executor probeThreads, Clock clock, RandomGenerator random,
            ResultSink sink, EventLog log, int maxInFlight) {
        this.timer = Objects.requireNonNull(timer, "timer");
        this.random = Objects.requireNonNull(random, "random");
        this.runner = new ProbeRunner(timer, Objects.requireNonNull(probeThreads, "probeThreads"),
                Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(sink, "sink"),
                Objects.requireNonNull(log, "log"), maxInFlight);
    }

    /**
     * Starts, or after a reload changes, what is probed and how. New targets are first probed within
     * {@code probe.jitter} from now; removed ones stop at once (a probe of theirs in flight finishes,
     * and its result is dropped); a target whose configuration changed is probed afresh as soon as
     * its previous probe, if any, has ended. Unchanged targets keep their schedule.
     */
    public void apply(ProbeConfig probeConfig, Prober newProber, List<TargetConfig> targets) {
        Objects.requireNonNull(probeConfig, "probeConfig");
        Objects.requireNonNull(newProber, "newProber");
        synchronized (lock) {
            if (stopped) {
                return; // a reload that finished after shutdown began: nothing more is probed
            }
            settings = probeConfig;
            Map<String, TargetConfig> wanted = new LinkedHashMap<>();
            targets.forEach(t -> wanted.put(t.name(), t));
            slots.values().removeIf(slot -> {
                if (wanted.containsKey(slot.probe.target().name())) {
                    return false;
                }
                slot.cancelNext();
                runner.remove(slot.probe);
                return true;
            });
            for (TargetConfig target : wanted.values()) {
                Slot slot = slots.get(target.name());
                if (slot == null) {
                    slot = new Slot(new TargetProbe(target));
                    slots.put(target.name(), slot);
                    scheduleFirst(slot);
                } else if (!slot.probe.target().equals(target)) {
                    slot.cancelNext();
                    if (runner.reconfigure(slot.probe, target)) {
                        // Probed anew as soon as the old probe has ended, then on the usual cadence.
                        scheduleAt(slot, timer.nanoTime() + settings.interval().toNanos());
                    } else {
                        scheduleFirst(slot);
                    }
                }
            }
            // Last, so that probes it starts from the queue are of targets still configured.
            runner.configure(newProber, probeConfig);
        }
    }

    /** Stops scheduling: no new probe starts. Probes in flight carry on; see {@link #awaitInFlight}. */
    public void stop() {
        synchronized (lock) {
            stopped = true;
            slots.values().forEach(Slot::cancelNext);
            runner.stop(slots.values().stream().map(slot -> slot.probe).toList());
        }
    }

    /**
     * Waits in real time until no probe is in flight and every ended probe's result is recorded, or
     * {@code max} has passed, then interrupts the probes still running. For shutdown: each probe ends by
     * its own deadline, so waiting for the probe timeout is enough for every well-behaved probe.
     *
     * @return whether every probe ended in time
     */
    public boolean awaitInFlight(Duration max) throws InterruptedException {
        return runner.awaitInFlight(max);
    }

    /** Probes started and not yet ended, with or without a thread (abandoned ones excluded). */
    public int inFlight() {
        return runner.inFlight();
    }

    /** Probes holding a probe thread now: at most {@code probe.concurrency}. */
    public int onThreads() {
        return runner.onThreads();
    }

    /** Probes waiting for a probe thread, or to start while {@link #MAX_IN_FLIGHT} are in flight. */
    public int waiting() {
        return runner.waiting();
    }

    private Duration jitter() {
        // More jitter than an interval would let two probes of one target come due together.
        long bound = Math.min(settings.jitter().toNanos(), settings.interval().toNanos());
        return bound <= 0 ? Duration.ZERO : Duration.ofNanos(random.nextLong(bound));
    }

    private void scheduleFirst(Slot slot) {
        scheduleAt(slot, timer.nanoTime());
    }

    /** Schedules the slot of the round whose base is {@code base}, at a fresh offset into the jitter window. */
    private void scheduleAt(Slot slot, long base) {
        slot.base = base;
        long at = base + jitter().toNanos();
        slot.next = timer.schedule(Duration.ofNanos(at - timer.nanoTime()), () -> due(slot));
    }

    private void due(Slot slot) {
        synchronized (lock) {
            if (stopped || slots.get(slot.probe.target().name()) != slot) {
                return; // stopped, or removed after the timer had fired
            }
            // The next round's base is this one's plus an interval, whenever this one ran: the schedule never
            // drifts with a late timer and never depends on the wall clock. A pause that passed over whole
            // rounds skips them: the next base is the first one not already past.
            long interval = settings.interval().toNanos();
            long next = slot.base + interval;
            long now = timer.nanoTime();
            if (next < now && interval > 0) {
                next += (now - next + interval - 1) / interval * interval;
            }
            scheduleAt(slot, next);
            runner.due(slot.probe);
        }
    }

    /** Names of the targets being probed. */
    public Collection<String> targetNames() {
        synchronized (lock) {
            return new ArrayList<>(slots.keySet());
        }
    }
}
