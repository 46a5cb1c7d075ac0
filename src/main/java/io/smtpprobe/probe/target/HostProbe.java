package io.smtpprobe.probe.target;

import io.smtpprobe.config.Mode;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.DnsFailure;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.dns.ResolutionException;
import io.smtpprobe.probe.mtasts.MtaStsVerdict;
import io.smtpprobe.probe.net.Connector;
import io.smtpprobe.probe.step.PhaseClock;
import io.smtpprobe.probe.step.ProbeDeadline;
import io.smtpprobe.probe.step.Step;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One probe of one host, within one deadline made here and read by every step: resolve, then one
 * {@link HostAttempt} per connection, in the order a mail server makes them (revision 3).
 * <ul>
 * <li>The host is tried on its addresses in the order DNS gives them, at most {@code probe.addresses_per_host},
 *     until one answers; an address that gets no connection (no route, an RST, an ICMP reject, a SYN the kernel
 *     gave up on before the deadline) passes the turn to the next (RFC 5321 section 5.1). The result is that of
 *     the first address that answered, with the ones before it as attempts.
 * <li>On port 25 with opportunistic TLS, a STARTTLS handshake that fails is retried once on a new connection
 *     without STARTTLS, as Postfix does at its default {@code may} level.
 * </ul>
 */
final class HostProbe {
    private final HostAttempt.Tools tools;
    private final TargetConfig target;
    private final String host;
    private final Instant startedAt;
    private final PhaseClock phases;
    private final ProbeDeadline deadline;
    /** An MX target's DNS time, shared by its lookups; null when only this probe's own deadline applies. */
    private final DnsBudget targetDns;
    /** What the domain's MTA-STS policy says of this host; {@link MtaStsVerdict#NONE} outside mx: targets. */
    private final MtaStsVerdict sts;
    /** The host's addresses to try, in DNS order. */
    private List<InetAddress> addresses;
    /** The results of the addresses tried before the current one. */
    private final List<ProbeResult> tried = new ArrayList<>();

    /**
     * @param deadline this host's deadline, made by the prober: the probe timeout, within what is left of an
     *     mx: target's own
     * @param before for an mx: target, the time its hosts' probes share, spent before this one began: the MX
     *     lookup (dns) and the MTA-STS policy (mta_sts); counted in this result's phases and total
     */
    HostProbe(HostAttempt.Tools tools, TargetConfig target, String host, ProbeDeadline deadline,
            Map<Phase, Long> before, Instant startedAt, DnsBudget targetDns, MtaStsVerdict sts) {
        this.tools = tools;
        this.target = target;
        this.host = host;
        this.startedAt = startedAt;
        this.targetDns = targetDns;
        this.sts = sts;
        this.phases = new PhaseClock(tools.ticker());
        this.deadline = deadline;
        before.forEach(phases::addBefore);
    }

    /**
     * Probes the host, each TCP connect waiting on {@code connector}: resolution and setup run on this thread,
     * which is free again once a connect is started; conversations run on {@code threads}.
     */
    CompletableFuture<ProbeResult> run(Connector connector, Executor threads) {
        ProbeResult unresolved = resolve();
        if (unresolved != null) {
            return CompletableFuture.completedFuture(unresolved);
        }
        return attempt(0, null, connector, threads);
    }

    /**
     * Connects to address {@code index}; then retries it without STARTTLS, or goes on to the next address, as a
     * mail server would, while the deadline leaves time.
     *
     * @param failedHandshake non-null for the retry without STARTTLS after this handshake failure
     */
    private CompletableFuture<ProbeResult> attempt(int index, String failedHandshake, Connector connector,
            Executor threads) {
        HostAttempt connection = new HostAttempt(tools, target, host, startedAt, phases, deadline, sts,
                addresses.get(index), failedHandshake);
        return connection.run(connector, threads).thenCompose(result -> {
            if (failedHandshake == null && fallsBackToPlaintext(result) && !deadline.passed()) {
                // Postfix at its default "may" level: "When TLS handshakes fail, the connection is retried with
                // TLS disabled" (postconf(5), smtp_tls_security_level). Once, on a new connection; a retry that
                // gets no connection (a connection-rate limit) leaves the handshake failure as the host's result.
                return attempt(index, result.detail(), connector, threads)
                        .thenApply(retry -> retry.outcome().connected() ? retry : decided(result));
            }
            if (index + 1 >= addresses.size() || !triesNextAddress(result.outcome()) || deadline.passed()) {
                return CompletableFuture.completedFuture(decided(result));
            }
            tried.add(result);
            return attempt(index + 1, null, connector, threads); // the next address gets STARTTLS again
        });
    }

    /**
     * Whether an MTA would go on to the host's next address after this outcome: the connection was not made
     * (RFC 5321 section 5.1: "the SMTP client SHOULD try at least two addresses").
     */
    private static boolean triesNextAddress(Outcome outcome) {
        return switch (outcome) {
            case NO_ROUTE, TCP_REFUSED, UNREACHABLE, TCP_TIMEOUT -> true;
            case OK, DNS_FAILURE, GREETING_TIMEOUT, GREETING_REJECTED, PROTOCOL_ERROR, EHLO_REJECTED,
                    STARTTLS_UNAVAILABLE, TLS_HANDSHAKE_FAILED, TLS_CERTIFICATE_INVALID, AUTH_UNAVAILABLE,
                    AUTH_REJECTED, AUTH_TEMPFAIL, SENDER_REJECTED, RECIPIENT_REJECTED, DEADLINE_EXCEEDED,
                    ERROR -> false;
        };
    }

    /**
     * Whether the failed handshake is one an MTA retries without TLS: STARTTLS on port 25 where TLS is
     * opportunistic; never where it is enforced ({@code starttls: required}, an MTA-STS policy in enforce).
     */
    private boolean fallsBackToPlaintext(ProbeResult result) {
        StartTls starttls = target.starttls() == null ? StartTls.OPPORTUNISTIC : target.starttls();
        return result.outcome() == Outcome.TLS_HANDSHAKE_FAILED && target.mode() == Mode.SMTP
                && starttls == StartTls.OPPORTUNISTIC && !sts.enforced();
    }

    /**
     * The host's result once its addresses are done: the last one tried when it connected; when none did,
     * the first that says something of the path (an address without a route says nothing), so a dropped
     * IPv4 SYN is not hidden behind an IPv6 address the VM cannot reach. The others become attempts.
     */
    private ProbeResult decided(ProbeResult last) {
        List<ProbeResult> all = new ArrayList<>(tried);
        all.add(last);
        ProbeResult chosen = last.outcome().connected() ? last
                : all.stream().filter(r -> r.outcome() != Outcome.NO_ROUTE).findFirst().orElse(last);
        if (all.size() == 1) {
            return chosen;
        }
        List<ProbeResult.AddressAttempt> before = all.stream().filter(r -> r != chosen)
                .map(r -> new ProbeResult.AddressAttempt(r.address(), r.outcome(), r.detail())).toList();
        return chosen.afterAttempts(before, phases.finish());
    }

    /** Resolves the host to the addresses to try, or returns the DNS failure as the result. */
    private ProbeResult resolve() {
        phases.enter(Step.DNS);
        try {
            addresses = addressesToTry();
            return null;
        } catch (ResolutionException | RuntimeException e) {
            OutcomeMapper.Mapped mapped = tools.mapper().map(e, dnsContext(deadline));
            return new ProbeResult(target.name(), host, null, TargetProber.port(target), target.mode(),
                    mapped.outcome(), null, mapped.detail() + sts.note(mapped.outcome()), phases.finish(), null,
                    startedAt, null).withDnsFailure(dnsFailure(e));
        }
    }

    /**
     * The host's first addresses in DNS order (at most {@code probe.addresses_per_host}), each carrying the host
     * name: TLS checks the certificate against the name.
     */
    private List<InetAddress> addressesToTry() throws ResolutionException {
        long left = deadline.remainingNanos();
        if (targetDns != null) {
            if (targetDns.spent()) {
                throw new ResolutionException(host + ": no time left to resolve it: this MX target's earlier lookups"
                        + " used up its DNS time of " + ProbeDeadline.seconds(targetDns.timeout()));
            }
            left = Math.min(left, targetDns.leftNanos());
        }
        // One deadline bounds DNS with everything else: a lookup that runs out of it is a dns_failure, which
        // says what happened, not a deadline_exceeded of a conversation that never began.
        long start = tools.ticker().nanoTime();
        List<InetAddress> found;
        try {
            found = tools.resolver().addresses(host, Duration.ofNanos(Math.max(1, left)));
        } finally {
            if (targetDns != null) {
                targetDns.spend(tools.ticker().nanoTime() - start);
            }
        }
        if (found.isEmpty()) {
            throw new ResolutionException("no address for " + host);
        }
        List<InetAddress> named = new ArrayList<>();
        for (InetAddress address : found.subList(0, Math.min(found.size(),
                Math.max(1, tools.options().addressesPerHost())))) {
            try {
                named.add(InetAddress.getByAddress(host, address.getAddress()));
            } catch (UnknownHostException e) {
                throw new ResolutionException("the resolver returned an invalid address for " + host, e);
            }
        }
        return named;
    }

    /** The kind of a failed lookup, or null when it is not a resolution failure (a bug is an error). */
    static DnsFailure dnsFailure(Throwable failure) {
        return failure instanceof ResolutionException resolution ? resolution.kind() : null;
    }

    static OutcomeMapper.Context dnsContext(ProbeDeadline deadline) {
        return new OutcomeMapper.Context(Step.DNS, false, deadline.timeout().toMillis(), false, null, 0, null, false,
                false);
    }
}
