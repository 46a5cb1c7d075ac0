package io.smtpprobe.http;

import io.smtpprobe.engine.EventLog;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A warning that can come at every TLS handshake (a certificate or key that no longer reads), logged once, then at
 * most once a {@link #INTERVAL} with how often it came meanwhile; a different problem is logged at once. Issue 23:
 * a broken key logged about four lines a handshake, 2,921 lines in 2 s from three clients.
 */
final class RepeatedWarning implements Consumer<String> {
    static final Duration INTERVAL = Duration.ofMinutes(1);

    private final EventLog log;
    private final String message;
    private final LongSupplier nanoTime;
    private String last;
    private long lastLoggedNanos;
    private long repeats;

    RepeatedWarning(EventLog log, String message, LongSupplier nanoTime) {
        this.log = log;
        this.message = message;
        this.nanoTime = nanoTime;
    }

    @Override
    public synchronized void accept(String problem) {
        long now = nanoTime.getAsLong();
        if (problem.equals(last) && now - lastLoggedNanos < INTERVAL.toNanos()) {
            repeats++;
            return;
        }
        if (repeats > 0 && problem.equals(last)) {
            log.warn(message, "error", problem, "repeated_since_last_logged", repeats);
        } else {
            log.warn(message, "error", problem);
        }
        last = problem;
        lastLoggedNanos = now;
        repeats = 0;
    }
}
