package io.smtpprobe.engine;

import io.smtpprobe.config.ProbeConfig;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.Prober;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Runs the probes of the targets {@link ProbeScheduler} says are due, from start to recorded result:
 * starts them (or queues them while {@link #maxInFlight} are in flight), hands their work to the probe
 * threads under {@code probe.concurrency} permits, abandons those that overrun, and hands results to the
 * sink. Owns the one lock every {@link TargetProbe} is changed under, and calls nothing of the
 * scheduler: the scheduler holds its own lock when it calls in here, never the other way round.
 */
final class ProbeRunner {
    private final Object lock = new Object();
    private final TaskScheduler timer;
    private final ThreadPermits threads;
    private final Clock clock;
    private final ProbeScheduler.ResultSink sink;
    private final EventLog log;
    private final int maxInFlight;

    /** Probes started and not yet ended (abandoned ones excluded). */
    private final Set<TargetProbe> inFlight = new LinkedHashSet<>();
    /** Probes due while {@link #maxInFlight} were in flight, in arrival order. */
    private final Deque<TargetProbe> queued = new ArrayDeque<>();
    /** Results of ended probes being handed to the sink right now: shutdown waits for them too. */
    private int recording;
    private Prober prober;
    private Duration timeout;
    private boolean stopped;

    ProbeRunner(TaskScheduler timer, Executor probeThreads, Clock clock, ProbeScheduler.ResultSink sink, EventLog log,
            int maxInFlight) {
        this.timer = timer;
        this.threads = new ThreadPermits(probeThreads);
        this.clock = clock;
        this.sink = sink;
        this.log = log;
        this.maxInFlight = maxInFlight;
    }

    /** Takes a (re)loaded configuration: the prober, deadline and thread count of every probe started from now. */
    void configure(Prober newProber, ProbeConfig settings) {
        synchronized (lock) {
            prober = newProber;
            timeout = settings.timeout();
            threads.limit(settings.concurrency());
            startQueued();
        }
    }

    /** The target came due: start a probe unless one is queued or under way. */
    void due(TargetProbe probe) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            switch (probe.state()) {
                case IDLE -> startOrQueue(probe);
                case QUEUED -> log.debug("probe still waiting for a free slot; not queued twice",
                        "target", probe.target().name());
                case RUNNING, ABANDONED -> {
                    if (!probe.restartWhenIdle()) {
                        log.warn("previous probe still running; skipping this round", "target",
                                probe.target().name(), "started_at", probe.startedAt());
                    }
                }
            }
        }
    }

    /** See {@link TargetProbe#reconfigure}. */
    boolean reconfigure(TargetProbe probe, TargetConfig changed) {
        synchronized (lock) {
            return probe.reconfigure(changed);
        }
    }

    /** The target left the configuration: it is not started again, and a result still to come is dropped. */
    void remove(TargetProbe probe) {
        synchronized (lock) {
            probe.remove();
            withdraw(probe);
        }
    }

    /** No new probe starts; queued ones and those that never had a thread end now. */
    void stop(Iterable<TargetProbe> probes) {
        synchronized (lock) {
            stopped = true;
            for (TargetProbe probe : probes) {
                withdraw(probe);
            }
            lock.notifyAll();
        }
    }

    private void withdraw(TargetProbe probe) {
        if (probe.state() == ProbeState.QUEUED) {
            queued.remove(probe);
            probe.withdraw();
        } else if (probe.cancelIfNotBegun()) {
            inFlight.remove(probe);
        }
    }

    int inFlight() {
        synchronized (lock) {
            return inFlight.size();
        }
    }

    int onThreads() {
        return threads.running();
    }

    int waiting() {
        synchronized (lock) {
            return queued.size() + threads.queued();
        }
    }

    /** See {@link ProbeScheduler#awaitInFlight}. */
    boolean awaitInFlight(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (lock) {
            while (!inFlight.isEmpty() || recording > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    inFlight.forEach(TargetProbe::interrupt);
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    private void startOrQueue(TargetProbe probe) {
        if (inFlight.size() < maxInFlight) {
            start(probe);
        } else {
            probe.queue();
            queued.addLast(probe);
        }
    }

    private void startQueued() {
        while (!queued.isEmpty() && inFlight.size() < maxInFlight && !stopped) {
            start(queued.pollFirst());
        }
    }

    /** A probe ended or was abandoned, so there is room: the target's restart first, then the queue. */
    private void ended(TargetProbe probe) {
        if (probe.state() == ProbeState.IDLE && probe.restartWhenIdle() && !stopped) {
            startOrQueue(probe);
        }
        startQueued();
    }

    private void start(TargetProbe probe) {
        TargetProbe.Run run = probe.start(clock.instant());
        inFlight.add(probe);
        log.debug("probe started", "target", run.target.name(), "in_flight", inFlight.size());
        CompletableFuture<List<ProbeResult>> results;
        try {
            results = prober.probe(run.target, task -> threads.execute(new Piece(probe, run, timeout, task)));
        } catch (RuntimeException | Error e) {
            results = CompletableFuture.failedFuture(e);
        }
        results.whenComplete((probed, failure) -> finished(probe, run,
                failure == null ? probed : internalError(run, failure)));
    }

    /**
     * One piece of a probe's work (resolving, setting up, conversing), run holding a thread permit. The
     * first piece's permit starts the overrun watchdog: a probe's deadline runs from when it has a thread,
     * not from when it began waiting for one.
     */
    private final class Piece implements ThreadPermits.Job {
        private final TargetProbe probe;
        private final TargetProbe.Run run;
        private final Duration timeout;
        private final Runnable task;
        private final boolean continuing;
        private boolean dropped;

        Piece(TargetProbe probe, TargetProbe.Run run, Duration timeout, Runnable task) {
            this.probe = probe;
            this.run = run;
            this.timeout = timeout;
            this.task = task;
            this.continuing = run.begun();
        }

        @Override
        public boolean continuing() {
            return continuing;
        }

        @Override
        public void granted(ThreadPermits.Permit permit) {
            synchronized (lock) {
                Duration budget = probe.budget(timeout);
                Duration limit = budget.plus(ProbeScheduler.OVERRUN_GRACE);
                if (!probe.begin(run, () -> timer.schedule(limit, () -> overran(probe, run, budget, limit)))) {
                    // Cancelled (stop, removal) before it began: nothing of it ran, so nothing needs to end.
                    dropped = true;
                    return;
                }
                // Known from now, so that abandoning the probe frees it even before a thread takes the work up.
                probe.hold(run, permit);
            }
        }

        @Override
        public void run(ThreadPermits.Permit permit) {
            boolean abandoned;
            synchronized (lock) {
                if (dropped) {
                    return;
                }
                probe.occupy(run, Thread.currentThread(), permit);
                abandoned = probe.isAbandoned(run);
            }
            if (abandoned) {
                // Its thread would have been interrupted had it had one: what is left of it ends at once.
                Thread.currentThread().interrupt();
            }
            try {
                task.run();
            } finally {
                synchronized (lock) {
                    probe.vacate(Thread.currentThread(), permit);
                }
                Thread.interrupted(); // an interrupt meant for this probe must not leak into the pool's next task
            }
        }
    }

    private List<ProbeResult> internalError(TargetProbe.Run run, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        // The prober promises never to throw; if it does, that is our bug, reported as such.
        log.error("probe failed with an internal error", "target", run.target.name(), "error",
                cause.getClass().getName(), "message", cause.getMessage());
        // The reason a person reads names no Java class (r3); the log line above has it for a bug report.
        return List.of(TargetProbe.failed(run, "internal error in the probe (a bug: the agent's log has the details)"));
    }

    private void finished(TargetProbe probe, TargetProbe.Run run, List<ProbeResult> results) {
        synchronized (lock) {
            TargetProbe.Return ending = probe.finish(run, results);
            switch (ending) {
                case STALE -> {
                    return;
                }
                case LATE -> log.info("abandoned probe returned late; its result was discarded", "target",
                        run.target.name());
                case RECORD, DROP -> inFlight.remove(probe);
            }
            ended(probe);
            if (ending != TargetProbe.Return.RECORD) {
                lock.notifyAll();
                return;
            }
            recording++;
        }
        deliver(run.target, results);
    }

    private void overran(TargetProbe probe, TargetProbe.Run run, Duration budget, Duration limit) {
        List<ProbeResult> results;
        synchronized (lock) {
            if (!probe.abandon(run)) {
                return;
            }
            inFlight.remove(probe);
            boolean record = probe.recordable(run);
            results = record ? probe.abandoned(run, budget, limit) : List.of();
            ended(probe);
            lock.notifyAll();
            if (!record) {
                return;
            }
            recording++;
        }
        log.warn("probe overran its deadline and was abandoned", "target", run.target.name(), "deadline", budget);
        deliver(run.target, results);
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
}
