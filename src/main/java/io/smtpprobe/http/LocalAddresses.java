package io.smtpprobe.http;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/** Whether a client connects from this machine: a loopback address, or one of this machine's own. */
final class LocalAddresses {
    private LocalAddresses() {}

    /** @param address the client's address as Jetty gives it (an IP literal; never looked up) */
    static boolean isLocal(String address) {
        try {
            InetAddress client = address == null ? null : io.smtpprobe.probe.IpLiteral.parse(address).orElse(null);
            return client != null && (client.isLoopbackAddress() || NetworkInterface.getByInetAddress(client) != null);
        } catch (IllegalArgumentException | SocketException e) {
            return false;
        }
    }
}
