package io.smtpprobe.probe.net;

import io.smtpprobe.probe.DaemonThreads;
import io.smtpprobe.probe.step.ProbeDeadline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Waits for TCP handshakes on one selector thread, so that a probe whose SYN goes unanswered holds a
 * socket, not a thread: a round with hundreds of silently dropping targets waits for all of them at
 * once. A probe starts its connect here and gives its thread back; the returned future completes on
 * this thread when the handshake completes, fails (the same exceptions a blocking
 * {@code Socket.connect} throws: both end in the JDK's {@code sun.nio.ch.Net}), or the probe's
 * deadline passes ({@link SocketTimeoutException}, as a blocking connect's timeout). Close it to fail
 * whatever still waits and end its thread.
 */
public final class Connector implements AutoCloseable {
    /** Told the moment a connect settles, on whichever thread saw it settle. */
    @FunctionalInterface
    public interface Settled {
        void settled(boolean connected);
    }

    private final Selector selector;
    private final Thread thread;
    private final Queue<Pending> incoming = new ConcurrentLinkedQueue<>();
    /** Connects registered with the selector; touched by the selector thread only. */
    private final List<Pending> pending = new ArrayList<>();
    /** Connects handed to the selector thread and not yet settled. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Connects settled and deregistering; a field so that a failing selector still fails them. */
    private final List<Pending> finished = new ArrayList<>();
    private volatile boolean closed;
    /** Why the selector thread stopped on its own, or null: every later connect fails with it. */
    private volatile Throwable broken;

    /** Opens the selector and starts its thread (a daemon thread named {@code smtp-probe-connect}). */
    public Connector() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for TCP connects: " + e.getMessage(), e);
        }
        thread = DaemonThreads.daemon("smtp-probe-connect", this::loop);
        thread.start();
    }

    /**
     * Starts connecting {@code channel} to {@code destination}. {@code settled} is told the moment the
     * handshake completes or fails (on this connector's thread, or on the caller's when that is at
     * once), before the future completes: it is where the connect phase ends. The channel is left in
     * non-blocking mode and no longer registered with the selector.
     */
    public CompletableFuture<Void> connect(SocketChannel channel, SocketAddress destination, ProbeDeadline deadline,
            Settled settled) {
        Pending connect = new Pending(channel, deadline, settled);
        try {
            channel.configureBlocking(false);
            if (channel.connect(destination)) {
                connect.succeed();
                return connect.done;
            }
        } catch (IOException | RuntimeException e) {
            connect.fail(e);
            return connect.done;
        }
        connect.waiting = waiting;
        waiting.incrementAndGet();
        incoming.add(connect);
        if (closed) {
            failIncoming();
        } else {
            selector.wakeup();
        }
        return connect.done;
    }

    /** Connects started and not yet settled, for tests. */
    int waiting() {
        return waiting.get();
    }

    private void loop() {
        try {
            while (!closed) {
                register();
                selector.select(this::ready, selectTimeoutMillis());
                expire();
                settleFinished();
            }
        } catch (IOException | RuntimeException | Error e) {
            // A selector that fails is not recoverable: fail everything, now and later, with the reason,
            // rather than leave probes waiting forever or blame a close that never happened.
            broken = e;
            if (e instanceof Error error) {
                throw error;
            }
        } finally {
            closed = true;
            finished.forEach(p -> p.fail(closedError()));
            finished.clear();
            pending.forEach(p -> p.fail(closedError()));
            pending.clear();
            failIncoming();
            try {
                selector.close();
            } catch (IOException e) {
                // The thread ends either way; the selector's descriptor goes with the process.
            }
        }
    }

    private void register() {
        Pending connect;
        while ((connect = incoming.poll()) != null) {
            try {
                connect.key = connect.channel.register(selector, SelectionKey.OP_CONNECT, connect);
                pending.add(connect);
            } catch (ClosedChannelException e) {
                // The deadline watchdog closed it between connect() and here.
                connect.fail(connect.deadline.passed() ? timeout() : e);
            }
        }
    }

    /** Until the earliest deadline, rounded up so a select never wakes just before it; 0 waits for a wakeup. */
    private long selectTimeoutMillis() {
        long earliest = Long.MAX_VALUE;
        for (Pending connect : pending) {
            earliest = Math.min(earliest, connect.deadline.remainingNanos());
        }
        if (earliest == Long.MAX_VALUE) {
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(earliest + TimeUnit.MILLISECONDS.toNanos(1) - 1));
    }

    private void ready(SelectionKey key) {
        Pending connect = (Pending) key.attachment();
        try {
            if (connect.channel.finishConnect()) {
                connect.settle(null);
            }
        } catch (IOException | RuntimeException e) {
            connect.settle(e);
        }
    }

    private void expire() {
        for (Pending connect : pending) {
            if (!connect.settledHere && (connect.deadline.remainingNanos() <= 0 || !connect.key.isValid())) {
                // An invalid key means the channel was closed under us: only the deadline watchdog does that.
                connect.settle(timeout());
            }
        }
    }

    /**
     * Completes the connects that settled in this round. Their keys are cancelled; a further select
     * deregisters them, so that the probe can put the channel back into blocking mode and a later
     * close releases the descriptor at once.
     */
    private void settleFinished() throws IOException {
        while (true) {
            pending.removeIf(p -> {
                if (p.settledHere) {
                    finished.add(p);
                    return true;
                }
                return false;
            });
            if (finished.isEmpty()) {
                return;
            }
            finished.forEach(p -> p.key.cancel());
            selector.selectNow(this::ready);
            finished.forEach(Pending::complete);
            finished.clear();
        }
    }

    private void failIncoming() {
        Pending connect;
        while ((connect = incoming.poll()) != null) {
            connect.fail(closedError());
        }
    }

    private static SocketTimeoutException timeout() {
        return new SocketTimeoutException("Connect timed out");
    }

    private IOException closedError() {
        Throwable cause = broken;
        return cause == null ? new IOException("the prober was closed while the TCP connect was waiting")
                : new IOException("the TCP connect selector failed (" + cause + "); restart smtp-probe", cause);
    }

    /** Fails every connect still waiting and ends the selector thread before returning. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One connect in progress. */
    private static final class Pending {
        final SocketChannel channel;
        final ProbeDeadline deadline;
        final Settled settled;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final AtomicBoolean ended = new AtomicBoolean();
        SelectionKey key;
        /** The connector's count of unsettled connects, once this one is counted in it. */
        AtomicInteger waiting;
        /** Set on the selector thread when the connect settled. */
        boolean settledHere;
        /** What failed the connect, null when it succeeded. */
        Throwable failure;

        Pending(SocketChannel channel, ProbeDeadline deadline, Settled settled) {
            this.channel = channel;
            this.deadline = deadline;
            this.settled = settled;
        }

        /** Marks the connect settled now (the connect phase ends here); the future completes after deregistration. */
        void settle(Throwable failed) {
            if (!settledHere) {
                end(failed == null);
                settledHere = true;
                failure = failed;
            }
        }

        void complete() {
            if (failure == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(failure);
            }
        }

        void succeed() {
            end(true);
            done.complete(null);
        }

        void fail(Throwable failure) {
            end(false);
            done.completeExceptionally(failure);
        }

        private void end(boolean connected) {
            if (ended.compareAndSet(false, true)) {
                if (waiting != null) {
                    waiting.decrementAndGet();
                }
                settled.settled(connected);
            }
        }
    }
}
