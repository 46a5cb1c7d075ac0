package io.smtpprobe.engine;

import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.target.TargetProber;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One configured target and the state machine of its probes. Each method below that changes
 * {@link #state()} is one transition of {@link ProbeState}'s table, and does what that transition
 * means besides (a start numbers the run, an overrun interrupts its thread and frees its permit, ...).
 * Not thread-safe: {@link ProbeRunner} calls it under its one lock, and nothing else changes it.
 */
final class TargetProbe {
    /**
     * One probe of the target, from START to its end. Work and results of a run that is no longer the
     * target's current one (ended, cancelled, abandoned) are recognised by it and dropped.
     */
    static final class Run {
        final TargetConfig target;
        final long generation;
        final Instant startedAt;
        /** Whether a piece of it has had a thread (its overrun watchdog runs from then). */
        private volatile boolean begun;

        private Run(TargetConfig target, long generation, Instant startedAt) {
            this.target = target;
            this.generation = generation;
            this.startedAt = startedAt;
        }

        boolean begun() {
            return begun;
        }
    }

    /** A host the target's last probe reached: an abandoned probe is recorded once for each. */
    private record Endpoint(String host, String address, int port) {}

    private TargetConfig target;
    private ProbeState state = ProbeState.IDLE;
    /** Bumped when a reload changes the target, so a result of the old configuration is dropped. */
    private long generation;
    /** The current run, or the last one; null before the first start. */
    private Run run;
    private TaskScheduler.Cancellable watchdog;
    /** The thread running a piece of the current run now, and the permit it holds; null between pieces. */
    private Thread thread;
    private ThreadPermits.Permit permit;
    private boolean removed;
    /** A reload changed the target while a probe of it ran: probe the new configuration once that ends. */
    private boolean restartWhenIdle;
    private List<Endpoint> endpoints = List.of();

    TargetProbe(TargetConfig target) {
        this.target = target;
    }

    TargetConfig target() {
        return target;
    }

    ProbeState state() {
        return state;
    }

    /** The current or last run's start, or null before the first one. */
    Instant startedAt() {
        return run == null ? null : run.startedAt;
    }

    boolean restartWhenIdle() {
        return restartWhenIdle && !removed;
    }

    /** Whether {@code r} is the run under way now. */
    boolean isCurrent(Run r) {
        return run == r && state == ProbeState.RUNNING;
    }

    /** Whether {@code r} is the run that was abandoned, and nothing has started since. */
    boolean isAbandoned(Run r) {
        return run == r && state == ProbeState.ABANDONED;
    }

    /**
     * A reload changed the target's configuration: results of a probe of the old one are dropped. When a
     * probe of it is under way, the new configuration is probed as soon as that ends.
     *
     * @return whether a probe was under way
     */
    boolean reconfigure(TargetConfig changed) {
        target = changed;
        generation++;
        endpoints = List.of();
        boolean busy = state == ProbeState.RUNNING || state == ProbeState.ABANDONED;
        restartWhenIdle = busy;
        return busy;
    }

    /** Removed from the configuration: never started again, and a result still to come is dropped. */
    void remove() {
        removed = true;
    }

    /** QUEUE. */
    void queue() {
        state = state.on(ProbeState.Event.QUEUE);
    }

    /** WITHDRAW. */
    void withdraw() {
        state = state.on(ProbeState.Event.WITHDRAW);
    }

    /** START: a new run of the current configuration. */
    Run start(Instant now) {
        state = state.on(ProbeState.Event.START);
        restartWhenIdle = false;
        run = new Run(target, generation, now);
        return run;
    }

    /**
     * The first piece of {@code r} has a thread: from now its deadline runs.
     *
     * @param watch arms the overrun watchdog for this run's budget
     * @return false when {@code r} was cancelled before it began: nothing of it may run
     */
    boolean begin(Run r, java.util.function.Supplier<TaskScheduler.Cancellable> watch) {
        if (r.begun) {
            return true;
        }
        if (!isCurrent(r)) {
            return false;
        }
        r.begun = true;
        watchdog = watch.get();
        return true;
    }

    /** A piece of {@code r} was granted {@code held}: known before a thread takes it up, so an abandon frees it. */
    void hold(Run r, ThreadPermits.Permit held) {
        if (isCurrent(r)) {
            permit = held;
        }
    }

    /** A piece of {@code r} runs on {@code on} holding {@code held}: an abandon interrupts it there. */
    void occupy(Run r, Thread on, ThreadPermits.Permit held) {
        if (isCurrent(r)) {
            thread = on;
            permit = held;
        }
    }

    /** Interrupts the thread running a piece of the current run, if one is. */
    void interrupt() {
        if (state == ProbeState.RUNNING && thread != null) {
            thread.interrupt();
        }
    }

    /** A piece of work has left the thread {@code on} and given up {@code held}. */
    void vacate(Thread on, ThreadPermits.Permit held) {
        if (thread == on) {
            thread = null;
        }
        if (permit == held) {
            permit = null;
        }
    }

    /** CANCEL, when the current run has not yet had a thread; otherwise nothing. @return whether it was cancelled */
    boolean cancelIfNotBegun() {
        if (state != ProbeState.RUNNING || run.begun) {
            return false;
        }
        state = state.on(ProbeState.Event.CANCEL);
        run = null;
        return true;
    }

    /** How a returned run ended. */
    enum Return {
        /** Not the current run (cancelled before it began): nothing changes. */
        STALE,
        /** LATE_RETURN: the run had been abandoned; its results are discarded. */
        LATE,
        /** FINISH, with results to record. */
        RECORD,
        /** FINISH of a removed target or of an old configuration: the results are dropped. */
        DROP
    }

    /** The run {@code r} returned {@code results}: FINISH, or LATE_RETURN when it had been abandoned. */
    Return finish(Run r, List<ProbeResult> results) {
        if (run != r) {
            return Return.STALE;
        }
        // The permit of the piece that completed the probe stays with it: ThreadPermits.runFrom hands it on.
        thread = null;
        permit = null;
        if (state == ProbeState.ABANDONED) {
            state = state.on(ProbeState.Event.LATE_RETURN);
            return Return.LATE;
        }
        state = state.on(ProbeState.Event.FINISH);
        if (watchdog != null) {
            watchdog.cancel();
            watchdog = null;
        }
        if (!recordable(r)) {
            return Return.DROP;
        }
        endpoints = results.stream().map(p -> new Endpoint(p.host(), p.address(), p.port())).toList();
        return Return.RECORD;
    }

    /**
     * OVERRUN: {@code r} has not returned within its deadline and grace. Its thread is interrupted and its
     * permit given back, so the next waiting probe starts at once.
     *
     * @return false when {@code r} is not the run under way (the watchdog fired late): nothing changes
     */
    boolean abandon(Run r) {
        if (!isCurrent(r)) {
            return false;
        }
        state = state.on(ProbeState.Event.OVERRUN);
        watchdog = null;
        if (thread != null) {
            thread.interrupt();
            thread = null;
        }
        if (permit != null) {
            ThreadPermits.Permit held = permit;
            permit = null;
            held.release();
        }
        return true;
    }

    /** Whether results of {@code r} are still wanted: the target is configured, and as {@code r} probed it. */
    boolean recordable(Run r) {
        return !removed && generation == r.generation;
    }

    /** How long a probe of this target may rightly take: the deadline the prober makes for it. */
    Duration budget(Duration timeout) {
        return TargetProber.deadline(target, timeout);
    }

    /**
     * What the abandoned run {@code r} is recorded as: deadline_exceeded for each host the target's previous
     * probe reached, or for the target's own destination when none is known yet.
     */
    List<ProbeResult> abandoned(Run r, Duration budget, Duration waited) {
        String detail = "the probe did not end within its deadline of " + budget.toSeconds() + "s; abandoned";
        if (endpoints.isEmpty()) {
            return List.of(result(r, destination(r.target), null, r.target.port(), Outcome.DEADLINE_EXCEEDED,
                    detail, waited));
        }
        return endpoints.stream()
                .map(e -> result(r, e.host(), e.address(), e.port(), Outcome.DEADLINE_EXCEEDED, detail, waited))
                .toList();
    }

    /** The result of a run whose prober failed with an internal error instead of returning results. */
    static ProbeResult failed(Run r, String detail) {
        return result(r, destination(r.target), null, r.target.port(), Outcome.ERROR, detail, Duration.ZERO);
    }

    private static String destination(TargetConfig target) {
        return target.host() != null ? target.host() : target.mx();
    }

    private static ProbeResult result(Run r, String host, String address, int port, Outcome outcome, String detail,
            Duration total) {
        return new ProbeResult(r.target.name(), host, address, port, r.target.mode(), outcome, null, detail,
                Map.of(Phase.TOTAL, total), null, r.startedAt, null);
    }
}
