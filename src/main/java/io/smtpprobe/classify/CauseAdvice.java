package io.smtpprobe.classify;

import io.smtpprobe.probe.ProbeResult;

/**
 * What each {@link Cause} means and what to do about it (README.md "Reading the verdicts"): one explanation and one action
 * per cause, naming the VM's public IP where the reply quotes it and the config key where the probe's own
 * settings are at fault.
 */
final class CauseAdvice {
    private CauseAdvice() {}

    /** What the cause says about this refusal, in a sentence. */
    static String meaning(Cause cause, ProbeResult r) {
        String ip = RefusalReader.quotedAddress(r.reply()).map(a -> " (" + a + ")").orElse("");
        return switch (cause) {
            case RECIPIENT_UNKNOWN -> "the probe's rcpt_to does not exist at " + r.host();
            case RELAY_DENIED -> r.host() + " does not receive mail for the domain of the probe's rcpt_to";
            case SENDER_NOT_ALLOWED -> "the probe may not send as its mail_from there";
            case IP_BLOCKLISTED -> "this VM's public IP" + ip + " is on a blocklist the receiver uses";
            case NO_REVERSE_DNS -> "this VM's public IP" + ip + " has no reverse DNS (PTR) name that matches";
            case HELO_REJECTED -> "the receiver refused the HELO name the probe gave (probe.helo_name)";
            case SENDER_POLICY -> "the sending domain's SPF or DMARC does not allow this VM";
            case RATE_LIMITED -> "the receiver limits how much this VM's address" + ip + " sends (passing)";
            case GREYLISTED -> "the receiver greylists new senders: a retry delivers (passing)";
            case TLS_REQUIRED -> "the receiver wants STARTTLS before mail";
            case AUTH_REQUIRED -> "the host wants credentials: it is a relay, not a receiver of mail for its domain";
            case SERVICE_UNAVAILABLE -> "the receiver is too busy now (passing)";
            case POLICY -> "a policy of the receiver, which the reply names";
            case OTHER -> "the reply says why";
        };
    }

    /** What to do, for the refusal {@code r} of target {@code target}. */
    static String action(Cause cause, ProbeResult r) {
        String ip = RefusalReader.quotedAddress(r.reply()).orElse("the VM's public IP");
        return switch (cause) {
            case RECIPIENT_UNKNOWN, RELAY_DENIED -> "Set rcpt_to of target " + r.target()
                    + " to an address that exists at that domain (or remove rcpt_to: the probe then stops after"
                    + " MAIL FROM).";
            case SENDER_NOT_ALLOWED -> "Set mail_from of target " + r.target()
                    + " to an address the account or this VM may send as.";
            case IP_BLOCKLISTED -> "Look " + ip + " up where the reply points (Spamhaus, Microsoft's sender portal"
                    + " at https://sender.office.com) and request removal; Azure's public addresses are often listed,"
                    + " so an authenticated relay on port 587 is the usual way out.";
            case NO_REVERSE_DNS -> "Give " + ip + " a PTR name that resolves back to it (for an Azure public IP:"
                    + " az network public-ip update --reverse-fqdn), and use that name as probe.helo_name.";
            case HELO_REJECTED -> "Set probe.helo_name to a fully-qualified name that resolves to " + ip + ".";
            case SENDER_POLICY -> "Publish SPF (and DMARC) for the domain of mail_from that include this VM's public"
                    + " IP, or send through the domain's own relay on port 587.";
            case RATE_LIMITED, GREYLISTED, SERVICE_UNAVAILABLE -> "Retry later: nothing to change if it passes; if it"
                    + " lasts, probe less often (probe.interval) or send through a relay on port 587.";
            case TLS_REQUIRED -> "Set starttls of target " + r.target() + " to opportunistic or required.";
            case AUTH_REQUIRED -> "Probe it as a relay: mode submission with auth (username and password_file) for"
                    + " target " + r.target() + ".";
            case POLICY, OTHER -> "Read the reply; the receiver's postmaster pages explain its codes. Where it names"
                    + " nothing, the usual lasting reasons are " + ip + " on blocklists (Spamhaus, for example), no"
                    + " reverse DNS (PTR) name matching the HELO name, or the SPF of the sending domain; an"
                    + " authenticated relay on port 587 avoids them.";
        };
    }
}
