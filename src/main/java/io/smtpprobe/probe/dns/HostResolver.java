package io.smtpprobe.probe.dns;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/** Name resolution for probes. IP literals are returned as they are, without any lookup. */
public interface HostResolver {
    /**
     * The mail exchangers of a domain, lowest preference first, at most {@code max}. A domain with no
     * MX records but an address is its own implicit MX (RFC 5321 section 5.1); a null MX (RFC 7505)
     * is a failure.
     */
    List<String> mxHosts(String domain, int max) throws ResolutionException;

    /** The addresses of a host in the configured family, in the order they should be tried. */
    List<InetAddress> addresses(String host) throws ResolutionException;

    /**
     * The TXT records at {@code name}, each record's strings joined; empty when the name or the records
     * do not exist. Used for the {@code _mta-sts} record (RFC 8461 section 3.1). A resolver that cannot
     * look TXT records up finds none.
     *
     * @throws ResolutionException when the name servers gave no answer (timeout, SERVFAIL)
     */
    default List<String> txt(String name) throws ResolutionException {
        return List.of();
    }

    /**
     * {@link #mxHosts(String, int)} within {@code budget}, the time the probe's deadline leaves: one
     * deadline bounds DNS with the rest of the probe. A resolver that cannot wait on the network (tests'
     * loopback resolvers) needs no budget.
     */
    default List<String> mxHosts(String domain, int max, Duration budget) throws ResolutionException {
        return mxHosts(domain, max);
    }

    /** {@link #txt(String)} within {@code budget}; see {@link #mxHosts(String, int, Duration)}. */
    default List<String> txt(String name, Duration budget) throws ResolutionException {
        return txt(name);
    }

    /** {@link #addresses(String)} within {@code budget}; see {@link #mxHosts(String, int, Duration)}. */
    default List<InetAddress> addresses(String host, Duration budget) throws ResolutionException {
        return addresses(host);
    }
}
