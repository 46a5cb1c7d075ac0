package io.smtpprobe.daemon;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Keeps the heap of an idle agent near what is live. The serial collector collects the old generation
 * only when it is full, and otherwise grows it at young collections to make room for what they promote:
 * on Java 25 it grew by about 1 MiB every 20 s at 100 targets, to 29 MiB committed after 5 minutes
 * with 12 MiB live (Java 17 kept 13; src/bench/RESULTS.md), and what is committed stays resident. So
 * every {@link #PERIOD}, when more than {@link #FLOOR_BYTES} is committed, one full collection runs on a
 * worker thread: the old generation then has room again and stops growing, and the free ratios
 * ({@code -XX:MaxHeapFreeRatio=70}) give back what is beyond them. At 10 to 20 MiB live it takes a few
 * tens of milliseconds a minute; probes in flight lose nothing but that pause.
 */
final class HeapTrimmer {
    static final Duration PERIOD = Duration.ofMinutes(1);
    /** Below this much committed heap a collection would give back too little to be worth its pause. */
    static final long FLOOR_BYTES = 16L << 20;

    private final LongSupplier committedBytes;
    private final Runnable collect;

    /** The running JVM's heap, collected with {@link System#gc()}. */
    static HeapTrimmer ofThisJvm() {
        return new HeapTrimmer(() -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted(),
                System::gc);
    }

    HeapTrimmer(LongSupplier committedBytes, Runnable collect) {
        this.committedBytes = committedBytes;
        this.collect = collect;
    }

    /** One look at the heap, every {@link #PERIOD} ({@link Periodic}): collects when it is over the floor. */
    void trim() {
        if (committedBytes.getAsLong() > FLOOR_BYTES) {
            collect.run();
        }
    }
}
