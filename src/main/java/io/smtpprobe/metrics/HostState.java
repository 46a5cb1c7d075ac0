package io.smtpprobe.metrics;

import io.smtpprobe.classify.Cause;
import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.classify.Role;
import io.smtpprobe.classify.Verdict;
import io.smtpprobe.config.Mode;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * The latest result of one probed host of one target, as its series show it: the current outcome and
 * verdict (exported as 1; other values are absent), and what was measured.
 *
 * <p>A phase the last probe did not reach is NaN here and absent from the exposition, not 0: 0 would claim
 * an instant phase, and a NaN series breaks every average over a fleet (issue 15). The certificate expiry is
 * NaN, and absent, when the last probe negotiated no TLS.
 *
 * @param role the target's role, a label of {@code smtp_probe_success} so alerts find relays of any mode
 * @param phaseSeconds seconds per phase, indexed by {@link Phase#ordinal()}, NaN where the probe did not get
 * @param tlsVerified 1 or 0 for a verified or unverified TLS session, NaN when the probe negotiated none
 * @param cause why the server refused the last probe; null when it was not a refusal (no series then)
 */
record HostState(String host, int port, Mode mode, Role role, Outcome outcome, Verdict verdict,
                 double[] phaseSeconds, double certificateExpiry, double tlsVerified, Cause cause) {

    static HostState of(ClassifiedResult classified) {
        ProbeResult result = classified.result();
        double[] seconds = new double[Phase.values().length];
        Arrays.fill(seconds, Double.NaN);
        for (Map.Entry<Phase, Duration> e : result.phases().entrySet()) {
            seconds[e.getKey().ordinal()] = toSeconds(e.getValue());
        }
        double expiry = result.tls() != null && result.tls().certificateExpiry() != null
                ? result.tls().certificateExpiry().getEpochSecond()
                : Double.NaN;
        // 1/0 when the probe negotiated TLS; NaN (the series left out) when it did not.
        double verified = result.tls() == null ? Double.NaN : result.tls().verified() ? 1 : 0;
        return new HostState(result.host(), result.port(), result.mode(), classified.role(), result.outcome(),
                classified.verdict(), seconds, expiry, verified, classified.cause());
    }

    /** Whether a result for this host is the same series (a changed port or mode makes other labels). */
    boolean matches(ProbeResult result) {
        return result.port() == port && result.mode() == mode;
    }

    boolean reached(Phase phase) {
        return !Double.isNaN(phaseSeconds[phase.ordinal()]);
    }

    boolean negotiatedTls() {
        return !Double.isNaN(certificateExpiry);
    }

    double phaseSeconds(Phase phase) {
        return phaseSeconds[phase.ordinal()];
    }

    static double toSeconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
