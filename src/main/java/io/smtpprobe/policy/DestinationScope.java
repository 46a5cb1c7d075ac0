package io.smtpprobe.policy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Decides whether a destination is routed to the internet. Azure's port-25 block applies only to
 * internet-routed traffic (public addresses, Azure public IPs, the VM's own public IP); private
 * ranges are not subject to it.
 */
public final class DestinationScope {
    private DestinationScope() {}

    /**
     * True for RFC 1918, RFC 6598 (shared address space), loopback, link-local, unspecified, IPv6
     * unique-local (fc00::/7) and IPv4-mapped forms of those.
     */
    public static boolean isPrivate(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()
                || address.isSiteLocalAddress()) {
            return true;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 100 && second >= 64 && second <= 127; // RFC 6598 100.64.0.0/10
        }
        if (address instanceof Inet6Address) {
            return (b[0] & 0xfe) == 0xfc; // RFC 4193 unique local fc00::/7
        }
        return false;
    }
}
