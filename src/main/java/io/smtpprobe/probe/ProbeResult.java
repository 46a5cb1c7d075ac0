package io.smtpprobe.probe;

import io.smtpprobe.config.Mode;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The result of one probe of one host.
 *
 * @param target the configured target name
 * @param host the probed host name (an MX host for {@code mx:} targets, or the MX domain itself when
 *     resolution failed)
 * @param address the IP address connected to, or null when none was resolved
 * @param port the destination port
 * @param reply the last reply line the server sent, or null; server text, never used as a label
 * @param detail a short human explanation of the outcome, never containing a secret
 * @param phases how long each completed phase took; {@link Phase#TOTAL} is always present
 * @param tls the TLS session, or null when none was negotiated
 * @param transcript the redacted SMTP conversation when one was asked for, else null
 */
public record ProbeResult(
        String target,
        String host,
        String address,
        int port,
        Mode mode,
        Outcome outcome,
        String reply,
        String detail,
        Map<Phase, Duration> phases,
        TlsInfo tls,
        Instant startedAt,
        String transcript) {

    public ProbeResult {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(startedAt, "startedAt");
        EnumMap<Phase, Duration> copy = new EnumMap<>(Phase.class);
        copy.putAll(phases);
        phases = Collections.unmodifiableMap(copy);
        detail = detail == null ? "" : detail;
    }

    public Duration total() {
        return phases.getOrDefault(Phase.TOTAL, Duration.ZERO);
    }
}
