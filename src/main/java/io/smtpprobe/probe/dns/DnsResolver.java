package io.smtpprobe.probe.dns;

import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.probe.DnsFailure;
import io.smtpprobe.probe.IpLiteral;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Resolves MX and address records with dnsjava, against {@code dns.servers} or, when that is empty,
 * the name servers of the system configuration (resolv.conf) as dnsjava reads it. Every query has an
 * explicit timeout and one attempt per name server. Immutable and safe to share between probes.
 */
public final class DnsResolver implements HostResolver {
    private final IpFamily ipFamily;
    private final DnsLookup lookup;
    private final String description;

    /**
     * @param config name servers ({@code host}, {@code host:port}, {@code [v6]:port}; empty for the
     *     system's) and the address family probes use
     * @param timeout for one query to one name server; a lookup that tries n servers takes at most n
     *     times this
     * @throws IllegalArgumentException for a {@code dns.servers} entry that is not an IP address with
     *     an optional port, naming the entry; for a timeout that is not positive
     */
    public DnsResolver(DnsConfig config, Duration timeout) {
        // The system configuration (dnsjava reads resolv.conf once, on first use) is asked for at
        // query time, not here: constructing reads nothing and contacts nothing.
        this(config, timeout, () -> ResolverConfig.getCurrentConfig().servers());
    }

    /** With the source of the system's name servers given, for tests of the empty-servers path. */
    DnsResolver(DnsConfig config, Duration timeout, Supplier<List<InetSocketAddress>> systemServers) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("DNS timeout must be positive, found " + timeout);
        }
        this.ipFamily = Objects.requireNonNull(config.ipFamily(), "config.ipFamily");
        List<InetSocketAddress> servers = NameServers.parse(config.servers());
        if (servers.isEmpty()) {
            this.lookup = new DnsLookup(timeout, systemServers);
            this.description = "system name servers";
        } else {
            this.lookup = new DnsLookup(timeout, () -> servers);
            this.description = servers.stream().map(NameServers::describe).collect(Collectors.joining(", "));
        }
    }

    @Override
    public List<String> mxHosts(String domain, int max) throws ResolutionException {
        return mxHosts(domain, max, (Long) null);
    }

    @Override
    public List<String> mxHosts(String domain, int max, Duration budget) throws ResolutionException {
        return mxHosts(domain, max, System.nanoTime() + budget.toNanos());
    }

    /** @param end when the lookups must be over, on {@link System#nanoTime()}; null: each query its timeout */
    private List<String> mxHosts(String domain, int max, Long end) throws ResolutionException {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, found " + max);
        }
        Name name = absolute(domain);
        DnsAnswer answer = ask(name, Type.MX, end);
        return switch (answer.status()) {
            case RECORDS -> exchanges(domain, answer.records(), max);
            case NO_RECORDS -> implicitMx(domain, end);
            case NXDOMAIN, FAILED -> throw new ResolutionException(
                    display(domain) + ": MX lookup failed: " + answer.reason(), kind(answer));
        };
    }

    @Override
    public List<InetAddress> addresses(String host) throws ResolutionException {
        return addresses(host, (Long) null);
    }

    @Override
    public List<InetAddress> addresses(String host, Duration budget) throws ResolutionException {
        return addresses(host, System.nanoTime() + budget.toNanos());
    }

    private List<InetAddress> addresses(String host, Long end) throws ResolutionException {
        Optional<InetAddress> literal;
        try {
            literal = IpLiteral.parse(host);
        } catch (IllegalArgumentException e) {
            throw new ResolutionException(e.getMessage(), e);
        }
        if (literal.isPresent()) {
            return List.of(literal.get());
        }
        Resolved resolved = resolve(absolute(host), end);
        if (resolved.addresses().isEmpty()) {
            throw new ResolutionException(display(host) + ": " + resolved.failure(), resolved.kind());
        }
        return resolved.addresses();
    }

    @Override
    public List<String> txt(String name) throws ResolutionException {
        return txt(name, (Long) null);
    }

    @Override
    public List<String> txt(String name, Duration budget) throws ResolutionException {
        return txt(name, System.nanoTime() + budget.toNanos());
    }

    private List<String> txt(String name, Long end) throws ResolutionException {
        DnsAnswer answer = ask(absolute(name), Type.TXT, end);
        return switch (answer.status()) {
            case RECORDS -> answer.records().stream()
                    .map(r -> String.join("", ((TXTRecord) r).getStrings()))
                    .toList();
            case NO_RECORDS, NXDOMAIN -> List.of();
            case FAILED -> throw new ResolutionException(display(name) + ": TXT lookup failed: " + answer.reason(),
                    DnsFailure.RESOLVER_FAILED);
        };
    }

    /** Addresses found, or when there are none, why and of which kind. */
    private record Resolved(List<InetAddress> addresses, String failure, DnsFailure kind) {}

    /** Whether the name servers answered (the name or record is not there) or gave no usable answer. */
    private static DnsFailure kind(DnsAnswer answer) {
        return answer.status() == DnsAnswer.Status.FAILED ? DnsFailure.RESOLVER_FAILED : DnsFailure.NO_SUCH_NAME;
    }

    private Resolved resolve(Name name, Long end) throws ResolutionException {
        return switch (ipFamily) {
            case IPV4 -> single(name, Type.A, end);
            case IPV6 -> single(name, Type.AAAA, end);
            case ANY -> both(name, end);
        };
    }

    /**
     * RFC 7505 section 3: a domain that accepts no mail publishes one MX with preference 0 and the
     * root as exchange. A "." among real exchanges is a misconfiguration; the real ones are used.
     * Equal preferences keep the order of the answer (RFC 5321 section 5.1 allows picking at random)
     * so that the same hosts are probed round after round and their series stay continuous.
     */
    private static List<String> exchanges(String domain, List<Record> records, int max) throws ResolutionException {
        List<MXRecord> mx = new ArrayList<>();
        for (Record r : records) {
            mx.add((MXRecord) r);
        }
        if (mx.stream().allMatch(r -> r.getTarget().equals(Name.root))) {
            throw new ResolutionException("domain " + display(domain)
                    + " publishes a null MX (RFC 7505): it accepts no mail");
        }
        mx.sort(Comparator.comparingInt(MXRecord::getPriority)); // List.sort is stable
        Set<String> hosts = new LinkedHashSet<>();
        for (MXRecord r : mx) {
            if (!r.getTarget().equals(Name.root) && hosts.size() < max) {
                hosts.add(r.getTarget().toString(true));
            }
        }
        return List.copyOf(hosts);
    }

    /** RFC 5321 section 5.1: no MX records but an address make the domain its own mail exchanger. */
    private List<String> implicitMx(String domain, Long end) throws ResolutionException {
        Resolved resolved = resolve(absolute(domain), end);
        if (resolved.addresses().isEmpty()) {
            throw new ResolutionException(display(domain) + ": no MX records, and no address to use as an implicit"
                    + " MX (RFC 5321 section 5.1): " + resolved.failure(), resolved.kind());
        }
        return List.of(display(domain));
    }

    private Resolved single(Name name, int type, Long end) throws ResolutionException {
        DnsAnswer answer = ask(name, type, end);
        // the other family may have addresses: say which setting chose this one
        String note = "; dns.ip_family is " + ipFamily.name().toLowerCase(Locale.ROOT);
        return new Resolved(addressesOf(answer.records()), failure(answer, type, note), kind(answer));
    }

    /**
     * IPv4 first, then IPv6. On Azure a VM has IPv6 egress only in a dual-stack virtual network, and
     * the port-25 policy this tool diagnoses is about IPv4 public addresses; trying IPv6 first would
     * mostly measure a missing route. RFC 6724 would prefer IPv6 only given a global IPv6 source.
     */
    private Resolved both(Name name, Long end) throws ResolutionException {
        DnsAnswer v4 = ask(name, Type.A, end);
        if (v4.status() == DnsAnswer.Status.NXDOMAIN || v4.status() == DnsAnswer.Status.FAILED) {
            // A name that does not exist has no AAAA either (RFC 8020 section 2), and name servers
            // that time out or fail for A do the same for AAAA: a second query would only double
            // the wait and repeat the reason.
            return new Resolved(List.of(), failure(v4, Type.A, ""), kind(v4));
        }
        DnsAnswer v6 = ask(name, Type.AAAA, end);
        List<InetAddress> found = new ArrayList<>(addressesOf(v4.records()));
        found.addAll(addressesOf(v6.records()));
        String failure = v6.status() == DnsAnswer.Status.NO_RECORDS
                ? "no A or AAAA records (the name exists but has no address)"
                : failure(v4, Type.A, "") + "; " + failure(v6, Type.AAAA, "");
        return new Resolved(List.copyOf(found), failure, kind(v6));
    }

    /** Why a lookup gave no address; {@code note} is added to the explanation of "no records". */
    private static String failure(DnsAnswer answer, int type, String note) {
        String kind = Type.string(type);
        if (answer.status() == DnsAnswer.Status.NO_RECORDS) {
            String family = type == Type.A ? "IPv4" : "IPv6";
            return "no " + kind + " records (the name exists but has no " + family + " address" + note + ")";
        }
        return kind + " lookup failed: " + answer.reason();
    }

    private static List<InetAddress> addressesOf(List<Record> records) {
        Set<InetAddress> out = new LinkedHashSet<>();
        for (Record r : records) {
            if (r instanceof ARecord a) {
                out.add(a.getAddress());
            } else if (r instanceof AAAARecord aaaa) {
                out.add(aaaa.getAddress());
            }
        }
        return List.copyOf(out);
    }

    private DnsAnswer ask(Name name, int type, Long end) throws ResolutionException {
        try {
            return end == null ? lookup.ask(name, type) : lookup.ask(name, type, end);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResolutionException(name.toString(true) + ": " + Type.string(type) + " lookup interrupted",
                    DnsFailure.RESOLVER_FAILED, e);
        }
    }

    /** Absolute, so that no search-path suffix is ever tried: probes name hosts in full. */
    private static Name absolute(String text) throws ResolutionException {
        Objects.requireNonNull(text, "name");
        try {
            return Name.fromString(text.strip(), Name.root);
        } catch (TextParseException e) {
            throw new ResolutionException("'" + text + "' is not a valid domain name: " + e.getMessage(), e);
        }
    }

    private static String display(String name) {
        String s = name.strip();
        return s.endsWith(".") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return "DnsResolver[" + description + ", " + ipFamily.name().toLowerCase(Locale.ROOT) + "]";
    }
}
