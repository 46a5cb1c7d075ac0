package io.smtpprobe.probe.dns;

import io.smtpprobe.probe.IpLiteral;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Parses {@code dns.servers} entries into socket addresses, without any lookup. */
final class NameServers {
    static final int DNS_PORT = 53;

    private NameServers() {}

    /**
     * Each entry is {@code address}, {@code address:port}, {@code [v6-address]:port} or a bare IPv6
     * address. Name servers must be IP addresses: resolving a name server's own name would need the
     * very resolver being configured (resolv.conf has the same rule).
     *
     * @throws IllegalArgumentException naming the entry ({@code dns.servers[1]}) and what is wrong
     */
    static List<InetSocketAddress> parse(List<String> entries) {
        List<InetSocketAddress> servers = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String key = "dns.servers[" + i + "]";
            try {
                servers.add(parseOne(entries.get(i).strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(servers);
    }

    private static InetSocketAddress parseOne(String entry) {
        String host = entry;
        int port = DNS_PORT;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + entry + "' has '[' without ']'; write [2001:db8::53]:53");
            }
            host = entry.substring(0, close + 1);
            String rest = entry.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + entry + "': expected ':port' after ']'");
                }
                port = port(entry, rest.substring(1));
            }
        } else if (entry.indexOf(':') >= 0 && entry.indexOf(':') == entry.lastIndexOf(':')) {
            // exactly one colon: IPv4 address and port; more than one is a bare IPv6 address
            host = entry.substring(0, entry.indexOf(':'));
            port = port(entry, entry.substring(entry.indexOf(':') + 1));
        }
        Optional<InetAddress> address = IpLiteral.parse(host);
        if (address.isEmpty()) {
            throw new IllegalArgumentException("'" + entry + "' is not an IP address; name servers are given"
                    + " by address (for example 168.63.129.16 or 10.0.0.4:53), as in resolv.conf");
        }
        return new InetSocketAddress(address.get(), port);
    }

    private static int port(String entry, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below with the entry
        }
        throw new IllegalArgumentException("'" + entry + "': port must be a number between 1 and 65535, found '"
                + text + "'");
    }

    /** {@code 10.0.0.4:53} or {@code [2001:db8::53]:53}, the form a person wrote in dns.servers. */
    static String describe(InetSocketAddress server) {
        String host = server.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getPort();
    }
}
