package io.smtpprobe.probe;

import io.smtpprobe.config.Mode;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
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
 * @param dnsFailure for {@link Outcome#DNS_FAILURE}, whether DNS answered "no such name" or could not be
 *     asked (timeout, SERVFAIL, network unreachable); null for every other outcome
 * @param attempts the host's addresses tried before the one this result is of, in order (revision 3: a host is
 *     tried on its addresses until one answers); empty when the first one decided
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
        String transcript,
        DnsFailure dnsFailure,
        List<AddressAttempt> attempts) {

    /** One address of a host that was tried and did not answer. */
    public record AddressAttempt(String address, Outcome outcome, String detail) {}

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
        if (dnsFailure != null && outcome != Outcome.DNS_FAILURE) {
            throw new IllegalArgumentException("dnsFailure is only for dns_failure, found " + outcome.label());
        }
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    /** A result decided by the first address tried. */
    public ProbeResult(String target, String host, String address, int port, Mode mode, Outcome outcome, String reply,
            String detail, Map<Phase, Duration> phases, TlsInfo tls, Instant startedAt, String transcript,
            DnsFailure dnsFailure) {
        this(target, host, address, port, mode, outcome, reply, detail, phases, tls, startedAt, transcript, dnsFailure,
                List.of());
    }

    /** A result that did not fail in DNS, or whose DNS failure is of no known kind. */
    public ProbeResult(String target, String host, String address, int port, Mode mode, Outcome outcome, String reply,
            String detail, Map<Phase, Duration> phases, TlsInfo tls, Instant startedAt, String transcript) {
        this(target, host, address, port, mode, outcome, reply, detail, phases, tls, startedAt, transcript, null);
    }

    /** This result with the kind of its DNS failure (for {@link Outcome#DNS_FAILURE} only). */
    public ProbeResult withDnsFailure(DnsFailure kind) {
        return new ProbeResult(target, host, address, port, mode, outcome, reply, detail, phases, tls, startedAt,
                transcript, kind, attempts);
    }

    /** This result after the host's other addresses were tried: the phases of them all, and what each ended in. */
    public ProbeResult afterAttempts(List<AddressAttempt> before, Map<Phase, Duration> allPhases) {
        return new ProbeResult(target, host, address, port, mode, outcome, reply, detail, allPhases, tls, startedAt,
                transcript, dnsFailure, before);
    }

    /** Whether probing this host took a DNS lookup: its host is a name (or an MX domain), not an IP literal. */
    public boolean neededLookup() {
        try {
            return IpLiteral.parse(host).isEmpty();
        } catch (IllegalArgumentException e) {
            return true; // not a valid literal, so it went to the resolver and failed there
        }
    }

    /**
     * The three-digit code of {@link #reply()} (RFC 5321 section 4.2), or 0 when there is no reply or it
     * does not start with one.
     */
    public int replyCode() {
        if (reply == null || reply.length() < 3) {
            return 0;
        }
        for (int i = 0; i < 3; i++) {
            if (reply.charAt(i) < '0' || reply.charAt(i) > '9') {
                return 0;
            }
        }
        if (reply.length() > 3 && reply.charAt(3) != ' ' && reply.charAt(3) != '-') {
            return 0;
        }
        return Integer.parseInt(reply.substring(0, 3));
    }

    public Duration total() {
        return phases.getOrDefault(Phase.TOTAL, Duration.ZERO);
    }
}
