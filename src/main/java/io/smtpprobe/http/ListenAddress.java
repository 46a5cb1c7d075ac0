package io.smtpprobe.http;

import java.net.InetSocketAddress;

/** Parses {@code web.listen_address}: {@code :9925} (every interface), {@code 127.0.0.1:9925}, {@code [::1]:9925}. */
public final class ListenAddress {
    private ListenAddress() {}

    public static InetSocketAddress parse(String text) {
        String value = text == null ? "" : text.trim();
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(
                    "web.listen_address: expected host:port or :port, found \"" + value + "\"");
        }
        String host = value.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "web.listen_address: the port must be a number, found \"" + value + "\"");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(
                    "web.listen_address: the port must be between 0 and 65535, found " + port);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
