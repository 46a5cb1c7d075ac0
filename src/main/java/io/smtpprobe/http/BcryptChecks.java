package io.smtpprobe.http;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread bcrypt runs on, with a short queue. exporter-toolkit serialises bcrypt behind a mutex;
 * here the waiting happens in this queue, not on the HTTP pool's threads, so checks of unknown credentials
 * never hold up a scrape with a known one, and at most one core goes to them whatever a client sends.
 * When the queue is full the request is answered at once (429), not queued without end.
 *
 * <p>The thread starts with the first check and ends after a minute without one: an agent without
 * {@code basic_auth_users} never has it.
 */
final class BcryptChecks implements AutoCloseable {
    /** About a second of bcrypt at cost 10: longer waits are answered "busy" rather than queued. */
    static final int QUEUE = 12;

    private final ThreadPoolExecutor thread;

    BcryptChecks() {
        this(QUEUE);
    }

    BcryptChecks(int queue) {
        thread = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "smtp-probe-bcrypt");
            t.setDaemon(true);
            return t;
        });
        thread.allowCoreThreadTimeOut(true);
    }

    /** Queues a check; false when the queue is full (or closed). */
    boolean submit(Runnable check) {
        try {
            thread.execute(check);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @Override
    public void close() {
        // Queued checks still run and answer their requests (the stopped server then fails them), never dropped.
        thread.shutdown();
    }
}
