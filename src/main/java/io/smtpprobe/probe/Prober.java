package io.smtpprobe.probe;

import io.smtpprobe.config.TargetConfig;
import java.util.List;

/**
 * Probes one configured target: resolves it (MX records for {@code mx:} targets, A/AAAA otherwise)
 * and makes one attempt per resolved host. Never throws for anything the network or the peer does;
 * every failure is an {@link Outcome}.
 */
public interface Prober {
    /** One result per probed host; a target that does not resolve yields one {@code dns_failure} result. */
    List<ProbeResult> probe(TargetConfig target);
}
