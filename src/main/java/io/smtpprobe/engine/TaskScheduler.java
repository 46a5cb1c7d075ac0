package io.smtpprobe.engine;

import java.time.Duration;

/**
 * Runs short tasks after a delay. The daemon uses a single-threaded scheduled executor (monotonic
 * time); tests drive a virtual clock by hand so that nothing waits on real time.
 */
public interface TaskScheduler {
    /** Runs {@code task} once, {@code delay} from now. The task must be quick: it runs on the timer thread. */
    Cancellable schedule(Duration delay, Runnable task);

    /**
     * Now, in nanoseconds on the monotonic time line that delays are measured on (an arbitrary origin):
     * what a task computes its next delay from, so that a timer that ran it late does not shift what
     * comes after.
     */
    long nanoTime();

    /** A scheduled task that has not run yet can be called off. */
    interface Cancellable {
        void cancel();
    }
}
