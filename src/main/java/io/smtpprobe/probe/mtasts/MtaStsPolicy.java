package io.smtpprobe.probe.mtasts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An MTA-STS policy as a domain publishes it at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}
 * (RFC 8461 section 3.2).
 *
 * @param id the {@code id} of the {@code _mta-sts} TXT record it was fetched for
 * @param mode enforce, testing or none
 * @param mx the MX host patterns ({@code mail.example.com}, {@code *.example.net})
 * @param maxAgeSeconds how long the policy may be cached
 */
record MtaStsPolicy(String id, Mode mode, List<String> mx, long maxAgeSeconds) {
    /** RFC 8461 section 3.2: max_age is at most 31557600 seconds (about a year). */
    static final long MAX_AGE_LIMIT = 31_557_600L;

    enum Mode {
        ENFORCE, TESTING, NONE;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    MtaStsPolicy {
        mx = List.copyOf(mx);
    }

    /**
     * Whether {@code host} is one of the policy's MX hosts: equal, or matching a {@code *.} pattern in
     * exactly its leftmost label (RFC 8461 section 4.1), without regard to case or a final dot.
     */
    boolean matches(String host) {
        String name = normal(host);
        for (String pattern : mx) {
            String p = normal(pattern);
            if (p.startsWith("*.")) {
                int dot = name.indexOf('.');
                if (dot > 0 && name.substring(dot + 1).equals(p.substring(2))) {
                    return true;
                }
            } else if (p.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static String normal(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /**
     * Parses the policy text: {@code key: value} lines ending in CRLF or LF; unknown keys are ignored
     * (RFC 8461 section 3.2).
     *
     * @throws IllegalArgumentException saying what is missing or wrong
     */
    static MtaStsPolicy parse(String id, String text) {
        String version = null;
        Mode mode = null;
        Long maxAge = null;
        List<String> mx = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("a line is not 'key: value'");
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            // "If a field is repeated, the first occurrence is used" (RFC 8461 section 3.2); mx alone repeats.
            switch (key) {
                case "version" -> version = version != null ? version : value;
                case "mode" -> mode = mode != null ? mode : mode(value);
                case "max_age" -> maxAge = maxAge != null ? maxAge : maxAge(value);
                case "mx" -> mx.add(value);
                default -> {
                    // Extensions are ignored (RFC 8461 section 3.2).
                }
            }
        }
        if (!"STSv1".equals(version)) {
            throw new IllegalArgumentException(version == null ? "no version field" : "version is not STSv1");
        }
        if (mode == null) {
            throw new IllegalArgumentException("no mode field");
        }
        if (maxAge == null) {
            throw new IllegalArgumentException("no max_age field");
        }
        if (mx.isEmpty() && mode != Mode.NONE) {
            throw new IllegalArgumentException("no mx field");
        }
        return new MtaStsPolicy(id, mode, mx, maxAge);
    }

    private static Mode mode(String value) {
        return switch (value) {
            case "enforce" -> Mode.ENFORCE;
            case "testing" -> Mode.TESTING;
            case "none" -> Mode.NONE;
            default -> throw new IllegalArgumentException("mode is not enforce, testing or none");
        };
    }

    private static long maxAge(String value) {
        if (!value.matches("[0-9]{1,10}")) {
            throw new IllegalArgumentException("max_age is not a number of seconds");
        }
        long seconds = Long.parseLong(value);
        if (seconds > MAX_AGE_LIMIT) {
            throw new IllegalArgumentException("max_age is over " + MAX_AGE_LIMIT + " seconds");
        }
        return seconds;
    }
}
