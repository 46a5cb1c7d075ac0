package io.smtpprobe.daemon;

import io.smtpprobe.engine.TaskScheduler;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Runs a check every {@code period} on a worker thread, never on the timer (it may call Azure, or
 * collect the heap); a check that fails does not end the ones after it, and stopping cancels the next.
 * The daemon's two: the policy evaluated again (with {@code offer: auto} the answer Azure gives can
 * change without a reload: a Reader role granted, an offer converted) and {@link HeapTrimmer}.
 */
final class Periodic {
    private final TaskScheduler timer;
    private final Executor workers;
    private final Duration period;
    private final Runnable check;
    private TaskScheduler.Cancellable next;
    private boolean stopped;

    Periodic(TaskScheduler timer, Executor workers, Duration period, Runnable check) {
        this.timer = timer;
        this.workers = workers;
        this.period = period;
        this.check = check;
    }

    synchronized void start() {
        if (!stopped) {
            next = timer.schedule(period, () -> workers.execute(this::checkThenReschedule));
        }
    }

    synchronized void stop() {
        stopped = true;
        if (next != null) {
            next.cancel();
        }
    }

    private void checkThenReschedule() {
        synchronized (this) {
            if (stopped) {
                return;
            }
        }
        try {
            check.run();
        } finally {
            start(); // a check that failed must not end the re-checks for good
        }
    }
}
