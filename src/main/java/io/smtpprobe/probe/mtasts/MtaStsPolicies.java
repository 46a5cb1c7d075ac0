package io.smtpprobe.probe.mtasts;

import io.smtpprobe.probe.dns.HostResolver;
import io.smtpprobe.probe.dns.ResolutionException;
import io.smtpprobe.probe.step.CauseChain;
import io.smtpprobe.probe.step.ProbeDeadline;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.TrustManager;

/**
 * The MTA-STS policies (RFC 8461) of the {@code mx:} domains probed, looked up as a sending MTA does:
 * the {@code _mta-sts} TXT record at every probe (a domain without one costs exactly that query), the
 * policy over HTTPS only when the record's {@code id} is new or the cached policy expired, cached for
 * its {@code max_age}. A policy that cannot be fetched counts as none (RFC 8461 section 5), and the
 * probe's detail says so. Thread-safe; one per prober.
 */
public final class MtaStsPolicies {
    public static final int HTTPS_PORT = 443;
    private static final Pattern ID = Pattern.compile("(?:^|;)\\s*id=([A-Za-z0-9]{1,32})\\s*(?:;|$)");

    private record Cached(MtaStsPolicy policy, Instant expires) {}

    /**
     * The domain's policy for this probe.
     *
     * @param policy the policy in force, or null
     * @param problem why a published policy could not be used, or null
     */
    public record Lookup(String domain, MtaStsPolicy policy, String problem) {
        /** What the policy means for {@code host}. */
        public MtaStsVerdict forHost(String host) {
            if (policy == null) {
                return problem == null ? MtaStsVerdict.NONE
                        : new MtaStsVerdict(false, "MTA-STS: " + problem + "; treated as no policy (RFC 8461 section 5)",
                        "");
            }
            String which = "the MTA-STS policy of " + domain + " (mode " + policy.mode().label() + ", id " + policy.id()
                    + ")";
            if (policy.mode() == MtaStsPolicy.Mode.NONE) {
                return new MtaStsVerdict(false, which + " asks for nothing", "");
            }
            if (!policy.matches(host)) {
                return new MtaStsVerdict(false, host + " is not among the MX hosts " + which + " lists ("
                        + String.join(", ", policy.mx()) + ")" + (policy.mode() == MtaStsPolicy.Mode.ENFORCE
                        ? ": senders that honour the policy will not deliver to it" : ": a testing-mode finding"), "");
            }
            if (policy.mode() == MtaStsPolicy.Mode.TESTING) {
                return new MtaStsVerdict(false, which + " is in testing mode: certificate failures are reported,"
                        + " not enforced", "");
            }
            return new MtaStsVerdict(true, which + " enforces verified TLS for this host",
                    which + " enforces verified TLS for this host: senders that honour it will not deliver here");
        }
    }

    private final HostResolver resolver;
    private final MtaStsFetch fetch;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public MtaStsPolicies(HostResolver resolver, Clock clock, int httpsPort) {
        this.resolver = resolver;
        this.clock = clock;
        this.fetch = new MtaStsFetch(resolver, httpsPort);
    }

    /**
     * Looks the policy of {@code domain} up, fetching it within {@code deadline} when needed.
     *
     * @param trust what the policy host's certificate must chain to (the system store, or tls.ca_file)
     */
    public Lookup lookup(String domain, TrustManager[] trust, ProbeDeadline deadline) {
        String name = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        Cached cached = cache.get(name);
        if (cached != null && !clock.instant().isBefore(cached.expires())) {
            cache.remove(name, cached);
            cached = null;
        }
        List<String> records;
        try {
            records = resolver.txt("_mta-sts." + name, deadline.remaining());
        } catch (ResolutionException e) {
            return cached != null ? new Lookup(name, cached.policy(), null)
                    : new Lookup(name, null, "the _mta-sts." + name + " TXT lookup failed (" + e.getMessage() + ")");
        }
        List<String> sts = records.stream().filter(r -> r.startsWith("v=STSv1;") || r.equals("v=STSv1")).toList();
        if (sts.isEmpty()) {
            // No record: a cached policy still holds until it expires (RFC 8461 section 5.1).
            return new Lookup(name, cached == null ? null : cached.policy(), null);
        }
        if (sts.size() > 1) {
            return new Lookup(name, cached == null ? null : cached.policy(),
                    "_mta-sts." + name + " has " + sts.size() + " v=STSv1 TXT records (RFC 8461 section 3.1 allows one)");
        }
        Matcher id = ID.matcher(sts.get(0).substring("v=STSv1".length()));
        if (!id.find()) {
            return new Lookup(name, cached == null ? null : cached.policy(),
                    "the _mta-sts." + name + " TXT record has no valid id");
        }
        if (cached != null && cached.policy().id().equals(id.group(1))) {
            return new Lookup(name, cached.policy(), null);
        }
        try {
            MtaStsPolicy policy = MtaStsPolicy.parse(id.group(1), fetch.fetch(name, trust, deadline));
            cache.put(name, new Cached(policy, clock.instant().plusSeconds(policy.maxAgeSeconds())));
            return new Lookup(name, policy, null);
        } catch (IOException | IllegalArgumentException e) {
            String why = "_mta-sts." + name + " announces a policy (id " + id.group(1) + "), but " + fetch.url(name)
                    + (CauseChain.find(e, SocketTimeoutException.class) != null ? " did not answer within the probe deadline of "
                    + ProbeDeadline.seconds(deadline.timeout())
                    : e instanceof IOException ? " could not be fetched: " + CauseChain.message(e)
                    : " is not a valid policy: " + e.getMessage());
            // A policy that was cached still holds (RFC 8461 section 5.1); without one, none applies.
            return new Lookup(name, cached == null ? null : cached.policy(), cached == null ? why : null);
        }
    }
}
