package io.smtpprobe.probe;

/**
 * Why a name did not resolve, in the two kinds that call for different advice: DNS answered and the
 * name (or the record asked for) is not there, or no name server gave a usable answer at all.
 */
public enum DnsFailure {
    /** The name servers answered: NXDOMAIN, no MX or address records, a null MX, or not a valid name. */
    NO_SUCH_NAME,
    /** No name server gave a usable answer: timeout, SERVFAIL, REFUSED, network unreachable, no servers. */
    RESOLVER_FAILED
}
