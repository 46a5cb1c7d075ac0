package io.smtpprobe.engine;

import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.Prober;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs the probes {@link ProbeScheduler} starts, from start to recorded result: hands their work to the
 * probe threads under {@code probe.concurrency} permits, abandons those that overrun, and counts what
 * is in flight. Shares the scheduler's lock, which guards every {@link TargetSlot}.
 */
final class ProbeRunner {
    private final Object lock;
    private final TaskScheduler timer;
    private final ThreadPermits threads;
    private final Clock clock;
    private final ProbeScheduler.ResultSink sink;
    private final EventLog log;
    /** Told, under the lock, when a slot's probe has ended or been abandoned: the scheduler may start more. */
    private final Consumer<TargetSlot> ended;

    /** Probes started and not yet ended (abandoned ones excluded). */
    private int inFlight;
    /** Results of ended probes being recorded right now: shutdown waits for them too. */
    private int recording;
    private long runs;

    ProbeRunner(Object lock, TaskScheduler timer, Executor probeThreads, Clock clock, ProbeScheduler.ResultSink sink,
            EventLog log, Consumer<TargetSlot> ended) {
        this.lock = lock;
        this.timer = timer;
        this.threads = new ThreadPermits(probeThreads);
        this.clock = clock;
        this.sink = sink;
        this.log = log;
        this.ended = ended;
    }

    /** How many probes may hold a thread at once. */
    void concurrency(int permits) {
        threads.limit(permits);
    }

    /** Under the lock. */
    int inFlight() {
        return inFlight;
    }

    int onThreads() {
        return threads.running();
    }

    int waitingForThreads() {
        return threads.queued();
    }

    /** See {@link ProbeScheduler#awaitInFlight}; {@code slots} are the scheduler's, for the interrupts. */
    boolean awaitInFlight(Duration max, Collection<TargetSlot> slots) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (lock) {
            while (inFlight > 0 || recording > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    slots.stream().filter(s -> s.state == TargetSlot.State.RUNNING && s.thread != null)
                            .forEach(s -> s.thread.interrupt());
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Starts a probe of the slot's target with {@code prober}, its deadline {@code timeout}. Under the lock. */
    void start(TargetSlot slot, Prober prober, Duration timeout) {
        inFlight++;
        slot.state = TargetSlot.State.RUNNING;
        slot.startWhenIdle = false;
        slot.run = ++runs;
        slot.begun = false;
        slot.startedAt = clock.instant();
        long run = slot.run;
        long generation = slot.generation;
        TargetConfig target = slot.target;
        log.debug("probe started", "target", target.name(), "in_flight", inFlight);
        AtomicBoolean begun = new AtomicBoolean();
        CompletableFuture<List<ProbeResult>> probe;
        try {
            probe = prober.probe(target,
                    task -> threads.execute(new Stage(slot, run, generation, timeout, begun, task)));
        } catch (RuntimeException | Error e) {
            probe = CompletableFuture.failedFuture(e);
        }
        probe.whenComplete((results, failure) -> finished(slot, run, generation, target,
                failure == null ? results : internalError(slot, target, failure)));
    }

    /**
     * One piece of a probe's work (resolving, setting up, conversing), run holding a thread permit. The
     * first piece's permit starts the overrun watchdog: a probe's deadline runs from when it has a thread,
     * not from when it began waiting for one.
     */
    private final class Stage implements ThreadPermits.Job {
        private final TargetSlot slot;
        private final long run;
        private final long generation;
        private final Duration timeout;
        private final AtomicBoolean begun;
        private final Runnable task;
        private final boolean continuing;
        private boolean dropped;

        Stage(TargetSlot slot, long run, long generation, Duration timeout, AtomicBoolean begun, Runnable task) {
            this.slot = slot;
            this.run = run;
            this.generation = generation;
            this.timeout = timeout;
            this.begun = begun;
            this.task = task;
            this.continuing = begun.get();
        }

        @Override
        public boolean continuing() {
            return continuing;
        }

        @Override
        public void granted(ThreadPermits.Permit permit) {
            synchronized (lock) {
                boolean current = slot.run == run && slot.state == TargetSlot.State.RUNNING;
                if (!begun.get()) {
                    if (!current) {
                        // Cancelled (stop, removal) before it began: nothing of it ran, so nothing needs to end.
                        dropped = true;
                        return;
                    }
                    begun.set(true);
                    slot.begun = true;
                    Duration budget = slot.budget(timeout);
                    Duration limit = budget.plus(ProbeScheduler.OVERRUN_GRACE);
                    slot.watchdog = timer.schedule(limit, () -> overran(slot, run, generation, budget, limit));
                }
                if (current) {
                    // Known from now, so that abandoning the probe frees it even before a thread takes the work up.
                    slot.permit = permit;
                }
            }
        }

        @Override
        public void run(ThreadPermits.Permit permit) {
            boolean abandoned = false;
            synchronized (lock) {
                if (dropped) {
                    return;
                }
                if (slot.run == run && slot.state == TargetSlot.State.RUNNING) {
                    slot.thread = Thread.currentThread();
                    slot.permit = permit;
                }
                abandoned = slot.run == run && slot.state == TargetSlot.State.ABANDONED;
            }
            if (abandoned) {
                // Its thread would have been interrupted had it had one: what is left of it ends at once.
                Thread.currentThread().interrupt();
            }
            try {
                task.run();
            } finally {
                synchronized (lock) {
                    if (slot.thread == Thread.currentThread()) {
                        slot.thread = null;
                    }
                    if (slot.permit == permit) {
                        slot.permit = null;
                    }
                }
                Thread.interrupted(); // an interrupt meant for this probe must not leak into the pool's next task
            }
        }
    }

    private List<ProbeResult> internalError(TargetSlot slot, TargetConfig target, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        // The prober promises never to throw; if it does, that is our bug, reported as such.
        log.error("probe failed with an internal error", "target", target.name(), "error",
                cause.getClass().getName(), "message", cause.getMessage());
        synchronized (lock) {
            return List.of(slot.synthetic(Outcome.ERROR, "internal error: " + cause.getClass().getSimpleName(), clock));
        }
    }

    private void finished(TargetSlot slot, long run, long generation, TargetConfig target, List<ProbeResult> results) {
        boolean record;
        synchronized (lock) {
            if (slot.run != run) {
                return;
            }
            // The permit of the piece that completed the probe stays with it: recording only hands the results to
            // the recorder's thread, so this thread takes the next waiting probe up at once (ThreadPermits.runFrom).
            // Giving it back here made the pool start a thread per probe while this one was still finishing.
            slot.thread = null;
            slot.permit = null;
            if (slot.state == TargetSlot.State.ABANDONED) {
                log.info("abandoned probe returned late; its result was discarded", "target", target.name());
                slot.state = TargetSlot.State.IDLE;
                ended.accept(slot);
                return;
            }
            if (slot.watchdog != null) {
                slot.watchdog.cancel();
                slot.watchdog = null;
            }
            slot.state = TargetSlot.State.IDLE;
            inFlight--;
            record = !slot.removed && slot.generation == generation;
            if (record) {
                slot.lastResults = results;
            }
            ended.accept(slot);
            if (record) {
                recording++;
            }
        }
        if (record) {
            deliver(target, results);
        } else {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    /** Ends a probe that has not yet had a thread: nothing of it ran, so there is nothing to wait for. */
    void cancelIfNotBegun(TargetSlot slot) {
        if (slot.state == TargetSlot.State.RUNNING && !slot.begun) {
            slot.state = TargetSlot.State.IDLE;
            slot.run = ++runs;
            inFlight--;
        }
    }

    /** Hands results to the sink outside the lock; {@code recording} was counted up under it. */
    private void deliver(TargetConfig target, List<ProbeResult> results) {
        try {
            sink.accept(target, results);
        } finally {
            synchronized (lock) {
                recording--;
                lock.notifyAll();
            }
        }
    }

    private void overran(TargetSlot slot, long run, long generation, Duration budget, Duration limit) {
        List<ProbeResult> results;
        TargetConfig target;
        synchronized (lock) {
            if (slot.run != run || slot.state != TargetSlot.State.RUNNING) {
                return;
            }
            slot.state = TargetSlot.State.ABANDONED;
            slot.watchdog = null;
            inFlight--;
            if (slot.thread != null) {
                slot.thread.interrupt();
                slot.thread = null;
            }
            if (slot.permit != null) {
                slot.permit.release();
                slot.permit = null;
            }
            target = slot.target;
            results = slot.abandoned(budget, limit, clock);
            boolean record = !slot.removed && slot.generation == generation;
            if (record) {
                slot.lastResults = results;
            }
            ended.accept(slot);
            lock.notifyAll();
            if (!record) {
                return;
            }
            recording++;
        }
        log.warn("probe overran its deadline and was abandoned", "target", target.name(),
                "deadline", budget);
        deliver(target, results);
    }
}
