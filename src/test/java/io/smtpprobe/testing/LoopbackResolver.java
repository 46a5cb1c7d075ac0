package io.smtpprobe.testing;

import io.smtpprobe.probe.dns.HostResolver;
import io.smtpprobe.probe.dns.ResolutionException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test data for name resolution: fixed names that map to loopback literals, and IP literals as they
 * are. Anything else does not resolve, so no test can reach a real name server.
 */
public final class LoopbackResolver implements HostResolver {
    private final Map<String, List<String>> hosts = new HashMap<>();
    private final Map<String, List<String>> mx = new HashMap<>();

    /** A name with one address or more, given in the order DNS would answer them. */
    public LoopbackResolver host(String name, String... literals) {
        hosts.put(name, List.of(literals));
        return this;
    }

    public LoopbackResolver mx(String domain, String... exchangers) {
        mx.put(domain, List.of(exchangers));
        return this;
    }

    @Override
    public List<String> mxHosts(String domain, int max) throws ResolutionException {
        List<String> exchangers = mx.get(domain);
        if (exchangers == null) {
            throw new ResolutionException("NXDOMAIN: " + domain + " does not exist");
        }
        return exchangers.subList(0, Math.min(max, exchangers.size()));
    }

    @Override
    public List<InetAddress> addresses(String host) throws ResolutionException {
        List<InetAddress> addresses = new java.util.ArrayList<>();
        for (String literal : hosts.getOrDefault(host, List.of(host))) {
            if (!literal.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw new ResolutionException("NXDOMAIN: " + host + " does not exist");
            }
            try {
                addresses.add(InetAddress.getByName(literal));
            } catch (UnknownHostException e) {
                throw new ResolutionException("not an address: " + literal, e);
            }
        }
        return addresses;
    }
}
