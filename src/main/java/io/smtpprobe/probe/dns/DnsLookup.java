package io.smtpprobe.probe.dns;

import io.smtpprobe.probe.step.CauseChain;
import io.smtpprobe.probe.step.ProbeDeadline;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.WireParseException;
import org.xbill.DNS.lookup.LookupFailedException;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.ServerFailedException;

/**
 * Asks one question (name and type) of each name server in turn, one attempt each, until one gives
 * an answer (records, no records, or NXDOMAIN). A server that fails (timeout, SERVFAIL, REFUSED,
 * network error) hands over to the next, as a stub resolver does (RFC 1035 section 7.2), so the
 * total time is bounded by the timeout times the number of servers.
 *
 * <p>dnsjava's {@link LookupSession} does the asking: it follows CNAME and DNAME chains and drops
 * records the question did not ask for. It is built without cache, search path or hosts file, so
 * every probe sees what DNS says now, and the same for configured and system name servers.
 */
final class DnsLookup {
    private static final String TIMEOUT_HINT =
            "check dns.servers and that the name server is reachable on UDP and TCP port 53";
    private static final String SERVFAIL_HINT =
            "the name server could not get an answer: the domain's own name servers may be down or its DNSSEC broken";

    private final Duration timeout;
    private final Supplier<List<InetSocketAddress>> servers;

    DnsLookup(Duration timeout, Supplier<List<InetSocketAddress>> servers) {
        this.timeout = timeout;
        this.servers = servers;
    }

    /** Asks each server in turn, each for at most the configured timeout. */
    DnsAnswer ask(Name name, int type) throws InterruptedException {
        List<InetSocketAddress> targets = servers.get();
        return ask(name, type, targets, System.nanoTime() + timeout.toNanos() * Math.max(1, targets.size()));
    }

    /**
     * Asks each server in turn until {@code endNanos} (on {@link System#nanoTime()}): the probe's deadline
     * bounds its DNS time, whatever the number of servers. Each server gets the configured timeout or an
     * equal share of what is left, whichever is less, so that with three silent servers a 3 s probe still
     * asks all three (a second each) and ends at 3 s, not 9 (issue 14).
     */
    DnsAnswer ask(Name name, int type, long endNanos) throws InterruptedException {
        return ask(name, type, servers.get(), endNanos);
    }

    private DnsAnswer ask(Name name, int type, List<InetSocketAddress> targets, long endNanos)
            throws InterruptedException {
        if (targets.isEmpty()) {
            return DnsAnswer.failed("no name servers configured (set dns.servers)");
        }
        List<String> failures = new ArrayList<>();
        Set<String> hints = new LinkedHashSet<>();
        for (int i = 0; i < targets.size(); i++) {
            InetSocketAddress server = targets.get(i);
            long left = endNanos - System.nanoTime();
            if (left <= 0) {
                failures.add("no time left within the probe deadline to query " + NameServers.describe(server));
                hints.add(TIMEOUT_HINT);
                break;
            }
            Duration share = Duration.ofNanos(Math.min(timeout.toNanos(), left / (targets.size() - i)));
            CompletableFuture<LookupResult> pending = session(server, share).lookupAsync(name, type)
                    .toCompletableFuture();
            try {
                // dnsjava checks its own timeouts only once a second, so the deadline is enforced here.
                LookupResult result = pending.get(share.toNanos(), TimeUnit.NANOSECONDS);
                return DnsAnswer.of(result.getRecords().stream()
                        .filter(r -> r.getType() == type)
                        .collect(Collectors.toList()));
            } catch (TimeoutException e) {
                pending.cancel(true);
                failures.add(timedOut(server, share));
                hints.add(TIMEOUT_HINT);
            } catch (ExecutionException e) {
                Throwable cause = unwrap(e);
                if (cause instanceof NoSuchDomainException) {
                    return DnsAnswer.nxdomain();
                }
                if (cause instanceof NoSuchRRSetException) {
                    return DnsAnswer.of(List.of());
                }
                failures.add(describe(cause, server, share, hints));
            }
        }
        String reason = String.join("; ", failures);
        return DnsAnswer.failed(hints.isEmpty() ? reason : reason + " (" + String.join("; ", hints) + ")");
    }

    private static LookupSession session(InetSocketAddress server, Duration share) {
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setTimeout(share);
        return LookupSession.builder().resolver(resolver).build();
    }

    private static String timedOut(InetSocketAddress server, Duration waited) {
        // A share of a deadline is a few nanoseconds short of a round figure: shown to the hundredth of a second.
        Duration shown = Duration.ofMillis(Math.round(waited.toNanos() / 10_000_000.0) * 10);
        return "timed out after " + ProbeDeadline.seconds(shown.isZero() ? waited : shown) + " querying "
                + NameServers.describe(server);
    }

    private static String describe(Throwable cause, InetSocketAddress server, Duration share, Set<String> hints) {
        String where = NameServers.describe(server);
        if (cause instanceof ServerFailedException servfail) {
            hints.add(SERVFAIL_HINT);
            ExtendedErrorCodeOption ede = servfail.getExtendedRcode();
            return "SERVFAIL from " + where + (ede == null ? "" : " (extended DNS error: " + extendedError(ede) + ")");
        }
        if (cause instanceof SocketTimeoutException) {
            hints.add(TIMEOUT_HINT);
            return timedOut(server, share);
        }
        if (cause instanceof PortUnreachableException) {
            hints.add(TIMEOUT_HINT);
            return "nothing answers DNS at " + where + " (port unreachable)";
        }
        if (cause instanceof WireParseException) {
            return "malformed answer from " + where + ": " + cause.getMessage();
        }
        if (cause instanceof LookupFailedException) {
            // REFUSED and other error codes, CNAME loops, inconsistent zone data
            return where + " answered: " + cause.getMessage();
        }
        // The exception's message, never its class: reasons are read by people, not by Java developers (r3).
        if (cause instanceof IOException) {
            return "could not query " + where + ": " + CauseChain.message(cause);
        }
        return "unexpected failure querying " + where + ": " + CauseChain.message(cause);
    }

    private static String extendedError(ExtendedErrorCodeOption ede) {
        String text = ede.getText();
        String code = ExtendedErrorCodeOption.text(ede.getErrorCode());
        return text == null || text.isBlank() ? code : code + ": " + text;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof ExecutionException || current instanceof CompletionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
