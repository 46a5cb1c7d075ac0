package io.smtpprobe.engine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The probe threads as the scheduler hands them out: at most {@code probe.concurrency} pieces of probe
 * work (resolving, setting up, conversing) run at once; the rest wait in two lines, each in arrival
 * order: the work of probes already under way (their deadlines running, a connected socket waiting) and
 * the first work of new ones. Free places go to the two lines in turn. Neither may starve the other:
 * under-way work first would hold back, behind a burst of healthy TLS conversations, the connects of
 * targets that only need a SYN sent (a round of 1000 on two cores took 6.2 s instead of 5.5); new work
 * first would let a burst of new probes burn the deadlines of connected ones. A probe waiting for a
 * TCP handshake holds no permit. The scheduler may give a permit
 * back before its task returns (an abandoned probe's), so that the next one starts at once.
 *
 * <p>Never calls out while holding its own lock: a task may run inline (tests pass {@code Runnable::run}).
 */
final class ThreadPermits {
    /** Work that runs holding a permit, which it may release early. */
    interface Job {
        /** Whether the job continues work already under way (the line that takes turns with new work). */
        boolean continuing();

        /** Called when the job gets its permit, on the granting thread, before it is handed to a thread. */
        void granted(Permit permit);

        void run(Permit permit);
    }

    /** A place among the running; released once, whoever releases it first. */
    final class Permit {
        private boolean released;

        void release() {
            synchronized (lock) {
                if (released) {
                    return;
                }
                released = true;
                running--;
            }
            drain();
        }
    }

    private final Executor threads;
    private final Object lock = new Object();
    private final Deque<Job> continuing = new ArrayDeque<>();
    private final Deque<Job> starting = new ArrayDeque<>();
    private int limit = 1;
    private int running;
    /** Whose turn the next free place is: new work's or under-way work's. */
    private boolean newWorkNext;

    ThreadPermits(Executor threads) {
        this.threads = threads;
    }

    /** Sets how many jobs may run at once; raising it starts waiting ones at once. */
    void limit(int permits) {
        synchronized (lock) {
            limit = Math.max(1, permits);
        }
        drain();
    }

    void execute(Job job) {
        synchronized (lock) {
            (job.continuing() ? continuing : starting).addLast(job);
        }
        drain();
    }

    /** Jobs holding a permit now. */
    int running() {
        synchronized (lock) {
            return running;
        }
    }

    /** Jobs waiting for a permit. */
    int queued() {
        synchronized (lock) {
            return continuing.size() + starting.size();
        }
    }

    /**
     * Runs a job, then on the same thread the next waiting one while there is one and its permit was not
     * given back early: handing the next job to the pool instead would meet no idle thread (this one is
     * still finishing) and make the pool start a new one for nearly every job.
     */
    private void runFrom(Job first, Permit firstPermit) {
        Job job = first;
        Permit permit = firstPermit;
        while (job != null) {
            try {
                job.run(permit);
            } finally {
                Job next = null;
                Permit handed = null;
                synchronized (lock) {
                    if (!permit.released && running <= limit && !(continuing.isEmpty() && starting.isEmpty())) {
                        // The place passes to the next job: running stays as it is.
                        permit.released = true;
                        next = pollNext();
                        handed = new Permit();
                    }
                }
                if (next == null) {
                    permit.release();
                } else {
                    next.granted(handed);
                }
                job = next;
                permit = handed;
            }
        }
    }

    /** The next job, from the two lines in turn; under the lock, with at least one job waiting. */
    private Job pollNext() {
        newWorkNext = !newWorkNext;
        if (newWorkNext && !starting.isEmpty() || continuing.isEmpty()) {
            return starting.pollFirst();
        }
        return continuing.pollFirst();
    }

    private void drain() {
        while (true) {
            Job job;
            Permit permit;
            synchronized (lock) {
                if (running >= limit || continuing.isEmpty() && starting.isEmpty()) {
                    return;
                }
                job = pollNext();
                running++;
                permit = new Permit();
            }
            try {
                job.granted(permit);
                threads.execute(() -> runFrom(job, permit));
            } catch (RejectedExecutionException e) {
                // Only at shutdown, once the pool is stopped: nothing waiting can run any more.
                synchronized (lock) {
                    continuing.clear();
                    starting.clear();
                }
                permit.release();
                return;
            }
        }
    }
}
