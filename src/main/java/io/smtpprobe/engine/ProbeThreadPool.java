package io.smtpprobe.engine;

import io.smtpprobe.probe.DaemonThreads;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's probe threads: made when work finds no idle one, reused while there is work, ended after
 * a minute idle. How many run at once is not the pool's business: the scheduler's {@link ThreadPermits}
 * hand out {@code probe.concurrency} places and pass a finished job's thread on to the next waiting job.
 * Probes waiting for a TCP handshake hold no thread, so the pool follows the number of conversations
 * going on, not the number of targets. A probe abandoned past its deadline that ignores its interrupt
 * keeps its thread; the next probe gets a new one rather than waiting behind it.
 */
public final class ProbeThreadPool implements Executor, AutoCloseable {
    private final ThreadPoolExecutor pool;

    public ProbeThreadPool() {
        // A SynchronousQueue hands a task to an idle thread or makes one; idle threads wait last-in first-out,
        // so threads beyond what the load needs stay idle and end.
        pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                DaemonThreads.numbered("smtp-probe-worker"));
    }

    /** Threads the pool has now, for tests. */
    public int threads() {
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
