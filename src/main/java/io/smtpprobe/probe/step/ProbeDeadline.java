package io.smtpprobe.probe.step;

import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.Ticker;
import java.io.Closeable;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The hard deadline of one probe. Reads ask it for the time left; a watchdog on a shared scheduler
 * closes the connection when it passes, which unblocks whatever the peer has us waiting on (a banner
 * sent one byte at a time, an endless reply, a slow TLS handshake, a write into a full window).
 */
public final class ProbeDeadline {
    private final Ticker ticker;
    private final Duration timeout;
    private final long deadlineNanos;
    private final AtomicBoolean fired = new AtomicBoolean();

    public ProbeDeadline(Ticker ticker, Duration timeout) {
        this.ticker = ticker;
        this.timeout = timeout;
        this.deadlineNanos = ticker.nanoTime() + timeout.toNanos();
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * How long a probe of {@code target} may take in all, given the probe timeout: one timeout for a host; for
     * an mx: domain one per host it may try plus one for the MX and MTA-STS lookups before them (each host is a
     * probe of its own, smtp-probe.yml(5) "mx"). The prober makes the target's deadline from this, and the
     * engine abandons a probe only after it.
     */
    public static Duration forTarget(TargetConfig target, Duration timeout) {
        return target.mx() == null ? timeout : timeout.multipliedBy(Math.max(1, target.mxHosts()) + 1L);
    }

    /** {@code 2s}, {@code 1.5s}, {@code 500ms}: how a person wrote the timeout. */
    public static String seconds(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s";
    }

    /**
     * A deadline for one step of this probe: {@code timeout} from now, or less when this deadline ends first.
     * An mx: target's hosts each get one from the target's, so no host outlives the target.
     */
    public ProbeDeadline within(Duration timeout) {
        return new ProbeDeadline(ticker, timeout.compareTo(remaining()) <= 0 ? timeout : remaining());
    }

    /**
     * Milliseconds left, rounded up: a read timeout must not fire before the deadline, or the
     * teardown that follows it could provoke the peer into an answer that a last read (still inside
     * the deadline) would take for its behaviour. At least 1 while time remains (0 would mean "wait
     * forever" to a socket).
     */
    public int remainingMillis() {
        long left = deadlineNanos - ticker.nanoTime();
        if (left <= 0) {
            return 0;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(left + TimeUnit.MILLISECONDS.toNanos(1) - 1);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, millis));
    }

    /** What is left, zero once the deadline has passed: the budget of a lookup made on the way. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, remainingNanos()));
    }

    /** Nanoseconds left, zero or less once the deadline has passed: for a connect waiting on a selector. */
    public long remainingNanos() {
        return deadlineNanos - ticker.nanoTime();
    }

    public boolean passed() {
        return fired.get() || deadlineNanos - ticker.nanoTime() <= 0;
    }

    /** Closes {@code connection} when the deadline passes; cancel the returned future when done. */
    public ScheduledFuture<?> watch(Closeable connection, ScheduledExecutorService watchdog) {
        long delay = Math.max(0, deadlineNanos - ticker.nanoTime());
        return watchdog.schedule(
                () -> {
                    fired.set(true);
                    try {
                        connection.close();
                    } catch (IOException e) {
                        // Closing is all the watchdog can do; the blocked read fails either way.
                    }
                },
                delay,
                TimeUnit.NANOSECONDS);
    }
}
