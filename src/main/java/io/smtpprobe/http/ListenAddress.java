package io.smtpprobe.http;

import java.net.InetSocketAddress;

/** Parses {@code web.listen_address}: {@code :9925} (every interface), {@code 127.0.0.1:9925}, {@code [::1]:9925}. */
public final class ListenAddress {
    private ListenAddress() {}

    public static InetSocketAddress parse(String text) {
        return parse(text, "web.listen_address");
    }

    /**
     * @param name how the user wrote the setting ({@code web.listen_address} or {@code --web.listen-address}),
     *     for the message
     * @throws IllegalArgumentException saying what is wrong and naming the setting
     */
    public static InetSocketAddress parse(String text, String name) {
        String value = text == null ? "" : text.trim();
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(
                    name + ": expected host:port or :port, found \"" + value + "\"");
        }
        String host = value.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name + ": the port must be a number, found \"" + value + "\"");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(
                    name + ": the port must be between 0 and 65535, found " + port);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0 || host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
            throw new IllegalArgumentException(name + ": write an IPv6 address in brackets, as [::1]:9925, found \""
                    + value + "\"");
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(name + ": \"" + host + "\" is not an address of this machine"
                    + " (it does not resolve); use an IP address, or :" + port + " for every interface");
        }
        return address;
    }
}
