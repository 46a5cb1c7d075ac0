package io.smtpprobe.engine;

import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.DaemonThreads;
import io.smtpprobe.probe.ProbeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Records finished probes on one thread of its own, in batches: a probe thread hands its results over
 * and goes straight on to the next probe. Recording (judging, the diagnosis over every host, the
 * metrics) once ran on the probe threads behind the agent's lock; with thousands of targets failing at
 * once they queued on that lock while the pool made new threads for the next probes (1,122 threads at
 * 3,000 targets, issue 14). Now a burst costs one diagnosis per batch and no thread beyond this one.
 * A batch gathers what arrives within a short window after its first result: probes end one by one,
 * and a diagnosis over every host for each of them made a round of N targets cost N diagnoses of N
 * hosts (at 1,000 targets, a fifth of the agent's CPU in a round). The queue holds at most one entry
 * per target: a target is never probed twice at once.
 */
public final class ResultRecorder implements ProbeScheduler.ResultSink, AutoCloseable {
    /** One probe's results, as the scheduler delivered them. */
    public record Finished(TargetConfig target, List<ProbeResult> results) {}

    private final LinkedBlockingQueue<Finished> queue = new LinkedBlockingQueue<>();
    private final Consumer<List<Finished>> batches;
    private final long windowNanos;
    private final EventLog log;
    private final Thread thread;
    private final Object lock = new Object();
    /** Handed over and not yet recorded: shutdown waits for them. */
    private int pending;

    /**
     * @param window how long a batch keeps gathering after its first result: the longest a result waits
     *     before it is recorded
     */
    public ResultRecorder(Consumer<List<Finished>> batches, Duration window, EventLog log) {
        this.batches = batches;
        this.windowNanos = window.toNanos();
        this.log = log;
        this.thread = DaemonThreads.daemon("smtp-probe-recorder", this::loop);
        thread.start();
    }

    @Override
    public void accept(TargetConfig target, List<ProbeResult> results) {
        synchronized (lock) {
            pending++;
        }
        queue.add(new Finished(target, results));
    }

    private void loop() {
        List<Finished> batch = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
                gather(batch);
            } catch (InterruptedException e) {
                // Closed: what this batch already holds is recorded before the thread ends.
                stopping = true;
            }
            if (batch.isEmpty()) {
                return;
            }
            queue.drainTo(batch);
            try {
                batches.accept(List.copyOf(batch));
            } catch (RuntimeException | Error e) {
                // A bug in recording must not stop every later result from being recorded.
                log.error("recording probe results failed", "error", e.getClass().getName(), "message",
                        String.valueOf(e.getMessage()));
            } finally {
                synchronized (lock) {
                    pending -= batch.size();
                    lock.notifyAll();
                }
                batch.clear();
            }
        }
    }

    /** Adds to {@code batch} what arrives until the window after its first result ends. */
    private void gather(List<Finished> batch) throws InterruptedException {
        long end = System.nanoTime() + windowNanos;
        for (long left = windowNanos; left > 0; left = end - System.nanoTime()) {
            Finished next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
        }
    }

    /** Whether the thread holds results and waits out the window for more; for tests. */
    boolean gathering() {
        return thread.getState() == Thread.State.TIMED_WAITING;
    }

    /** Waits in real time until every result handed over is recorded, at most {@code max}. */
    public boolean awaitIdle(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (lock) {
            while (pending > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
