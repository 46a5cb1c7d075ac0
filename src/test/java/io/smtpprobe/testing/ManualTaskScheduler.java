package io.smtpprobe.testing;

import io.smtpprobe.engine.TaskScheduler;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A {@link TaskScheduler} on virtual time: nothing runs until the test calls {@link #advance}, which
 * moves the clock from one due task to the next and runs each on the calling thread.
 */
public final class ManualTaskScheduler implements TaskScheduler {
    private final MutableClock clock;
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long nowNanos;
    private long sequence;

    private final class Task implements Comparable<Task>, Cancellable {
        final long due;
        final long order;
        final Runnable body;
        volatile boolean cancelled;

        Task(long due, long order, Runnable body) {
            this.due = due;
            this.order = order;
            this.body = body;
        }

        @Override
        public int compareTo(Task other) {
            int byTime = Long.compare(due, other.due);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }

        @Override
        public void cancel() {
            cancelled = true;
            synchronized (ManualTaskScheduler.this) {
                queue.remove(this);
            }
        }
    }

    public ManualTaskScheduler(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Task scheduled = new Task(nowNanos + Math.max(0, delay.toNanos()), sequence++, task);
        queue.add(scheduled);
        return scheduled;
    }

    /** Runs, in time order, every task due within {@code amount} from now, then sets the clock to now + amount. */
    public void advance(Duration amount) {
        long end;
        synchronized (this) {
            end = nowNanos + amount.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.due > end) {
                    clock.advance(Duration.ofNanos(end - nowNanos));
                    nowNanos = end;
                    return;
                }
                queue.poll();
                // A task overdue after a stall runs late, at the clock's present time.
                long at = Math.max(next.due, nowNanos);
                clock.advance(Duration.ofNanos(at - nowNanos));
                nowNanos = at;
            }
            if (!next.cancelled) {
                next.body.run();
            }
        }
    }

    /**
     * Moves the clock by {@code amount} without running anything: a timer thread that was held up. Tasks
     * that came due meanwhile run late, at the next {@link #advance}.
     */
    public void stall(Duration amount) {
        synchronized (this) {
            nowNanos += amount.toNanos();
        }
        clock.advance(amount);
    }

    @Override
    public synchronized long nanoTime() {
        return nowNanos;
    }

    public synchronized Duration now() {
        return Duration.ofNanos(nowNanos);
    }

    public synchronized int pending() {
        return queue.size();
    }
}
