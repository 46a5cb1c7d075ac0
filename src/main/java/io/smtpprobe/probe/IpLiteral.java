package io.smtpprobe.probe;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Optional;
import org.xbill.DNS.Address;

/**
 * Recognises IP address literals without ever consulting a resolver. {@link InetAddress#getByName}
 * is not used for the test because it falls back to a name lookup for strings it does not parse.
 */
final class IpLiteral {
    private IpLiteral() {}

    /**
     * The address written in {@code text} (dotted-quad IPv4, IPv6 with or without brackets and with an
     * optional {@code %scope}), or empty when {@code text} is a host name.
     *
     * @throws IllegalArgumentException when {@code text} can only be an IPv6 literal (it has brackets
     *     or a colon, which no host name has) but is not a valid one
     */
    static Optional<InetAddress> parse(String text) {
        byte[] v4 = Address.toByteArray(text, Address.IPv4);
        if (v4 != null) {
            return Optional.of(byAddress(v4));
        }
        String v6 = text;
        boolean bracketed = v6.startsWith("[") && v6.endsWith("]");
        if (bracketed) {
            v6 = v6.substring(1, v6.length() - 1);
        }
        if (!bracketed && !v6.contains(":")) {
            return Optional.empty();
        }
        String scope = null;
        int percent = v6.indexOf('%');
        if (percent >= 0) {
            scope = v6.substring(percent + 1);
            v6 = v6.substring(0, percent);
        }
        byte[] bytes = Address.toByteArray(v6, Address.IPv6);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not a valid IPv6 address");
        }
        return Optional.of(scope == null ? byAddress(bytes) : scoped(text, bytes, scope));
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            // getByAddress only throws for a wrong length, which Address.toByteArray never returns
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress scoped(String text, byte[] bytes, String scope) {
        try {
            if (!scope.isEmpty() && scope.chars().allMatch(Character::isDigit)) {
                return Inet6Address.getByAddress(null, bytes, Integer.parseInt(scope));
            }
            NetworkInterface nif = NetworkInterface.getByName(scope);
            if (nif == null) {
                throw new IllegalArgumentException(
                        "'" + text + "': no network interface named '" + scope + "' on this machine");
            }
            return Inet6Address.getByAddress(null, bytes, nif);
        } catch (UnknownHostException | SocketException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage(), e);
        }
    }
}
