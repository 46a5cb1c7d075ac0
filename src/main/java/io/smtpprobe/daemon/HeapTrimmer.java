package io.smtpprobe.daemon;

import io.smtpprobe.engine.TaskScheduler;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Gives heap the agent no longer needs back to the system. The unit's free ratios
 * ({@code -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30}) shrink the serial collector's heap only
 * after a full collection, and a mostly idle agent may never need one: on Java 25 the old generation
 * grew at young collections to 29 MiB committed at 100 targets in 5 minutes with 9 MiB live, where
 * Java 17 kept 13 (src/bench/RESULTS.md). So every {@link #PERIOD}, when more than {@link #FLOOR_BYTES}
 * is committed, one full collection runs on a worker thread; at 10 to 20 MiB live it takes a few tens
 * of milliseconds, and probes in flight lose nothing but that pause.
 */
final class HeapTrimmer {
    static final Duration PERIOD = Duration.ofMinutes(5);
    /** Below this much committed heap a collection would give back too little to be worth its pause. */
    static final long FLOOR_BYTES = 16L << 20;

    private final TaskScheduler timer;
    private final Executor workers;
    private final LongSupplier committedBytes;
    private final Runnable collect;
    private TaskScheduler.Cancellable next;
    private boolean stopped;

    /** The running JVM's heap, collected with {@link System#gc()}. */
    static HeapTrimmer ofThisJvm(TaskScheduler timer, Executor workers) {
        return new HeapTrimmer(timer, workers,
                () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted(), System::gc);
    }

    HeapTrimmer(TaskScheduler timer, Executor workers, LongSupplier committedBytes, Runnable collect) {
        this.timer = timer;
        this.workers = workers;
        this.committedBytes = committedBytes;
        this.collect = collect;
    }

    synchronized void start() {
        if (!stopped) {
            next = timer.schedule(PERIOD, () -> workers.execute(this::trimThenReschedule));
        }
    }

    synchronized void stop() {
        stopped = true;
        if (next != null) {
            next.cancel();
        }
    }

    private void trimThenReschedule() {
        synchronized (this) {
            if (stopped) {
                return;
            }
        }
        try {
            if (committedBytes.getAsLong() > FLOOR_BYTES) {
                collect.run();
            }
        } finally {
            start();
        }
    }
}
