package io.smtpprobe.probe;

import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.target.TargetProber;
import io.smtpprobe.testing.LoopbackResolver;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** A real prober on loopback names, with a short deadline, timing each probe from outside. */
final class ProberFixture implements AutoCloseable {
    final Duration timeout;
    final LoopbackResolver resolver = new LoopbackResolver().host("localhost", "127.0.0.1");
    private final TargetProber prober;
    private long lastElapsedNanos;

    ProberFixture(Duration timeout) {
        this(timeout, false);
    }

    ProberFixture(Duration timeout, boolean transcript) {
        this.timeout = timeout;
        ProbeOptions options =
                new ProbeOptions(timeout, "probe.test", new DnsConfig(List.of(), IpFamily.IPV4), transcript);
        prober = new TargetProber(options, resolver, Clock.systemUTC(), Ticker.SYSTEM);
    }

    List<ProbeResult> probeAll(TargetConfig target) {
        long start = System.nanoTime();
        List<ProbeResult> results = prober.probe(target);
        lastElapsedNanos = System.nanoTime() - start;
        return results;
    }

    ProbeResult probe(TargetConfig target) {
        List<ProbeResult> results = probeAll(target);
        if (results.size() != 1) {
            throw new AssertionError("expected one result, got " + results);
        }
        return results.get(0);
    }

    /** Wall time of the last probe, measured around the call. */
    Duration lastElapsed() {
        return Duration.ofNanos(lastElapsedNanos);
    }

    @Override
    public void close() {
        prober.close();
    }
}
