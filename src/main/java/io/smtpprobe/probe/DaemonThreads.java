package io.smtpprobe.probe;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one way smtp-probe makes threads: daemon threads (the JVM's exit never waits for one; shutdown
 * ends them explicitly) named {@code smtp-probe-<role>[-n]}, so that a thread dump says what each is.
 */
public final class DaemonThreads {
    private DaemonThreads() {}

    /** Threads named {@code name-1}, {@code name-2}, ...: for pools. */
    public static ThreadFactory numbered(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> daemon(name + "-" + count.incrementAndGet(), runnable);
    }

    /** Threads all named {@code name}: for single-thread executors. */
    public static ThreadFactory named(String name) {
        return runnable -> daemon(name, runnable);
    }

    /** One daemon thread, not started. */
    public static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
