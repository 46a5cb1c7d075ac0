package io.smtpprobe.classify;

import io.smtpprobe.config.AuthConfig;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.probe.DnsFailure;
import io.smtpprobe.probe.ProbeResult;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The wording of the findings about services the path reaches: a relay that fails, receivers that
 * refuse us. Neither is Azure's platform, and each action ends with the command that shows the session.
 */
final class ServiceFindings {
    private final CheckInvocation invocation;

    ServiceFindings(CheckInvocation invocation) {
        this.invocation = invocation;
    }

    Finding relayFailing(List<ClassifiedResult> failing) {
        ClassifiedResult first = failing.get(0);
        ProbeResult r = first.result();
        String which = failing.stream()
                .map(f -> f.result().target() + " (" + f.result().host() + ":" + f.result().port() + ") ends with "
                        + f.result().outcome().label() + (f.result().detail().isEmpty() ? "" : ": "
                        + f.result().detail()) + (f.cause() == null ? "" : " (cause " + f.cause().label() + ": "
                        + CauseAdvice.meaning(f.cause(), f.result()) + ")"))
                .collect(Collectors.joining("; "));
        String suspects = " so this is the relay, its credentials, or a firewall or route on the way.";
        String platform = r.port() != PolicyTable.SMTP_PORT ? " Azure never blocks ports 587 and 465," + suspects
                : !first.internet()
                ? " It is a relay on port 25 at a private destination, which Azure's port-25 block does not cover,"
                        + suspects
                : switch (first.expected()) {
                    case REACHABLE -> " Azure's policy lets port 25 through for this subscription," + suspects;
                    case BLOCKED -> " Port 25 to it was reached although Azure's policy blocks it for this"
                            + " subscription," + suspects;
                    case UNKNOWN -> " Whether Azure blocks port 25 for this subscription is not known (set"
                            + " subscription.offer), so this is Azure's port-25 block, the relay, its credentials,"
                            + " or a firewall or route on the way; a relay on 587 tells them apart.";
                };
        return new Finding(Diagnosis.RELAY_FAILING,
                (failing.size() == 1 ? "The relay " : "Relays fail: ") + which + "." + platform,
                relayAction(first) + " See the conversation: `" + invocation.check(r.target(), "--transcript") + "`.");
    }

    private static String relayAction(ClassifiedResult failing) {
        ProbeResult r = failing.result();
        if (failing.cause() != null && failing.cause() != Cause.POLICY && failing.cause() != Cause.OTHER
                && r.outcome() != io.smtpprobe.probe.Outcome.AUTH_REJECTED) {
            return CauseAdvice.action(failing.cause(), r); // the refusal says why: its cause's own action
        }
        String where = r.host() + ":" + r.port();
        return switch (r.outcome()) {
            case AUTH_REJECTED -> failing.auth() != null && failing.auth().isOAuth()
                    ? "The relay rejected the bearer token: check that the app or managed identity may send as "
                            + failing.auth().username() + " (SMTP.Send) and that SMTP AUTH is enabled for the mailbox."
                    : "Check the relay username and password" + passwordSource(failing.auth()) + ".";
            case AUTH_TEMPFAIL -> "The relay refused AUTH temporarily (" + reply(r, "454")
                    + "): its authentication service may be down. Retry later and check the relay's status.";
            case AUTH_UNAVAILABLE -> "The relay offers no AUTH mechanism we can use after TLS; check the port"
                    + " and mode (submission on 587, smtps on 465).";
            case TLS_CERTIFICATE_INVALID -> "The relay's certificate is not trusted for its name; check the"
                    + " host name, or set tls.ca_file for a private CA.";
            case STARTTLS_UNAVAILABLE -> "The relay does not offer STARTTLS; credentials are never sent in"
                    + " clear text. Check the host and port.";
            case NO_ROUTE -> "This VM has no route to " + r.address() + " (" + r.host() + "): give the VM that address"
                    + " family (IPv6 on the NIC and the subnet), or set dns.ip_family to the one it has.";
            case TCP_TIMEOUT, UNREACHABLE -> "Nothing answered at " + where + ": check the NSG outbound rules, any"
                    + " firewall, and for a private relay the route to it (peering, VPN, user-defined routes).";
            case TCP_REFUSED -> where + " refused the connection (RST): nothing listens there, or a firewall"
                    + " rejects. Check that the relay runs and listens on port " + r.port() + ".";
            case DNS_FAILURE -> r.dnsFailure() == DnsFailure.RESOLVER_FAILED
                    ? "The relay's name could not be looked up: check dns.servers and that the name servers answer."
                    : "DNS says the relay's name " + r.host() + " does not exist or has no address: check host.";
            case GREETING_REJECTED, EHLO_REJECTED, SENDER_REJECTED, RECIPIENT_REJECTED -> "The relay refused us ("
                    + reply(r, r.outcome().label()) + "): check that it accepts mail from this VM's address, and the"
                    + " configured mail_from and rcpt_to.";
            case OK, GREETING_TIMEOUT, PROTOCOL_ERROR, TLS_HANDSHAKE_FAILED, DEADLINE_EXCEEDED, ERROR ->
                    "Read the conversation to see where it stops.";
        };
    }

    /** Where the password really came from: the file, or the environment variable. */
    private static String passwordSource(AuthConfig auth) {
        if (auth == null || auth.passwordSource() == null) {
            return "";
        }
        String source = auth.passwordSource();
        return source.startsWith("env:")
                ? " (the password comes from the environment variable " + source.substring("env:".length()) + ")"
                : " (the password comes from password_file " + source + ")";
    }

    /** Every refusal is of the probe's own rcpt_to or mail_from: the path and the receivers work. */
    Finding probeMisconfigured(List<ClassifiedResult> refusing) {
        String who = refusing.stream().map(ServiceFindings::refusal).collect(Collectors.joining("; "));
        ClassifiedResult first = refusing.get(0);
        return new Finding(Diagnosis.PROBE_MISCONFIGURED,
                "Port 25 reaches the MX hosts and they talk to this VM; what they refuse is the probe's own address: "
                        + who + ". This is the probe's configuration, not Azure's platform or the receivers.",
                CauseAdvice.action(first.cause(), first.result()) + " Then run `"
                        + invocation.check(first.result().target(), "--transcript") + "`.");
    }

    Finding receiversRejecting(List<ClassifiedResult> refusing) {
        boolean lasting = refusing.stream().anyMatch(r -> r.verdict() == Verdict.RECEIVER_REJECTED);
        boolean passing = refusing.stream().anyMatch(r -> r.verdict() == Verdict.RECEIVER_UNAVAILABLE);
        String who = refusing.stream().map(ServiceFindings::refusal).collect(Collectors.joining("; "));
        String kinds = (lasting ? " A 5xx is lasting: the receiver does not want mail from this VM." : "")
                + (passing ? " A 4xx or an RST is passing: overload, a rate or connection limit, greylisting, or"
                        + " nothing listening right now (an RST may also come from a firewall that rejects)." : "");
        // The action of the most telling refusal: a lasting one with a cause before a passing one.
        ClassifiedResult telling = refusing.stream().filter(r -> r.cause() != null)
                .min(java.util.Comparator.comparing(r -> r.verdict() == Verdict.RECEIVER_REJECTED ? 0 : 1))
                .orElse(null);
        String action = telling != null ? CauseAdvice.action(telling.cause(), telling.result())
                : "Retry later; if it lasts, nothing listens on port 25 there or a firewall rejects: check the"
                        + " target's host or mx, and any firewall on this VM (nftables, iptables, ufw, firewalld).";
        return new Finding(Diagnosis.RECEIVERS_REJECTING,
                "Port 25 reaches the MX hosts as expected, but " + (refusing.size() == 1 ? "one does" : "some do")
                        + " not take mail from this VM: " + who + "." + kinds
                        + " This is the receiving side, not Azure's platform.",
                action + " See the conversation: `"
                        + invocation.check(refusing.get(0).result().target(), "--transcript") + "`.");
    }

    /** One refusing receiver: who, the reply, whether it lasts, and its cause. */
    private static String refusal(ClassifiedResult refusing) {
        ProbeResult r = refusing.result();
        String said = r.reply() != null ? "replied " + r.reply() : r.detail();
        String kind = refusing.verdict() == Verdict.RECEIVER_REJECTED ? "lasting" : "passing";
        String cause = refusing.cause() == null ? ""
                : ", cause " + refusing.cause().label() + ": " + CauseAdvice.meaning(refusing.cause(), r);
        return r.target() + " (" + r.host() + ":" + r.port() + ") " + said + " at " + stage(r) + " (" + kind + ")"
                + cause;
    }

    private static String stage(ProbeResult r) {
        return switch (r.outcome()) {
            case GREETING_REJECTED -> "the greeting";
            case EHLO_REJECTED -> "EHLO";
            case SENDER_REJECTED -> "MAIL FROM";
            case RECIPIENT_REJECTED -> "RCPT TO";
            case TCP_REFUSED -> "connect";
            case OK, DNS_FAILURE, TCP_TIMEOUT, UNREACHABLE, NO_ROUTE, GREETING_TIMEOUT, PROTOCOL_ERROR, STARTTLS_UNAVAILABLE,
                    TLS_HANDSHAKE_FAILED, TLS_CERTIFICATE_INVALID, AUTH_UNAVAILABLE, AUTH_REJECTED, AUTH_TEMPFAIL,
                    DEADLINE_EXCEEDED, ERROR -> r.outcome().label();
        };
    }

    private static String reply(ProbeResult r, String fallback) {
        return r.reply() != null ? r.reply() : fallback;
    }
}
