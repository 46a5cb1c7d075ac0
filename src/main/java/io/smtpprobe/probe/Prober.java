package io.smtpprobe.probe;

import io.smtpprobe.config.TargetConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Probes one configured target: resolves it (MX records for {@code mx:} targets, A/AAAA otherwise)
 * and makes one attempt per resolved host. Never throws for anything the network or the peer does;
 * every failure is an {@link Outcome}.
 */
public interface Prober {
    /** One result per probed host; a target that does not resolve yields one {@code dns_failure} result. */
    List<ProbeResult> probe(TargetConfig target);

    /**
     * The same probe, run on {@code threads}: the daemon's form. Every part of it that needs a thread
     * (resolution, setup, the conversation) runs there; a prober may wait for the network without one
     * in between. The future completes with what {@link #probe(TargetConfig)} would return, or
     * exceptionally only for a bug. This default runs the blocking probe as one task.
     */
    default CompletableFuture<List<ProbeResult>> probe(TargetConfig target, Executor threads) {
        return CompletableFuture.supplyAsync(() -> probe(target), threads);
    }
}
