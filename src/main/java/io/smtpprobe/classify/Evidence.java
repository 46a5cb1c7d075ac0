package io.smtpprobe.classify;

import io.smtpprobe.policy.Expectation;
import io.smtpprobe.probe.DnsFailure;
import io.smtpprobe.probe.Outcome;
import java.util.List;
import java.util.function.Predicate;

/**
 * What a round's results show about the ways out of this VM, in the terms of README.md "Reading the verdicts": a
 * path failure is {@code tcp_timeout} or {@code unreachable} (nothing answered); every other outcome
 * past DNS means the destination, or something on the way, answered. DNS failures and our own errors
 * say nothing about the path and are left out of the port evidence.
 */
final class Evidence {
    final List<ClassifiedResult> all;
    /** Internet-routed port-25 results past DNS: what Azure's block decides. */
    final List<ClassifiedResult> port25;
    /** Internet-routed results past DNS on other ports. */
    final List<ClassifiedResult> internetElsewhere;
    /** Results past DNS that are not port-25 evidence: other ports, private destinations. */
    final List<ClassifiedResult> others;

    Evidence(List<ClassifiedResult> results) {
        this.all = List.copyOf(results);
        this.port25 = select(r -> r.subjectToBlock() && pastDns(r));
        this.internetElsewhere = select(r -> r.internet() && !r.subjectToBlock() && pastDns(r));
        this.others = select(r -> !r.subjectToBlock() && pastDns(r));
    }

    List<ClassifiedResult> select(Predicate<ClassifiedResult> which) {
        return all.stream().filter(which).toList();
    }

    /**
     * Names that exist as long as the internet's DNS does: a resolver that says they do not is not answering
     * for the internet (r3: a custom DNS server without forwarders answers "no such domain" for every name).
     */
    static final java.util.Set<String> WELL_KNOWN = java.util.Set.of("gmail.com", "google.com", "outlook.com",
            "hotmail.com", "microsoft.com", "office365.com", "azurecomm.net", "yahoo.com", "sendgrid.net",
            "amazonaws.com");

    /**
     * Every name lookup of the round failed without an answer from a name server, and there was one; or every
     * one was "no such domain", well-known names among them (r3).
     */
    boolean dnsUnavailable() {
        List<ClassifiedResult> lookups = select(r -> r.result().neededLookup());
        return !lookups.isEmpty() && (lookups.stream().allMatch(Evidence::resolverFailed) || denyingEverything());
    }

    /** Every lookup of the round was "no such domain", and a well-known name was among them. */
    boolean denyingEverything() {
        List<ClassifiedResult> lookups = select(r -> r.result().neededLookup());
        return !lookups.isEmpty() && lookups.stream().allMatch(Evidence::noSuchName)
                && lookups.stream().anyMatch(r -> WELL_KNOWN.contains(registrableDomain(r.result().host())));
    }

    static boolean noSuchName(ClassifiedResult r) {
        return r.result().outcome() == Outcome.DNS_FAILURE && r.result().dnsFailure() == DnsFailure.NO_SUCH_NAME;
    }

    static boolean resolverFailed(ClassifiedResult r) {
        return r.result().outcome() == Outcome.DNS_FAILURE && r.result().dnsFailure() == DnsFailure.RESOLVER_FAILED;
    }

    /** Every internet target got no answer, on port 25 and on at least one other port. */
    boolean noEgress() {
        return !port25.isEmpty() && !internetElsewhere.isEmpty()
                && port25.stream().allMatch(Evidence::pathFailed)
                && internetElsewhere.stream().allMatch(Evidence::pathFailed);
    }

    /** Port 25 looks dropped: every port-25 result is a path failure. */
    boolean port25Dropped() {
        return !port25.isEmpty() && port25.stream().allMatch(Evidence::pathFailed);
    }

    /**
     * Every MX domain probed on port 25 refused with an RST, two or more unrelated ones, while something on
     * another port connected (r3): receivers do not all reset at once; a firewall that rejects port 25, on this
     * VM or on its path, does. Domains are told apart by the last two labels of their hosts' names.
     */
    boolean port25ResetEverywhere() {
        List<ClassifiedResult> mx = port25.stream().filter(r -> r.role() == Role.MX).toList();
        long domains = mx.stream().map(r -> registrableDomain(r.result().host())).distinct().count();
        return domains >= 2 && mx.size() == port25.size()
                && mx.stream().allMatch(r -> r.result().outcome() == Outcome.TCP_REFUSED)
                && others.stream().anyMatch(r -> r.result().outcome().connected());
    }

    /** The last two labels of a host name ({@code gmail-smtp-in.l.google.com}: google.com); an address as it is. */
    static String registrableDomain(String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
            return name;
        }
        int last = name.lastIndexOf('.');
        int second = last <= 0 ? -1 : name.lastIndexOf('.', last - 1);
        return second < 0 ? name : name.substring(second + 1);
    }

    /** Some port-25 destinations answered and others got no answer. */
    boolean port25Mixed() {
        return port25.stream().anyMatch(Evidence::pathFailed) && port25.stream().anyMatch(Evidence::answered);
    }

    boolean port25Expects(Expectation expectation) {
        return port25.stream().anyMatch(r -> r.expected() == expectation);
    }

    /** Something that is not port-25 evidence answered: the network itself works. */
    List<ClassifiedResult> othersAnswering() {
        return others.stream().filter(Evidence::answered).toList();
    }

    /**
     * Whether the result says anything of the path: not a DNS failure or our own error, and not {@code no_route}
     * (r3), where no packet left the VM (an address of a family it has no route for, skipped as MTAs skip it).
     */
    static boolean pastDns(ClassifiedResult r) {
        Outcome outcome = r.result().outcome();
        return outcome != Outcome.DNS_FAILURE && outcome != Outcome.ERROR && outcome != Outcome.NO_ROUTE;
    }

    static boolean pathFailed(ClassifiedResult r) {
        return r.result().outcome().isPathFailure();
    }

    /** Past DNS and not a path failure: an RST, a greeting, a refusal all prove the path works. */
    static boolean answered(ClassifiedResult r) {
        return pastDns(r) && !pathFailed(r);
    }
}
