package io.smtpprobe.probe;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Optional;
import org.xbill.DNS.Address;

/**
 * The one place IP address literals are read and written: recognised without ever consulting a
 * resolver ({@link InetAddress#getByName} is not used for the test because it falls back to a name
 * lookup for strings it does not parse), and written as people write them.
 */
public final class IpLiteral {
    private IpLiteral() {}

    /**
     * The address written in {@code text} (dotted-quad IPv4, IPv6 with or without brackets and with an
     * optional {@code %scope}), or empty when {@code text} is a host name.
     *
     * @throws IllegalArgumentException when {@code text} can only be an IPv6 literal (it has brackets
     *     or a colon, which no host name has) but is not a valid one
     */
    public static Optional<InetAddress> parse(String text) {
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

    /** The address as people write it: IPv6 in the RFC 5952 form ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}). */
    public static String format(InetAddress address) {
        String text = address.getHostAddress();
        if (!(address instanceof java.net.Inet6Address)) {
            return text;
        }
        int percent = text.indexOf('%');
        String scope = percent < 0 ? "" : text.substring(percent);
        String[] groups = (percent < 0 ? text : text.substring(0, percent)).split(":");
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not compressed (RFC 5952 section 4.2.2)
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0) {
            return text;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail + scope;
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
