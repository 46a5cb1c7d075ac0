package io.smtpprobe.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The textual forms config values take: durations, host names, addresses, {@code host:port} and
 * mail addresses. Purely syntactic: nothing here resolves a name or touches the network.
 */
final class Syntax {
    private static final Pattern DURATION = Pattern.compile("(?:\\d{1,9}(?:ms|s|m|h))+");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    // RFC 1123 section 2.1 labels: letters, digits and inner hyphens, at most 63 characters.
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile(
            "(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    // Starting with a hex digit or a colon keeps InetAddress on its literal-parsing path (no lookup).
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*");
    // RFC 5321 section 4.1.2 dot-atom local part, without quoted strings (never needed for probes).
    private static final Pattern LOCAL_PART = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** Where reading a duration stops adding: far above any key's maximum, far below overflow. */
    static final Duration DURATION_CEILING = Duration.ofDays(365 * 100);

    private Syntax() {}

    /**
     * {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} or sums like {@code 1m30s}; null when malformed.
     * A sum beyond {@link #DURATION_CEILING} reads as the ceiling, so that no text can overflow it; every
     * key has a far lower maximum.
     */
    static Duration parseDuration(String text) {
        String trimmed = text.trim();
        if (!DURATION.matcher(trimmed).matches()) {
            return null;
        }
        long millis = 0;
        Matcher part = DURATION_PART.matcher(trimmed);
        while (part.find()) {
            long amount = Long.parseLong(part.group(1)); // at most 9 digits, so the product below fits a long
            millis += amount * switch (part.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1_000L;
                case "m" -> 60_000L;
                default -> 3_600_000L;
            };
            if (millis > DURATION_CEILING.toMillis()) {
                return DURATION_CEILING;
            }
        }
        return Duration.ofMillis(millis);
    }

    /** The shortest form {@link #parseDuration} reads back: {@code 5m}, {@code 1m30s}, {@code 1500ms}. */
    static String formatDuration(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        StringBuilder text = new StringBuilder();
        if (seconds >= 3600) {
            text.append(seconds / 3600).append('h');
            seconds %= 3600;
        }
        if (seconds >= 60) {
            text.append(seconds / 60).append('m');
            seconds %= 60;
        }
        if (seconds > 0) {
            text.append(seconds).append('s');
        }
        return text.toString();
    }

    /** A DNS name (one trailing dot allowed); a name whose last label is all digits is a mistyped address. */
    static boolean isDomainName(String text) {
        String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }

    static boolean isIpv4(String text) {
        return IPV4.matcher(text).matches();
    }

    static boolean isIpv6(String text) {
        if (!text.contains(":") || !IPV6_CHARS.matcher(text).matches()) {
            return false;
        }
        try {
            InetAddress.getByName(text); // a literal: parsed, never looked up (see IPV6_CHARS)
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A host name, an IPv4 address or an IPv6 address (without brackets). */
    static boolean isHost(String text) {
        return isIpv4(text) || isIpv6(text) || isDomainName(text);
    }

    /**
     * {@code host}, {@code host:port}, {@code [v6]:port} or a bare IPv6 address; with
     * {@code hostOptional}, {@code :port} too. Returns null when valid, otherwise what is wrong.
     */
    static String checkHostPort(String text, boolean hostOptional, boolean portRequired) {
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return "an IPv6 address in brackets needs its closing ]";
            }
            host = text.substring(1, close);
            if (!isIpv6(host)) {
                return "\"" + host + "\" in brackets is not an IPv6 address";
            }
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return "expected :PORT after ]";
                }
                port = rest.substring(1);
            }
        } else if (text.indexOf(':') != text.lastIndexOf(':')) {
            host = text; // a bare IPv6 address cannot carry a port
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        if (port == null && portRequired && hostOptional && host.matches("\\d{1,5}")) {
            return "write :" + host + " to listen on every interface";
        }
        if (host.isEmpty() ? !hostOptional : !isHost(host)) {
            return host.isEmpty() ? "the host is missing" : "\"" + host + "\" is not a host name or IP address";
        }
        if (port == null) {
            return portRequired ? "the port is missing (host:port)" : null;
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            return "the port must be between 1 and 65535, found \"" + port + "\"";
        }
        return null;
    }

    /** {@code local@domain} with a dot-atom local part and a domain name or address literal. */
    static boolean isMailAddress(String text) {
        int at = text.lastIndexOf('@');
        if (at <= 0 || text.length() > 254) {
            return false;
        }
        String local = text.substring(0, at);
        String domain = text.substring(at + 1);
        boolean domainOk = isDomainName(domain)
                || (domain.startsWith("[") && domain.endsWith("]") && isIpv4(domain.substring(1, domain.length() - 1)))
                || (domain.startsWith("[IPv6:") && domain.endsWith("]") && isIpv6(domain.substring(6, domain.length() - 1)));
        return local.length() <= 64 && LOCAL_PART.matcher(local).matches() && domainOk;
    }

    /** A GUID as Entra writes tenant and client ids: {@code 00000000-0000-0000-0000-000000000000}. */
    static boolean isGuid(String text) {
        return GUID.matcher(text).matches();
    }

    /** Names of the {@code ${VAR}} references in a value, in order. */
    static List<String> variables(String text) {
        return VARIABLE.matcher(text).results().map(m -> m.group(1)).toList();
    }

    /** Replaces each {@code ${VAR}}; every variable must be in {@code environment}. */
    static String expand(String text, Map<String, String> environment) {
        return VARIABLE.matcher(text).replaceAll(m -> Matcher.quoteReplacement(environment.get(m.group(1))));
    }
}
