package io.smtpprobe.daemon;

import io.smtpprobe.engine.TaskScheduler;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Evaluates the policy again every {@code period}: with {@code offer: auto} the answer Azure gives can
 * change (a Reader role granted, an offer converted) without a reload. The check runs on a worker
 * thread (it may call Azure), never on the timer; stopping it cancels the next one.
 */
final class PolicyWatcher {
    private final TaskScheduler timer;
    private final Executor workers;
    private final Duration period;
    private final Runnable check;
    private TaskScheduler.Cancellable next;
    private boolean stopped;

    PolicyWatcher(TaskScheduler timer, Executor workers, Duration period, Runnable check) {
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
