package io.smtpprobe.classify;

import io.smtpprobe.probe.Outcome;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@link Cause} of a refusal from its reply (README.md "Reading the verdicts"): the enhanced status code of
 * RFC 3463 ({@code class.subject.detail}) where it is specific, then the known texts of large receivers
 * and of Postfix and Exim, then where in the session it came, and last the generic {@code X.7.x} "policy".
 * Most receivers answer a blocklisted IP or a relay attempt with the generic 5.7.1, so the texts are read
 * before it. The reply is server text: it is matched, never used as a label.
 */
public final class RefusalReader {
    private static final Pattern ENHANCED = Pattern.compile("^\\d{3}[ -]([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");
    /** An IPv4 or IPv6 literal in brackets, as receivers quote the client: "Client host [20.1.2.3]". */
    private static final Pattern QUOTED_ADDRESS = Pattern.compile(
            "\\[(?:IPv6:)?((?:\\d{1,3}\\.){3}\\d{1,3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]+)]");
    /** An IPv4 literal without brackets, as Exim's ACL messages and Microsoft's TSS04 quote the client. */
    private static final Pattern BARE_IPV4 = Pattern.compile("(?<![\\d.])((?:\\d{1,3}\\.){3}\\d{1,3})(?!\\.?\\d)");

    /** Known texts, in the order they are tried; each lower case. */
    private static final List<Rule> TEXTS = List.of(
            new Rule(Cause.RELAY_DENIED, "relay access denied", "relay not permitted", "relaying denied",
                    "unable to relay"),
            new Rule(Cause.SENDER_NOT_ALLOWED, "not owned by user", "not permitted to send as",
                    "does not have permissions to send as"),
            new Rule(Cause.IP_BLOCKLISTED, "blocked using", "spamhaus", "s3150", "s3140", "[bl21]", "[bl23]",
                    "block list", "blocklist", "blacklist", "black list"), // Exim's example ACL: "in a black list at"
            new Rule(Cause.NO_REVERSE_DNS, " ptr", "(ptr", "ptr record", "reverse dns", "cannot find your hostname",
                    "cannot find your reverse hostname", "client host rejected: cannot find"),
            new Rule(Cause.RECIPIENT_UNKNOWN, "user unknown", "unknown user", "unrouteable address",
                    "no such user"),
            new Rule(Cause.GREYLISTED, "greylist", "graylist"),
            new Rule(Cause.RATE_LIMITED, "tss04", "too many connections", "rate limit", "too many messages"),
            new Rule(Cause.HELO_REJECTED, "helo command rejected"),
            new Rule(Cause.SENDER_POLICY, "spf", "dmarc"),
            new Rule(Cause.AUTH_REQUIRED, "authentication required"),
            new Rule(Cause.SERVICE_UNAVAILABLE, "too busy"));

    private RefusalReader() {}

    /** Whether this outcome is a refusal: a 4xx or 5xx at the greeting, EHLO, MAIL FROM, RCPT TO or AUTH. */
    public static boolean isRefusal(Outcome outcome) {
        return switch (outcome) {
            case GREETING_REJECTED, EHLO_REJECTED, SENDER_REJECTED, RECIPIENT_REJECTED, AUTH_REJECTED, AUTH_TEMPFAIL ->
                    true;
            case OK, DNS_FAILURE, TCP_TIMEOUT, TCP_REFUSED, UNREACHABLE, NO_ROUTE, GREETING_TIMEOUT, PROTOCOL_ERROR,
                    STARTTLS_UNAVAILABLE, TLS_HANDSHAKE_FAILED, TLS_CERTIFICATE_INVALID, AUTH_UNAVAILABLE,
                    DEADLINE_EXCEEDED, ERROR -> false;
        };
    }

    /** The cause of a refusal; null for an outcome that is not one. */
    public static Cause cause(Outcome outcome, String reply) {
        if (!isRefusal(outcome)) {
            return null;
        }
        String text = reply == null ? "" : reply.toLowerCase(Locale.ROOT);
        int code = code(text);
        Matcher enhanced = ENHANCED.matcher(text);
        int subject = -1;
        int detail = -1;
        if (enhanced.find()) {
            subject = Integer.parseInt(enhanced.group(2));
            detail = Integer.parseInt(enhanced.group(3));
        }
        boolean deferredAtRcpt = outcome == Outcome.RECIPIENT_REJECTED && (code == 450 || code == 451)
                && text.contains("try again later");
        Cause byCode = specificCode(outcome, subject, detail, text, deferredAtRcpt);
        if (byCode != null) {
            return byCode;
        }
        for (Rule rule : TEXTS) {
            if (rule.matches(text)) {
                return rule.cause();
            }
        }
        if (subject == 7 && detail == 23) {
            return Cause.SENDER_POLICY; // RFC 7372: SPF validation failed (Gmail's 421 4.7.23 says PTR: read above)
        }
        if (deferredAtRcpt) {
            return Cause.GREYLISTED;
        }
        if (outcome == Outcome.EHLO_REJECTED && code >= 500) {
            return Cause.HELO_REJECTED;
        }
        if (outcome == Outcome.GREETING_REJECTED && code == 421) {
            return Cause.SERVICE_UNAVAILABLE;
        }
        return subject == 7 ? Cause.POLICY : Cause.OTHER;
    }

    /** The codes that name one cause whatever the text says; null for the others. */
    private static Cause specificCode(Outcome outcome, int subject, int detail, String text, boolean deferredAtRcpt) {
        if (subject == 1 && (detail == 0 || detail == 1 || detail == 10)) {
            // At MAIL FROM the address in question is the sender's.
            return outcome == Outcome.SENDER_REJECTED || text.contains("sender address rejected")
                    ? Cause.SENDER_NOT_ALLOWED : Cause.RECIPIENT_UNKNOWN;
        }
        if (subject == 1 && detail == 8) {
            return Cause.SENDER_NOT_ALLOWED;
        }
        if (subject == 3 && detail == 2) {
            // Postfix's "defer" (what a greylisting restriction answers) says 450 4.3.2 "Try again later" at RCPT:
            // a deferral of this sender, read by its text below, not a loaded receiver.
            return deferredAtRcpt ? null : Cause.SERVICE_UNAVAILABLE;
        }
        if (subject != 7) {
            return null;
        }
        if (detail == 60) {
            return Cause.SENDER_NOT_ALLOWED;
        }
        if (detail >= 606 && detail <= 649) {
            return Cause.IP_BLOCKLISTED;
        }
        if (detail == 25) {
            return Cause.NO_REVERSE_DNS;
        }
        if (detail == 26 || detail == 27) {
            return Cause.SENDER_POLICY;
        }
        if (detail == 28) {
            return Cause.RATE_LIMITED;
        }
        if (detail == 57) {
            return Cause.AUTH_REQUIRED;
        }
        if (detail == 0 && text.startsWith("530")) {
            return text.contains("starttls") ? Cause.TLS_REQUIRED : Cause.AUTH_REQUIRED;
        }
        if (detail == 550 && text.startsWith("451")) {
            return Cause.RATE_LIMITED; // Microsoft's 451 4.7.550: throttled
        }
        return null;
    }

    /**
     * The client address a reply quotes (most refusals name it: "Client host [20.1.2.3]"; Exim's and some others
     * without brackets: "Rejected because 20.1.2.3 is in a black list"), if any. A bare address in 127.0.0.0/8
     * is a DNSBL's answer code ("127.0.0.2"), never the client.
     */
    public static Optional<String> quotedAddress(String reply) {
        if (reply == null) {
            return Optional.empty();
        }
        Matcher m = QUOTED_ADDRESS.matcher(reply);
        if (m.find()) {
            return Optional.of(m.group(1));
        }
        Matcher bare = BARE_IPV4.matcher(reply);
        while (bare.find()) {
            String address = bare.group(1);
            if (isIpv4(address) && !address.startsWith("127.")) {
                return Optional.of(address);
            }
        }
        return Optional.empty();
    }

    private static boolean isIpv4(String dotted) {
        for (String octet : dotted.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    private static int code(String text) {
        if (text.length() < 3 || !Character.isDigit(text.charAt(0)) || !Character.isDigit(text.charAt(1))
                || !Character.isDigit(text.charAt(2))) {
            return 0;
        }
        return Integer.parseInt(text.substring(0, 3));
    }

    private record Rule(Cause cause, String... texts) {
        boolean matches(String text) {
            for (String t : texts) {
                if (text.contains(t)) {
                    return true;
                }
            }
            return false;
        }
    }
}
