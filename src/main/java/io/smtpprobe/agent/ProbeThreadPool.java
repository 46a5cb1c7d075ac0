package io.smtpprobe.agent;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The daemon's probe threads: a fixed pool of {@code probe.concurrency} threads, made as work first
 * needs them and resized on reload. Probes waiting for a TCP handshake hold none of them, so the pool
 * need not grow with the number of targets.
 */
final class ProbeThreadPool implements Executor, AutoCloseable {
    private final ThreadPoolExecutor pool;

    ProbeThreadPool(int size) {
        AtomicInteger count = new AtomicInteger();
        pool = new ThreadPoolExecutor(size, size, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "smtp-probe-worker-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Grows or shrinks the pool; threads beyond a smaller size end once their task is done. */
    synchronized void resize(int size) {
        // The core size may never exceed the maximum, so the order depends on the direction.
        if (size > pool.getMaximumPoolSize()) {
            pool.setMaximumPoolSize(size);
            pool.setCorePoolSize(size);
        } else {
            pool.setCorePoolSize(size);
            pool.setMaximumPoolSize(size);
        }
    }

    /** Threads the pool has now, for tests. */
    int threads() {
        return pool.getPoolSize();
    }

    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /** Interrupts whatever still runs and lets no new task start. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
