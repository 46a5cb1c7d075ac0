package io.smtpprobe.classify;

import io.smtpprobe.policy.ExemptionStatus;
import io.smtpprobe.policy.Expectation;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Outcome;
import java.util.List;

/**
 * Turns a whole round of results into one diagnosis for the VM. Port-25 targets failing while a
 * relay or control on another port connects is a port-25 block; every internet target failing at
 * network level is no egress at all, which is not a policy finding.
 */
public final class DiagnosisEngine {
    private DiagnosisEngine() {}

    public static Finding diagnose(Port25Policy policy, List<ClassifiedResult> results) {
        List<ClassifiedResult> port25 = results.stream()
                .filter(ClassifiedResult::subjectToBlock)
                .filter(r -> decisive(r.result().outcome()))
                .toList();
        List<ClassifiedResult> controls = results.stream()
                .filter(r -> !r.subjectToBlock())
                .filter(r -> decisive(r.result().outcome()))
                .toList();
        List<ClassifiedResult> failingRelays = results.stream()
                .filter(r -> r.result().mode().isRelay())
                .filter(r -> r.verdict().isProblem())
                .toList();
        boolean controlConnects = controls.stream().anyMatch(r -> r.result().outcome().connected());
        boolean port25Blocked = !port25.isEmpty()
                && port25.stream().allMatch(r -> r.result().outcome().isNetworkLevelFailure());
        boolean port25Open = !port25.isEmpty() && port25.stream().allMatch(r -> r.result().outcome().connected());

        if (!controls.isEmpty() && !controlConnects && (port25.isEmpty() || port25Blocked)) {
            return noEgress();
        }
        if (port25Blocked && policy.port25() == Expectation.REACHABLE) {
            return blockedUnexpectedly(policy, controlConnects);
        }
        if (port25Open && policy.port25() == Expectation.BLOCKED) {
            return openUnexpectedly(policy);
        }
        if (!failingRelays.isEmpty()) {
            return relayFailing(failingRelays);
        }
        if (!port25.isEmpty() && !port25Blocked && !port25Open) {
            return new Finding(Diagnosis.MIXED,
                    "Some port-25 destinations connected and others did not. The platform blocks port 25 for a whole"
                            + " VM, so the failing ones are more likely down or filtering on their side.",
                    "Look at the failing targets' outcomes; probe each failing host again with --transcript.");
        }
        if (port25.isEmpty()) {
            return new Finding(Diagnosis.INSUFFICIENT_DATA,
                    "No port-25 target gave a usable answer, so nothing can be said about Azure's port-25 block.",
                    "Add an mx: target on port 25 (the built-in default has two) and check DNS if they all failed to"
                            + " resolve.");
        }
        if (policy.port25() == Expectation.UNKNOWN) {
            return new Finding(Diagnosis.INSUFFICIENT_DATA,
                    "Port 25 is " + (port25Blocked ? "blocked" : "open")
                            + ", but the subscription's offer type is unknown, so whether that is expected cannot"
                            + " be judged.",
                    "Set subscription.offer (or pass --offer); `smtp-probe policy` lists the offer keys.");
        }
        return port25Blocked ? blockedAsExpected(policy, controlConnects) : openAsExpected(policy);
    }

    /** Outcomes that say something about the path: not a DNS failure and not our own fault. */
    private static boolean decisive(Outcome outcome) {
        return outcome != Outcome.DNS_FAILURE && outcome != Outcome.ERROR;
    }

    private static Finding noEgress() {
        return new Finding(Diagnosis.NO_EGRESS,
                "Every internet destination failed at network level, on port 25 and on the other ports alike. This"
                        + " VM has no outbound connectivity at all; it is not Azure's port-25 policy.",
                "Check the VM's network security group outbound rules, route table (a 0.0.0.0/0 route to a firewall"
                        + " or NVA), Azure Firewall rules and any proxy.");
    }

    private static Finding blockedAsExpected(Port25Policy policy, boolean controlConnects) {
        String evidence = controlConnects ? " Other ports connect, so this is the port-25 block and not a network"
                + " outage." : " No control on another port was probed to rule out a general outage.";
        return new Finding(Diagnosis.PORT25_BLOCKED_AS_EXPECTED,
                "Outbound TCP port 25 is blocked, as Azure's policy for " + policy.offer().key() + " subscriptions"
                        + " says." + evidence,
                actionForBlocked(policy));
    }

    private static String actionForBlocked(Port25Policy policy) {
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

    private static Finding blockedUnexpectedly(Port25Policy policy, boolean controlConnects) {
        String explanation = "Outbound TCP port 25 is blocked, but Azure's policy for this subscription ("
                + policy.offer().key() + (policy.exemption() ? ", exemption recorded" : "")
                + ") says it should be open."
                + (controlConnects ? " Other ports connect, so something blocks port 25 specifically." : "");
        String action = policy.exemption()
                ? "If the exemption or unblock was granted recently, deallocate and start the VM: the policy applies"
                        + " only after that. Otherwise check the NSG outbound rules, Azure Firewall or NVA, and that"
                        + " subscription.offer and port25_exemption are right."
                : "Check the NSG outbound rules, Azure Firewall or NVA for a port-25 deny, and that"
                        + " subscription.offer is right (`smtp-probe policy --offer " + policy.offer().key() + "`).";
        return new Finding(Diagnosis.PORT25_BLOCKED_UNEXPECTEDLY, explanation, action);
    }

    private static Finding openUnexpectedly(Port25Policy policy) {
        return new Finding(Diagnosis.PORT25_OPEN_UNEXPECTEDLY,
                "Outbound TCP port 25 is open, but Azure's policy for " + policy.offer().key()
                        + " subscriptions says it should be blocked. The subscription may have an exemption that is"
                        + " not recorded, or a different offer type than configured.",
                "Record the exemption (subscription.port25_exemption: true) or correct subscription.offer; use"
                        + " `offer: auto` to read it from Azure. Mail can be sent directly, but plan for the block:"
                        + (policy.offer().exemption() == ExemptionStatus.NEVER ? " this offer never gets exemptions."
                                : " a redeployed subscription would not keep it."));
    }

    private static Finding openAsExpected(Port25Policy policy) {
        return new Finding(Diagnosis.PORT25_OPEN_AS_EXPECTED,
                "Outbound TCP port 25 is open, as expected for this subscription (" + policy.offer().key()
                        + (policy.exemption() ? ", exemption recorded" : "") + ").",
                "Nothing to do for the platform. If mail still bounces, the receivers are refusing it: check the"
                        + " VM's public IP on blocklists and its reverse DNS, SPF and DKIM.");
    }

    private static Finding relayFailing(List<ClassifiedResult> failing) {
        ClassifiedResult first = failing.get(0);
        return new Finding(Diagnosis.RELAY_FAILING,
                "The relay " + first.result().target() + " (" + first.result().host() + ":" + first.result().port()
                        + ") fails with " + first.result().outcome().label()
                        + ". Port 587 and 465 are never blocked by Azure, so this is the relay, its credentials or"
                        + " a firewall on the way.",
                switch (first.result().outcome()) {
                    case AUTH_REJECTED -> "Check the relay username and password (password_file).";
                    case AUTH_TEMPFAIL -> "The relay refused AUTH temporarily (454); retry later, check its status.";
                    case AUTH_UNAVAILABLE -> "The relay offers no AUTH mechanism we can use after TLS; check the port"
                            + " and mode (submission on 587, smtps on 465).";
                    case TLS_CERTIFICATE_INVALID -> "The relay's certificate is not trusted for its name; check the"
                            + " host name, or set tls.ca_file for a private CA.";
                    case STARTTLS_UNAVAILABLE -> "The relay does not offer STARTTLS; credentials are never sent in"
                            + " clear text. Check the host and port.";
                    case TCP_TIMEOUT, TCP_REFUSED, UNREACHABLE -> "Check NSG outbound rules and any firewall for"
                            + " port " + first.result().port() + ".";
                    default -> "Run `smtp-probe check --target " + first.result().target()
                            + " --transcript` and read the conversation.";
                });
    }
}
