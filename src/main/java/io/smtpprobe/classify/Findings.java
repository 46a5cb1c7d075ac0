package io.smtpprobe.classify;

import io.smtpprobe.policy.ExemptionStatus;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.DnsFailure;
import io.smtpprobe.probe.Outcome;
import java.util.List;
import java.util.stream.Collectors;

/** The wording of the findings about DNS, the network and Azure's port-25 block, with their actions. */
final class Findings {
    private final Port25Policy policy;
    private final CheckInvocation invocation;
    private final Evidence evidence;

    Findings(Port25Policy policy, CheckInvocation invocation, Evidence evidence) {
        this.policy = policy;
        this.invocation = invocation;
        this.evidence = evidence;
    }

    Finding dnsUnavailable() {
        if (evidence.denyingEverything()) {
            return resolverWithoutForwarders();
        }
        ClassifiedResult first = evidence.select(Evidence::resolverFailed).get(0);
        List<ClassifiedResult> byAddress = evidence.select(r -> !r.result().neededLookup() && Evidence.pastDns(r));
        String network = byAddress.isEmpty() ? ""
                : byAddress.stream().anyMatch(Evidence::answered)
                ? " Targets given by address answer (" + names(byAddress.stream().filter(Evidence::answered).toList())
                        + "), so the network works and only DNS does not."
                : " Targets given by address got no answer either (" + names(byAddress)
                        + "): this VM may have no network at all.";
        return new Finding(Diagnosis.DNS_UNAVAILABLE,
                "DNS is unavailable: no name server gave a usable answer to any lookup of this round, for example "
                        + first.result().target() + ": " + first.result().detail() + "." + network
                        + " Nothing can be said about Azure's port-25 block until names resolve.",
                "Make the name servers answer from this VM: check dns.servers in the configuration (when empty,"
                        + " the servers of /etc/resolv.conf are used), that they are up and reachable on UDP and TCP"
                        + " port 53 (Azure's own resolver is 168.63.129.16; custom DNS servers are set on the virtual"
                        + " network), and NSG, firewall and route rules for port 53. Then run `"
                        + invocation.checkAll() + "` again.");
    }

    /** The resolver says "no such domain" for every name, names that exist among them (r3). */
    private Finding resolverWithoutForwarders() {
        List<ClassifiedResult> known = evidence.select(r -> Evidence.WELL_KNOWN.contains(
                Evidence.registrableDomain(r.result().host())));
        String names = known.stream().map(r -> r.result().host()).distinct().collect(Collectors.joining(", "));
        return new Finding(Diagnosis.DNS_UNAVAILABLE,
                "DNS is unavailable: the resolver answers \"no such domain\" for every name of this round, " + names
                        + " included, which exist. That is a resolver without forwarders: typically a custom DNS"
                        + " server set on the virtual network that answers for its own zones and cannot ask the"
                        + " internet's DNS. Nothing can be said about Azure's port-25 block until names resolve.",
                "Give the DNS server a forwarder (Azure's resolver 168.63.129.16, reachable from inside the"
                        + " virtual network, or another recursive resolver), or set dns.servers in the configuration"
                        + " to a resolver that answers for internet names. Then run `" + invocation.checkAll()
                        + "` again.");
    }

    Finding noEgress() {
        return new Finding(Diagnosis.NO_EGRESS,
                "Every internet destination got no answer (tcp_timeout or unreachable), on port 25 ("
                        + names(evidence.port25) + ") and on other ports alike (" + names(evidence.internetElsewhere)
                        + "). This VM has no outbound connectivity to the internet; it is not Azure's port-25"
                        + " policy.",
                "Check the VM's network security group outbound rules, route table (a 0.0.0.0/0 route to a firewall"
                        + " or NVA), Azure Firewall rules and any proxy.");
    }

    Finding blockedUnexpectedly() {
        String explanation = "Outbound TCP port 25 is blocked (" + names(evidence.port25) + " got no answer), but"
                + " Azure's policy for this subscription (" + policy.offer().key()
                + (policy.exemption() ? ", exemption recorded" : "") + ") says it should be open." + control(
                        " Other destinations answer, so something blocks port 25 specifically.");
        String action = policy.exemption()
                ? "If the exemption or unblock was granted recently, deallocate and start the VM: the policy applies"
                        + " only after that. Otherwise check the NSG outbound rules, Azure Firewall or NVA, and that"
                        + " subscription.offer and port25_exemption are right."
                : "Check the NSG outbound rules, Azure Firewall or NVA for a port-25 deny, and that"
                        + " subscription.offer is right (`smtp-probe policy --offer " + policy.offer().key() + "`).";
        return new Finding(Diagnosis.PORT25_BLOCKED_UNEXPECTEDLY, explanation, action + controlAdvice());
    }

    /** Every MX domain reset port 25 where the policy says open: a firewall that rejects, not Azure, not the receivers. */
    Finding resetUnexpectedly() {
        return new Finding(Diagnosis.PORT25_BLOCKED_UNEXPECTEDLY,
                "Outbound TCP port 25 is refused with an RST by every MX domain probed (" + names(evidence.port25)
                        + ") while other ports connect, and Azure's policy for this subscription ("
                        + policy.offer().key() + (policy.exemption() ? ", exemption recorded" : "")
                        + ") says port 25 is open. " + RESET_REASON,
                resetAction() + " Then check the NSG outbound rules, Azure Firewall or NVA for a port-25 rule that"
                        + " rejects.");
    }

    /** Every MX domain reset port 25 where the policy says blocked: still not through, and not Azure's way. */
    Finding resetAsExpected() {
        return new Finding(Diagnosis.PORT25_BLOCKED_AS_EXPECTED,
                "Outbound TCP port 25 is refused with an RST by every MX domain probed (" + names(evidence.port25)
                        + ") while other ports connect. Azure's policy for " + policy.offer().key()
                        + " subscriptions blocks port 25, so it is not through either way; but " + RESET_REASON,
                actionForBlocked() + " To see Azure's own block behind it, remove the port-25 reject: "
                        + resetAction().substring(0, 1).toLowerCase(java.util.Locale.ROOT)
                        + resetAction().substring(1));
    }

    private static final String RESET_REASON = "Azure's own port-25 block drops packets silently, and receivers do not"
            + " all reset at once, so the RST comes from a firewall that rejects port 25: on this VM (nftables,"
            + " iptables, ufw, firewalld), an NVA, or a firewall on the way.";

    /** Where to look for the reject: the firewall tools installed on this VM, each command as it runs here. */
    private String resetAction() {
        List<String> commands = invocation.firewallCommands();
        if (commands.isEmpty()) {
            return "No firewall tool (nft, iptables, ufw, firewall-cmd) is installed on this VM, so look for a reject"
                    + " of TCP port 25 beside it: a container host's or hypervisor's firewall, or an NVA.";
        }
        return "Look for a reject of TCP port 25 in this VM's firewall first, as root: "
                + String.join(", ", commands.stream().map(c -> "`" + c + "`").toList()) + ".";
    }

    Finding blockedAsExpected() {
        return new Finding(Diagnosis.PORT25_BLOCKED_AS_EXPECTED,
                "Outbound TCP port 25 is blocked (" + names(evidence.port25) + "), as Azure's policy for "
                        + policy.offer().key() + " subscriptions says."
                        + control(" Other ports connect, so this is the port-25 block and not a network outage."),
                actionForBlocked() + controlAdvice());
    }

    /** What the other targets say about a blocked port 25: the network works, or nothing tells. */
    private String control(String othersAnswer) {
        if (!evidence.othersAnswering().isEmpty()) {
            return othersAnswer;
        }
        if (evidence.others.isEmpty()) {
            return " No control on another port was probed, so a general network outage is not ruled out.";
        }
        return " The other targets got no answer either (" + names(evidence.others) + "), so a general network"
                + " outage is not ruled out.";
    }

    private String controlAdvice() {
        return evidence.others.isEmpty()
                ? " To tell a port-25 block from an outage, add a tcp target to an internet host on port 443."
                : "";
    }

    private String actionForBlocked() {
        String relay = "Send mail through an authenticated relay on port 587 (Azure Communication Services, Microsoft"
                + " 365, SendGrid or your own smarthost).";
        return switch (policy.offer().exemption()) {
            case SELF_SERVICE -> relay + " Or lift the block self-service: in the portal open the subscription's"
                    + " \"Diagnose and solve problems\" > \"Cannot send email (SMTP-Port 25)\", then deallocate and"
                    + " start each VM.";
            case NO_LONGER -> relay + " No new exemption can be requested for this offer (only those granted"
                    + " before spring 2022 persist).";
            case NO, NEVER -> relay + " No exemption can be requested for this offer.";
            case NOT_NEEDED -> relay;
        };
    }

    Finding openUnexpectedly(List<ClassifiedResult> open) {
        return new Finding(Diagnosis.PORT25_OPEN_UNEXPECTEDLY,
                "Outbound TCP port 25 is open (" + names(open) + " answered), but Azure's policy for "
                        + policy.offer().key() + " subscriptions says it should be blocked. The subscription may"
                        + " have an exemption that is not recorded, or a different offer type than configured.",
                "Record the exemption (subscription.port25_exemption: true) or correct subscription.offer; use"
                        + " subscription.offer: auto to read it from Azure. Mail can be sent directly, but plan for"
                        + " the block:"
                        + (policy.offer().exemption() == ExemptionStatus.NEVER ? " this offer never gets exemptions."
                                : " a redeployed subscription would not keep it."));
    }

    Finding openAsExpected() {
        List<ClassifiedResult> troubled = evidence.port25.stream().filter(r -> r.verdict().isProblem()).toList();
        String sessions = troubled.isEmpty() ? ""
                : " The session itself failed with " + described(troubled) + "; that is the server or TLS, not the"
                        + " path.";
        return new Finding(Diagnosis.PORT25_OPEN_AS_EXPECTED,
                "Outbound TCP port 25 is open, as expected for this subscription (" + policy.offer().key()
                        + (policy.exemption() ? ", exemption recorded" : "") + ")." + sessions,
                "Nothing to do for the platform. If mail still bounces, the receivers are refusing it: check the"
                        + " VM's public IP on blocklists and its reverse DNS, SPF and DKIM.");
    }

    Finding mixed() {
        List<ClassifiedResult> dropped = evidence.port25.stream().filter(Evidence::pathFailed).toList();
        List<ClassifiedResult> answering = evidence.port25.stream().filter(Evidence::answered).toList();
        return new Finding(Diagnosis.MIXED,
                "Some port-25 destinations answered (" + names(answering) + ") and others got no answer ("
                        + names(dropped) + "). The platform blocks port 25 for a whole VM, so the silent ones are"
                        + " more likely down or filtering on their side.",
                "Probe a silent one again to see whether it stays silent: `"
                        + invocation.check(dropped.get(0).result().target()) + "`.");
    }

    Finding offerUnknown() {
        return new Finding(Diagnosis.INSUFFICIENT_DATA,
                "Port 25 is " + (evidence.port25Dropped() ? "blocked" : "open") + " (" + names(evidence.port25)
                        + "), but the subscription's offer type is unknown, so whether that is expected cannot be"
                        + " judged.",
                "Set subscription.offer (or pass --offer); `smtp-probe policy` lists the offer keys.");
    }

    /** No usable port-25 result: say what was seen, and what would give one. */
    Finding insufficientData() {
        if (evidence.all.isEmpty()) {
            return new Finding(Diagnosis.INSUFFICIENT_DATA, "No target has been probed yet.",
                    "Wait for the first round, or run `" + invocation.checkAll() + "`.");
        }
        List<ClassifiedResult> port25Tried = evidence.select(r -> r.subjectToBlock()
                || (r.role() == Role.MX && r.result().outcome() == Outcome.DNS_FAILURE));
        String seen = "Seen: " + described(evidence.all) + ".";
        if (port25Tried.isEmpty()) {
            return new Finding(Diagnosis.INSUFFICIENT_DATA,
                    "No target probes port 25 to an internet destination, so nothing can be said about Azure's"
                            + " port-25 block. " + seen,
                    "Add an mx: target on port 25 (the built-in default has two).");
        }
        ClassifiedResult first = port25Tried.get(0);
        String action = switch (first.result().outcome()) {
            case DNS_FAILURE -> first.result().dnsFailure() == DnsFailure.RESOLVER_FAILED
                    ? "Some lookups got no answer from a name server: check dns.servers (or /etc/resolv.conf) and"
                            + " that the name servers are reachable on port 53."
                    : first.result().detail().contains("null MX")
                    ? "The domain " + first.result().host() + " publishes a null MX (RFC 7505): it accepts no mail,"
                            + " so it cannot tell whether port 25 is open. Probe a domain that receives mail instead."
                    : "Check the names of the port-25 targets: DNS says they do not exist or have no MX or address"
                            + " records.";
            case ERROR -> "That is a fault on this machine, not the network: run `"
                    + invocation.check(first.result().target(), "--transcript")
                    + "` and report it if it stays.";
            case NO_ROUTE -> "This VM has no route to " + first.result().address() + ": give it that address family"
                    + " (IPv6 on the NIC and the subnet), or set dns.ip_family to the one it has, and run `"
                    + invocation.checkAll() + "` again.";
            case OK, TCP_TIMEOUT, TCP_REFUSED, UNREACHABLE, GREETING_TIMEOUT, GREETING_REJECTED, PROTOCOL_ERROR,
                    EHLO_REJECTED, STARTTLS_UNAVAILABLE, TLS_HANDSHAKE_FAILED, TLS_CERTIFICATE_INVALID,
                    AUTH_UNAVAILABLE, AUTH_REJECTED, AUTH_TEMPFAIL, SENDER_REJECTED, RECIPIENT_REJECTED,
                    DEADLINE_EXCEEDED -> "Run `" + invocation.checkAll() + "` again.";
        };
        return new Finding(Diagnosis.INSUFFICIENT_DATA,
                "No port-25 target gave a usable answer, so nothing can be said about Azure's port-25 block. "
                        + seen, action);
    }

    /** Targets as {@code name (host:port)}, comma separated. */
    static String names(List<ClassifiedResult> results) {
        return results.stream()
                .map(r -> r.result().target() + " (" + r.result().host() + ":" + r.result().port() + ")")
                .collect(Collectors.joining(", "));
    }

    /** Targets with their outcome and, for any that is not ok, the reason. */
    static String described(List<ClassifiedResult> results) {
        return results.stream()
                .map(r -> r.result().target() + " (" + r.result().host() + ":" + r.result().port() + ") "
                        + r.result().outcome().label()
                        + (r.result().outcome() == Outcome.OK || r.result().detail().isEmpty()
                                ? "" : ": " + r.result().detail()))
                .collect(Collectors.joining("; "));
    }
}
