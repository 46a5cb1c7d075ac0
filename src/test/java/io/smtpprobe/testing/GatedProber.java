package io.smtpprobe.testing;

import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.Prober;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * A prober for scheduling tests: answers {@code ok} at once, except for targets given a gate, which
 * block until the test opens it (or the thread is interrupted). Records when each probe started.
 */
public final class GatedProber implements Prober {
    public record Start(String target, Instant at) {}

    private final Clock clock;
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    public final List<Start> starts = new CopyOnWriteArrayList<>();
    public final List<String> interrupted = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> started = new LinkedBlockingQueue<>();

    public GatedProber(Clock clock) {
        this.clock = clock;
    }

    private final Map<String, Boolean> deaf = new ConcurrentHashMap<>();
    private final BlockingQueue<String> interruptions = new LinkedBlockingQueue<>();

    /** The target's probes block until {@link #open}; an interrupt ends them as a real probe's would. */
    public void block(String target) {
        gates.put(target, new CountDownLatch(1));
    }

    /** The target's probes block until {@link #open} and ignore interrupts: a prober stuck for good. */
    public void hang(String target) {
        deaf.put(target, true);
        block(target);
    }

    public void openAll() {
        List.copyOf(gates.keySet()).forEach(this::open);
    }

    public void awaitInterrupted(String target) throws InterruptedException {
        String name = interruptions.poll(10, TimeUnit.SECONDS);
        if (!target.equals(name)) {
            throw new AssertionError("expected the probe of " + target + " to be interrupted, got " + name);
        }
    }

    public void open(String target) {
        CountDownLatch gate = gates.remove(target);
        if (gate != null) {
            gate.countDown();
        }
    }

    /** Waits (in real time, at most 10 s) until a probe of the target has begun on its thread. */
    public void awaitStarted(String target) throws InterruptedException {
        while (true) {
            String name = started.poll(10, TimeUnit.SECONDS);
            if (name == null) {
                throw new AssertionError("no probe of " + target + " started within 10 s");
            }
            if (name.equals(target)) {
                return;
            }
        }
    }

    public List<Instant> startsOf(String target) {
        return starts.stream().filter(s -> s.target().equals(target)).map(Start::at).toList();
    }

    @Override
    public List<ProbeResult> probe(TargetConfig target) {
        Instant started = clock.instant();
        starts.add(new Start(target.name(), started));
        this.started.add(target.name());
        CountDownLatch gate = gates.get(target.name());
        while (gate != null) {
            try {
                gate.await();
                break;
            } catch (InterruptedException e) {
                interrupted.add(target.name());
                interruptions.add(target.name());
                if (!deaf.containsKey(target.name())) {
                    Thread.currentThread().interrupt();
                    return result(target, Outcome.DEADLINE_EXCEEDED, started);
                }
            }
        }
        return result(target, Outcome.OK, started);
    }

    /** One result per host: the target's host, or mx_hosts hosts named mx1.DOMAIN, mx2.DOMAIN, ... */
    private static List<ProbeResult> result(TargetConfig target, Outcome outcome, Instant started) {
        List<String> hosts = target.mx() == null ? List.of(target.host())
                : IntStream.rangeClosed(1, target.mxHosts()).mapToObj(i -> "mx" + i + "." + target.mx()).toList();
        return hosts.stream().map(host -> new ProbeResult(target.name(), host, "127.0.0.1", target.port(),
                target.mode(), outcome, null, "", Map.of(Phase.TOTAL, Duration.ofMillis(5)), null, started, null))
                .toList();
    }
}
