package io.smtpprobe.classify;

import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.ProbeResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Judges each configured target of a round as a whole: a host target by its host, an {@code mx:} target as a domain. */
public final class TargetJudge {
    private TargetJudge() {}

    /** One verdict per target, in the order the targets' results come. */
    public static List<TargetVerdict> judge(List<ClassifiedResult> results) {
        Map<String, List<ClassifiedResult>> byTarget = new LinkedHashMap<>();
        for (ClassifiedResult r : results) {
            byTarget.computeIfAbsent(r.result().target(), t -> new ArrayList<>()).add(r);
        }
        List<TargetVerdict> verdicts = new ArrayList<>();
        byTarget.forEach((name, hosts) -> verdicts.add(judgeTarget(name, hosts)));
        return verdicts;
    }

    private static TargetVerdict judgeTarget(String name, List<ClassifiedResult> hosts) {
        ClassifiedResult first = hosts.get(0);
        if (first.mxDomain() == null && hosts.size() == 1) {
            return new TargetVerdict(name, first.role(), null, first.verdict(), first.cause(), List.of());
        }
        Optional<ClassifiedResult> taking = hosts.stream().filter(TargetJudge::tookTheSession).findFirst();
        Optional<ClassifiedResult> open = hosts.stream().filter(r -> r.verdict() == Verdict.UNEXPECTEDLY_OPEN)
                .findFirst();
        if (taking.isPresent()) {
            ClassifiedResult host = open.orElse(taking.get());
            return new TargetVerdict(name, first.role(), first.mxDomain() != null ? Boolean.TRUE : null, host.verdict(),
                    null, warnings(hosts, taking.get()));
        }
        // Not deliverable: the verdict of the most preferred host that says anything, as a sender would meet it.
        ClassifiedResult deciding = open.orElseGet(() -> hosts.stream()
                .filter(r -> r.verdict() != Verdict.INCONCLUSIVE).findFirst().orElse(first));
        return new TargetVerdict(name, first.role(), first.mxDomain() != null ? Boolean.FALSE : null,
                deciding.verdict(), deciding.cause(), List.of());
    }

    /**
     * Whether the host took the session: the probe went as far as it was asked (through EHLO, and through RCPT
     * TO where {@code rcpt_to} is set), which is where an MTA would go on to send.
     */
    static boolean tookTheSession(ClassifiedResult r) {
        return r.result().outcome() == Outcome.OK;
    }

    /** The hosts before the one that took the session, each in a sentence that says where the mail goes. */
    private static List<String> warnings(List<ClassifiedResult> hosts, ClassifiedResult taking) {
        List<String> warnings = new ArrayList<>();
        for (ClassifiedResult r : hosts) {
            if (r == taking) {
                break;
            }
            warnings.add("MX " + r.result().host() + " of " + r.result().target() + " " + failure(r.result())
                    + "; mail goes to " + taking.result().host() + ", which takes the session");
        }
        return warnings;
    }

    /** What a host that did not take the session did, in a few words. */
    static String failure(ProbeResult r) {
        String reply = r.reply() == null ? "" : " (" + r.reply() + ")";
        return switch (r.outcome()) {
            case TCP_REFUSED -> "refused at connect (RST)";
            case TCP_TIMEOUT -> "did not answer the TCP connect";
            case UNREACHABLE -> "was rejected with an ICMP unreachable";
            case NO_ROUTE -> "has no route from this VM (" + r.address() + ")";
            case GREETING_REJECTED -> "refused at the greeting" + reply;
            case EHLO_REJECTED -> "refused EHLO" + reply;
            case SENDER_REJECTED -> "refused MAIL FROM" + reply;
            case RECIPIENT_REJECTED -> "refused RCPT TO" + reply;
            case DNS_FAILURE -> "could not be resolved";
            case OK, GREETING_TIMEOUT, PROTOCOL_ERROR, STARTTLS_UNAVAILABLE, TLS_HANDSHAKE_FAILED,
                    TLS_CERTIFICATE_INVALID, AUTH_UNAVAILABLE, AUTH_REJECTED, AUTH_TEMPFAIL, DEADLINE_EXCEEDED,
                    ERROR -> "ended " + r.outcome().label();
        };
    }
}
