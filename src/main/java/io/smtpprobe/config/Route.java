package io.smtpprobe.config;

/**
 * How traffic to a target leaves the VM, which decides whether Azure's port-25 rule applies to it.
 * Azure's block covers traffic routed to the internet; private destinations are not subject to it.
 */
public enum Route {
    /** Decide from the destination address: RFC 1918, RFC 6598, ULA, link-local and loopback are private. */
    AUTO,
    /** Treat the destination as internet-routed whatever its address. */
    INTERNET,
    /** Treat the destination as private whatever its address. */
    PRIVATE
}
