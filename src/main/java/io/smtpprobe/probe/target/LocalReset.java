package io.smtpprobe.probe.target;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * Who sent an RST: one from an address on the internet that comes back within a millisecond cannot have
 * crossed the internet, so a firewall on this VM (or right beside it) sent it. Azure's own port-25 block drops
 * silently; a firewall that rejects with a reset is the VM's (nftables, iptables, ufw, firewalld), an NVA's
 * or one on the way, and the time tells the first apart.
 */
final class LocalReset {
    /** Faster than any round trip beyond the VM's own host. */
    static final Duration LOCAL = Duration.ofMillis(1);

    private LocalReset() {}

    /** What to add to a refused connect's detail: a sentence when the RST was local, else nothing. */
    static String note(InetAddress address, Duration connect) {
        if (address == null || connect.compareTo(LOCAL) >= 0 || !onTheInternet(address)) {
            return "";
        }
        return String.format(Locale.ROOT, "; the RST came back in %.2f ms, too soon to have crossed the"
                + " internet: a firewall on this VM (nftables, iptables, ufw, firewalld) or right beside it sent it",
                connect.toNanos() / 1e6);
    }

    /** Not this machine, not a private, link-local, shared (100.64.0.0/10) or unique-local address. */
    static boolean onTheInternet(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] a = address.getAddress();
        if (address instanceof Inet4Address) {
            return !((a[0] & 0xff) == 100 && (a[1] & 0xc0) == 64);
        }
        return (a[0] & 0xfe) != 0xfc;
    }
}
