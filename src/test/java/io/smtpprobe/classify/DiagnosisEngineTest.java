package io.smtpprobe.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.AuthConfig;
import io.smtpprobe.config.AuthMechanism;
import io.smtpprobe.config.ExpectSetting;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.Route;
import io.smtpprobe.config.Secret;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.config.RoleSetting;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.config.TlsConfig;
import io.smtpprobe.policy.Expectation;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.DnsFailure;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Diagnosis over whole rounds: every value, and every step of the precedence table of README.md
 * "Reading the verdicts" beating the one after it, from rounds that are classified as the agent classifies them.
 */
class DiagnosisEngineTest {
    private static final Port25Policy PAYG = PolicyTable.evaluate("pay-as-you-go", null, false, "config");
    private static final Port25Policy EA = PolicyTable.evaluate("enterprise-agreement", null, false, "config");
    private static final Port25Policy UNKNOWN = PolicyTable.evaluate("unknown", null, false, "config");
    private static final CheckInvocation CONFIG = CheckInvocation.configured(Path.of("/etc/smtp-probe/config.yml"));
    private static final String RESOLVER_DOWN = "MX lookup failed: could not query 10.255.255.53:53:"
            + " Network is unreachable";

    /**
     * A round as {@code kind:outcome[:reply code]} items separated by spaces. Kinds: {@code mx} smtp to a
     * public MX host name on 25; {@code ip25} smtp to a public address on 25; {@code relay} submission on
     * 587; {@code smarthost} smtp to a private address on 25; {@code ctl} tcp to a public host name on 443;
     * {@code ipctl} tcp to a public address on 443. Outcome {@code dns_down} is a dns_failure of the resolver,
     * {@code nxdomain} one of "no such name".
     */
    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource({
        // dns_unavailable, before everything
        "pay-as-you-go, mx:dns_down mx:dns_down relay:dns_down ctl:dns_down, dns_unavailable",
        "pay-as-you-go, mx:dns_down relay:dns_down ipctl:ok, dns_unavailable",
        "enterprise-agreement, mx:dns_down ip25:tcp_timeout ipctl:tcp_timeout, dns_unavailable",
        "pay-as-you-go, mx:nxdomain mx:nxdomain ctl:ok, insufficient_data",
        // r3: "no such domain" for every name, well-known ones included: a resolver without forwarders
        "pay-as-you-go, gmail:nxdomain acs:nxdomain ctl:nxdomain, dns_unavailable",
        "pay-as-you-go, gmail:nxdomain acs:nxdomain ctl:ok, relay_failing",
        "pay-as-you-go, mx:nxdomain ctl:nxdomain, insufficient_data",
        "enterprise-agreement, mx:dns_down mx:ok ctl:ok, port25_open_as_expected",
        // no_egress: path failures on 25 and on another internet port; an RST is never one
        "pay-as-you-go, mx:tcp_timeout relay:tcp_timeout ctl:tcp_timeout, no_egress",
        "enterprise-agreement, mx:tcp_timeout relay:unreachable, no_egress",
        "enterprise-agreement, mx:tcp_timeout mx:tcp_timeout, port25_blocked_unexpectedly",
        "pay-as-you-go, mx:tcp_timeout mx:tcp_timeout, port25_blocked_as_expected",
        "pay-as-you-go, ctl:tcp_timeout, insufficient_data",
        "pay-as-you-go, mx:tcp_timeout ctl:tcp_refused, port25_blocked_as_expected",
        // port25_blocked_unexpectedly, before the relay
        "enterprise-agreement, mx:tcp_timeout relay:ok ctl:ok, port25_blocked_unexpectedly",
        "enterprise-agreement, mx:tcp_timeout relay:auth_rejected ctl:ok, port25_blocked_unexpectedly",
        "enterprise-agreement, mx:tcp_timeout smarthost:tcp_timeout, port25_blocked_unexpectedly",
        // port25_open_unexpectedly, before the relay
        "pay-as-you-go, mx:ok ctl:ok, port25_open_unexpectedly",
        "pay-as-you-go, mx:greeting_rejected:554 ctl:ok, port25_open_unexpectedly",
        "pay-as-you-go, mx:ok relay:auth_rejected, port25_open_unexpectedly",
        "pay-as-you-go, mx:ok mx:tcp_timeout ctl:ok, port25_open_unexpectedly",
        // relay_failing, of any mode, before the receivers
        "pay-as-you-go, mx:tcp_timeout relay:auth_rejected ctl:ok, relay_failing",
        "pay-as-you-go, mx:tcp_timeout relay:tls_certificate_invalid, relay_failing",
        "pay-as-you-go, smarthost:tcp_timeout, relay_failing",
        "pay-as-you-go, mx:tcp_timeout smarthost:tcp_timeout ctl:ok, relay_failing",
        "enterprise-agreement, mx:ok smarthost:tcp_timeout ctl:ok, relay_failing",
        "pay-as-you-go, mx:tcp_refused relay:tcp_refused ctl:tcp_refused, relay_failing",
        "enterprise-agreement, mx:greeting_rejected:554 relay:auth_rejected, relay_failing",
        // receivers_rejecting, before mixed
        "enterprise-agreement, mx:greeting_rejected:554 mx:ok, receivers_rejecting",
        "enterprise-agreement, mx:recipient_rejected:450 ctl:ok, receivers_rejecting",
        "enterprise-agreement, mx:tcp_refused mx:tcp_refused, receivers_rejecting",
        // r3: an RST from every MX domain while another port connects is a firewall that rejects port 25
        "enterprise-agreement, mx:tcp_refused mx:tcp_refused ctl:ok, port25_blocked_unexpectedly",
        "pay-as-you-go, mx:tcp_refused mx:tcp_refused relay:ok, port25_blocked_as_expected",
        "enterprise-agreement, mx:tcp_refused mx:tcp_refused ctl:tcp_timeout, receivers_rejecting",
        "enterprise-agreement, mx:tcp_refused mx:ok ctl:ok, receivers_rejecting",
        "enterprise-agreement, mx:tcp_refused ctl:ok, receivers_rejecting",
        "unknown, mx:tcp_refused mx:tcp_refused ctl:ok, insufficient_data",
        "enterprise-agreement, mx:greeting_rejected:421 mx:tcp_timeout ctl:ok, receivers_rejecting",
        // probe_misconfigured (r3), just before receivers_rejecting: every refusal is of the probe's own address
        "enterprise-agreement, mx:recipient_rejected:550:unknown mx:recipient_rejected:554:relay ctl:ok, probe_misconfigured",
        "enterprise-agreement, mx:recipient_rejected:550:unknown mx:ok, probe_misconfigured",
        "enterprise-agreement, mx:recipient_rejected:550:unknown mx:greeting_rejected:554:rbl ctl:ok, receivers_rejecting",
        "enterprise-agreement, mx:recipient_rejected:550:unknown mx:tcp_refused ctl:ok, receivers_rejecting",
        "pay-as-you-go, mx:tcp_timeout relay:sender_rejected:553:login ctl:ok, relay_failing",
        // no_route (r3) is never a path failure: an AAAA-only MX on a VM without IPv6 beside a working one
        "enterprise-agreement, mx:no_route mx:ok ctl:ok, port25_open_as_expected",
        "pay-as-you-go, mx:no_route mx:tcp_timeout ctl:ok, port25_blocked_as_expected",
        "enterprise-agreement, mx:no_route ctl:ok, insufficient_data",
        // r3: an mx: target is a domain; a later host that takes the session makes the earlier ones warnings
        "enterprise-agreement, mxd:tcp_refused mxd:ok ctl:ok, port25_open_as_expected",
        "enterprise-agreement, mxd:no_route mxd:ok ctl:ok, port25_open_as_expected",
        "enterprise-agreement, mxd:tcp_timeout mxd:ok ctl:ok, port25_open_as_expected",
        "enterprise-agreement, mxd:greeting_rejected:554 mxd:ok, port25_open_as_expected",
        "enterprise-agreement, mxd:tcp_refused mxd:tcp_refused ctl:ok, receivers_rejecting",
        "enterprise-agreement, mxd:tcp_timeout mxd:tcp_timeout ctl:ok, port25_blocked_unexpectedly",
        "pay-as-you-go, mxd:tcp_timeout mxd:ok ctl:ok, port25_open_unexpectedly",
        "pay-as-you-go, mxd:tcp_timeout mxd:tcp_timeout ctl:ok, port25_blocked_as_expected",
        // mixed, before the as-expected findings
        "enterprise-agreement, mx:ok mx:tcp_timeout ctl:ok, mixed",
        "pay-as-you-go, mx:tcp_refused mx:tcp_timeout ctl:ok, mixed",
        // as expected
        "pay-as-you-go, mx:tcp_timeout mx:tcp_timeout relay:ok ctl:ok, port25_blocked_as_expected",
        "pay-as-you-go, mx:tcp_refused ctl:ok, port25_blocked_as_expected",
        "enterprise-agreement, mx:ok mx:ok relay:ok, port25_open_as_expected",
        "enterprise-agreement, mx:tls_handshake_failed ctl:ok, port25_open_as_expected",
        // insufficient_data, last
        "pay-as-you-go, relay:ok ctl:ok, insufficient_data",
        "pay-as-you-go, mx:nxdomain relay:ok, insufficient_data",
        "unknown, mx:tcp_timeout ctl:ok, insufficient_data",
        "pay-as-you-go, '', insufficient_data",
    })
    void diagnosesWholeRoundsInTheOrderOfPrecedence(String offer, String round, String diagnosis) {
        Port25Policy policy = policy(offer);
        Finding finding = DiagnosisEngine.diagnose(policy, round(policy, round), CONFIG);
        assertThat(finding.diagnosis().label()).isEqualTo(diagnosis);
        assertThat(finding.explanation()).isNotBlank();
        assertThat(finding.action()).isNotBlank();
    }

    @Nested
    class DnsUnavailable {
        @Test
        void namesTheResolverAndTheErrorAndGivesNoMxTargetAdvice() {
            Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "mx:dns_down relay:dns_down"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.DNS_UNAVAILABLE);
            assertThat(finding.explanation()).contains("10.255.255.53:53").contains("Network is unreachable");
            assertThat(finding.action()).contains("dns.servers").contains("port 53")
                    .doesNotContain("Add an mx: target");
        }

        @Test
        void aResolverThatDeniesEveryNameWellKnownOnesIncludedIsOneWithoutForwarders() {
            Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "gmail:nxdomain acs:nxdomain"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.DNS_UNAVAILABLE);
            assertThat(finding.explanation()).contains("\"no such domain\" for every name")
                    .contains("gmail.com, smtp.azurecomm.net included").contains("resolver without forwarders");
            assertThat(finding.action()).contains("168.63.129.16").contains("dns.servers")
                    .doesNotContain("relay");
        }

        @Test
        void saysTheNetworkWorksWhenTargetsGivenByAddressAnswer() {
            Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "mx:dns_down ipctl:ok"), CONFIG);
            assertThat(finding.explanation()).contains("the network works and only DNS does not");
        }

        @Test
        void saysThereMayBeNoNetworkWhenTargetsGivenByAddressGetNoAnswer() {
            Finding finding = DiagnosisEngine.diagnose(EA, round(EA, "mx:dns_down ip25:tcp_timeout"), CONFIG);
            assertThat(finding.explanation()).contains("no network at all");
        }

        @Test
        void noSuchNameIsNotAnUnavailableResolverAndAsksToCheckTheNames() {
            Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "mx:nxdomain ctl:ok"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.INSUFFICIENT_DATA);
            assertThat(finding.explanation()).contains("Seen:").contains("dns_failure");
            assertThat(finding.action()).contains("Check the names").doesNotContain("Add an mx: target");
        }
    }

    @Nested
    class OnlyPort25Evidence {
        @Test
        void twoDroppedPort25TargetsAloneAreAPort25FindingThatSaysNoControlWasProbed() {
            Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "mx:tcp_timeout mx:tcp_timeout"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.PORT25_BLOCKED_AS_EXPECTED);
            assertThat(finding.explanation()).contains("No control on another port was probed")
                    .doesNotContain("no outbound connectivity");
            assertThat(finding.action()).contains("add a tcp target");
        }

        @Test
        void saysSoToWhenPolicySaysOpen() {
            Finding finding = DiagnosisEngine.diagnose(EA, round(EA, "mx:tcp_timeout mx:tcp_timeout"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.PORT25_BLOCKED_UNEXPECTEDLY);
            assertThat(finding.explanation()).contains("No control on another port was probed");
        }

        @Test
        void noEgressNeedsAnotherPortAndIsNotAPolicyFinding() {
            Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "mx:tcp_timeout relay:tcp_timeout"), CONFIG);
            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.NO_EGRESS);
            assertThat(finding.explanation()).contains("not Azure's port-25 policy").contains("port 25 (mx0");
        }
    }

    @Nested
    class ReceiversRejecting {
        @Test
        void a554IsLastingAndPointsAtReputation() {
            Finding finding = DiagnosisEngine.diagnose(EA, round(EA, "mx:greeting_rejected:554 ctl:ok"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.RECEIVERS_REJECTING);
            assertThat(finding.explanation()).contains("mx0 (mx0.example:25) replied 554 5.7.1 refused")
                    .contains("the greeting").contains("(lasting)").doesNotContain("(passing)");
            assertThat(finding.action()).contains("blocklists").contains("reverse DNS").contains("SPF")
                    .doesNotContain("Retry later");
        }

        @Test
        void a421IsPassingAndAdvisesRetryingNotBlocklists() {
            Finding finding = DiagnosisEngine.diagnose(EA, round(EA, "mx:greeting_rejected:421 ctl:ok"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.RECEIVERS_REJECTING);
            assertThat(finding.explanation()).contains("replied 421 4.7.0 refused").contains("(passing)")
                    .doesNotContain("(lasting)");
            assertThat(finding.action()).contains("Retry later").doesNotContain("blocklists");
        }

        @Test
        void greylistingAtRcptIsPassing() {
            Finding finding = DiagnosisEngine.diagnose(EA, round(EA, "mx:recipient_rejected:450 ctl:ok"), CONFIG);
            assertThat(finding.explanation()).contains("at RCPT TO").contains("(passing)");
        }

        @Test
        void anRstEverywhereIsAPassingRefusalNotABlock() {
            Finding finding = DiagnosisEngine.diagnose(EA, round(EA, "mx:tcp_refused mx:tcp_refused"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.RECEIVERS_REJECTING);
            assertThat(finding.explanation()).contains("RST").contains("(passing)").doesNotContain("blocked");
            assertThat(finding.action()).contains("`smtp-probe check --config /etc/smtp-probe/config.yml --only mx0"
                    + " --transcript`");
        }
    }

    @Test
    void aRelayThatRefusesTheSenderNamesTheCauseAndTheKeyToFix() {
        Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "mx:tcp_timeout relay:sender_rejected:553:login"),
                CONFIG);

        assertThat(finding.diagnosis()).isEqualTo(Diagnosis.RELAY_FAILING);
        assertThat(finding.explanation()).contains("(cause sender_not_allowed: the probe may not send as its mail_from"
                + " there)");
        assertThat(finding.action()).startsWith("Set mail_from of target relay1");
    }

    @Nested
    class MxDomain {
        @Test
        void aPreferredHostThatRefusesWhileALaterOneTakesTheSessionIsAWarningAndExitsZero() {
            List<ClassifiedResult> round = round(EA, "mxd:tcp_refused mxd:ok ctl:ok");
            Finding finding = DiagnosisEngine.diagnose(EA, round, CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.PORT25_OPEN_AS_EXPECTED);
            assertThat(finding.explanation()).contains("Note: MX mx1.example.net of dom refused at connect (RST); mail"
                    + " goes to mx2.example.net, which takes the session").doesNotContain("receiving side");
            io.smtpprobe.report.RoundReport report = new io.smtpprobe.report.RoundReport(EA, round, finding);
            assertThat(report.exitCode()).isZero();
            assertThat(report.targets()).first().satisfies(t -> {
                assertThat(t.name()).isEqualTo("dom");
                assertThat(t.deliverable()).isTrue();
                assertThat(t.verdict()).isEqualTo(Verdict.AS_EXPECTED);
                assertThat(t.warnings()).hasSize(1);
            });
        }

        @Test
        void aDomainNoHostOfWhichTakesTheSessionTakesTheVerdictAndCauseOfTheFirstThatAnswered() {
            List<ClassifiedResult> round = round(EA, "mxd:no_route mxd:recipient_rejected:550:unknown ctl:ok");
            io.smtpprobe.report.RoundReport report = new io.smtpprobe.report.RoundReport(EA, round,
                    DiagnosisEngine.diagnose(EA, round, CONFIG));

            assertThat(report.finding().diagnosis()).isEqualTo(Diagnosis.PROBE_MISCONFIGURED);
            assertThat(report.targets()).first().satisfies(t -> {
                assertThat(t.deliverable()).isFalse();
                assertThat(t.verdict()).isEqualTo(Verdict.RECEIVER_REJECTED);
                assertThat(t.cause()).isEqualTo(Cause.RECIPIENT_UNKNOWN);
            });
            assertThat(report.exitCode()).isEqualTo(1);
        }
    }

    @Nested
    class ResetEverywhere {
        @Test
        void anRstFromEveryMxDomainWhileAControlConnectsIsAFirewallOnTheWayNotTheReceivers() {
            Finding finding = DiagnosisEngine.diagnose(EA, round(EA, "mx:tcp_refused mx:tcp_refused ctl:ok"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.PORT25_BLOCKED_UNEXPECTEDLY);
            assertThat(finding.explanation()).contains("refused with an RST by every MX domain")
                    .contains("Azure's own port-25 block drops packets silently")
                    .contains("on this VM (nftables, iptables, ufw, firewalld)").doesNotContain("receiving side");
            assertThat(finding.action()).contains("`nft list ruleset`").contains("NSG");
        }

        @Test
        void saysTheResetsHideAzuresBlockWhereThePolicyBlocksAnyway() {
            Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "mx:tcp_refused mx:tcp_refused ctl:ok"),
                    CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.PORT25_BLOCKED_AS_EXPECTED);
            assertThat(finding.explanation()).contains("not through either way").contains("firewall that rejects");
            assertThat(finding.action()).contains("port 587").contains("`iptables -S OUTPUT`");
        }

        @Test
        void namesOnlyTheFirewallCommandsOfToolsInstalledOnTheVmSoEachRunsAsPrinted() {
            CheckInvocation nftOnly = CONFIG.withFirewallTools(tool -> tool.equals("nft"));
            Finding finding = DiagnosisEngine.diagnose(EA, round(EA, "mx:tcp_refused mx:tcp_refused ctl:ok"), nftOnly);

            assertThat(finding.action()).contains("as root: `nft list ruleset`.").doesNotContain("iptables")
                    .doesNotContain("ufw").doesNotContain("firewall-cmd");
        }

        @Test
        void saysWhereToLookWhenTheVmHasNoFirewallTool() {
            CheckInvocation none = CONFIG.withFirewallTools(tool -> false);
            Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "mx:tcp_refused mx:tcp_refused ctl:ok"), none);

            assertThat(finding.action()).contains("no firewall tool (nft, iptables, ufw, firewall-cmd) is installed on"
                    + " this VM, so look for a reject of TCP port 25 beside it").doesNotContain("`");
        }
    }

    @Nested
    class Causes {
        @Test
        void anUnknownRecipientIsTheProbesConfigAndNamesTheKeyToFix() {
            Finding finding = DiagnosisEngine.diagnose(EA, round(EA, "mx:recipient_rejected:550:unknown ctl:ok"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.PROBE_MISCONFIGURED);
            assertThat(finding.explanation()).contains("cause recipient_unknown").contains("not Azure's platform");
            assertThat(finding.action()).contains("Set rcpt_to of target mx0").doesNotContain("blocklist")
                    .contains("`smtp-probe check --config /etc/smtp-probe/config.yml --only mx0 --transcript`");
        }

        @Test
        void aBlocklistedIpIsNamedWithTheAddressTheReplyQuotes() {
            Finding finding = DiagnosisEngine.diagnose(EA, round(EA, "mx:greeting_rejected:554:rbl ctl:ok"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.RECEIVERS_REJECTING);
            assertThat(finding.explanation()).contains("cause ip_blocklisted: this VM's public IP (20.1.2.3) is on a"
                    + " blocklist");
            assertThat(finding.action()).startsWith("Look 20.1.2.3 up").contains("port 587")
                    .doesNotContain("rcpt_to");
        }

        @Test
        void aMissingPtrAdvisesAReverseNameForTheQuotedAddress() {
            Finding finding = DiagnosisEngine.diagnose(EA, round(EA, "mx:recipient_rejected:450:ptr ctl:ok"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.RECEIVERS_REJECTING);
            assertThat(finding.explanation()).contains("cause no_reverse_dns").contains("(passing)");
            assertThat(finding.action()).contains("Give 20.1.2.3 a PTR name").contains("--reverse-fqdn");
        }

        @Test
        void aLastingRefusalWithACauseLeadsTheActionBeforeAPassingOne() {
            Finding finding = DiagnosisEngine.diagnose(EA,
                    round(EA, "mx:tcp_refused mx:greeting_rejected:554:rbl ctl:ok"), CONFIG);
            assertThat(finding.action()).startsWith("Look 20.1.2.3 up");
        }
    }

    @Nested
    class RelayFailing {
        @Test
        void aDroppedPrivateSmarthostOnPort25IsARelayNotAPort25Finding() {
            Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "smarthost:tcp_timeout"), CONFIG);

            assertThat(finding.diagnosis()).isEqualTo(Diagnosis.RELAY_FAILING);
            assertThat(finding.explanation()).contains("smarthost0 (10.0.0.1:25)")
                    .contains("private destination, which Azure's port-25 block does not cover");
            assertThat(finding.action()).contains("route to it");
        }

        @Test
        void anInternetRelayOnPort25SaysWhatAzuresPolicyLeavesInDoubt() {
            TargetConfig relay = new TargetConfig("relay25", "smtp.relay.example", null, 0, 25, Mode.SMTP, null,
                    ExpectSetting.AUTO, Route.AUTO, StartTls.OPPORTUNISTIC, TlsConfig.DEFAULT, null, null,
                    RoleSetting.RELAY);
            ProbeResult refused = result(relay, "20.0.0.9", Outcome.TCP_REFUSED, null, null);

            Finding unknown = DiagnosisEngine.diagnose(UNKNOWN,
                    List.of(ResultClassifier.classify(UNKNOWN, relay, refused)), CONFIG);
            Finding open = DiagnosisEngine.diagnose(EA, List.of(ResultClassifier.classify(EA, relay, refused)), CONFIG);

            assertThat(unknown.diagnosis()).isEqualTo(Diagnosis.RELAY_FAILING);
            assertThat(unknown.explanation()).contains("Whether Azure blocks port 25 for this subscription is not"
                    + " known (set subscription.offer), so this is Azure's port-25 block, the relay")
                    .doesNotContain("as open as");
            assertThat(open.diagnosis()).isEqualTo(Diagnosis.RELAY_FAILING);
            assertThat(open.explanation()).contains("Azure's policy lets port 25 through for this subscription, so"
                    + " this is the relay, its credentials, or a firewall or route on the way.");
        }

        @Test
        void recommendsTheTranscriptOfTheFailingRelayFromTheConfigFile() {
            Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "mx:tcp_timeout relay:protocol_error"),
                    CONFIG);
            assertThat(finding.action())
                    .contains("`smtp-probe check --config /etc/smtp-probe/config.yml --only relay1 --transcript`");
        }

        @Test
        void recommendsACommandWithoutConfigForTheBuiltInDefault() {
            Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "relay:protocol_error"),
                    CheckInvocation.configured(null));
            assertThat(finding.action()).contains("`smtp-probe check --only relay0 --transcript`");
        }

        @Test
        void recommendsTheTargetSpecForTargetsGivenOnTheCommandLine() {
            CheckInvocation specs = CheckInvocation.specs(Map.of("relay0", "relay0=submission://u@relay.example"));
            Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "relay:protocol_error"), specs);
            assertThat(finding.action())
                    .contains("`smtp-probe check --target relay0=submission://u@relay.example --transcript`");
        }

        @Test
        void aWrongPasswordNamesThePasswordFileItCameFrom() {
            AuthConfig auth = new AuthConfig("probe", new Secret("x"), "/run/credentials/relay-password",
                    AuthMechanism.AUTO);
            Finding finding = DiagnosisEngine.diagnose(PAYG, List.of(relay(Outcome.AUTH_REJECTED, auth)), CONFIG);
            assertThat(finding.action()).contains("password_file /run/credentials/relay-password")
                    .doesNotContain("environment");
        }

        @Test
        void aWrongPasswordNamesTheEnvironmentVariableItCameFrom() {
            AuthConfig auth = new AuthConfig("probe", new Secret("x"), "env:SMTP_PROBE_PASSWORD", AuthMechanism.AUTO);
            Finding finding = DiagnosisEngine.diagnose(PAYG, List.of(relay(Outcome.AUTH_REJECTED, auth)), CONFIG);
            assertThat(finding.action()).contains("environment variable SMTP_PROBE_PASSWORD")
                    .doesNotContain("password_file");
        }

        private ClassifiedResult relay(Outcome outcome, AuthConfig auth) {
            TargetConfig target = new TargetConfig("relay", "relay.example", null, 0, 587, Mode.SUBMISSION, auth,
                    ExpectSetting.AUTO, Route.AUTO, StartTls.REQUIRED, TlsConfig.DEFAULT, null, null);
            return ResultClassifier.classify(PAYG, target, result(target, "20.0.0.9", outcome, "535 5.7.8 no", null));
        }
    }

    @Test
    void blockedPayAsYouGoIsToldToUseARelayAndThatNoExemptionCanBeRequested() {
        Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "mx:tcp_timeout relay:ok"), CONFIG);
        assertThat(finding.explanation()).contains("as Azure's policy for pay-as-you-go");
        assertThat(finding.action()).contains("authenticated relay on port 587").contains("No new exemption");
    }

    @Test
    void blockedEnterpriseDevTestIsToldAboutSelfServiceUnblock() {
        Port25Policy devtest = PolicyTable.evaluate("enterprise-devtest", null, false, "config");
        Finding finding = DiagnosisEngine.diagnose(devtest, round(devtest, "mx:tcp_timeout ctl:ok"), CONFIG);
        assertThat(finding.action()).contains("Cannot send email (SMTP-Port 25)").contains("deallocate");
    }

    @Test
    void blockedDespiteARecordedExemptionSaysToDeallocateAndStart() {
        Port25Policy exempt = PolicyTable.evaluate("pay-as-you-go", null, true, "config");
        assertThat(exempt.port25()).isEqualTo(Expectation.REACHABLE);
        Finding finding = DiagnosisEngine.diagnose(exempt, round(exempt, "mx:tcp_timeout ctl:ok"), CONFIG);
        assertThat(finding.diagnosis()).isEqualTo(Diagnosis.PORT25_BLOCKED_UNEXPECTEDLY);
        assertThat(finding.action()).contains("deallocate and start the VM");
    }

    @Test
    void insufficientDataSaysWhatWasSeen() {
        Finding finding = DiagnosisEngine.diagnose(PAYG, round(PAYG, "relay:ok ctl:tcp_timeout"), CONFIG);
        assertThat(finding.explanation()).contains("Seen: relay0 (relay0.example:587) ok; ctl1 (ctl1.example:443)"
                + " tcp_timeout: tcp_timeout detail");
        assertThat(finding.action()).contains("Add an mx: target on port 25");
    }

    static Port25Policy policy(String offer) {
        return switch (offer) {
            case "pay-as-you-go" -> PAYG;
            case "enterprise-agreement" -> EA;
            default -> UNKNOWN;
        };
    }

    /** Replies as Postfix sends them, named in a round's spec as the fourth part ({@code mx:recipient_rejected:550:unknown}). */
    static final Map<String, String> REPLIES = Map.of(
            "unknown", "550 5.1.1 <probe@mx.example>: Recipient address rejected: User unknown in local recipient table",
            "relay", "554 5.7.1 <probe@elsewhere.example>: Relay access denied",
            "rbl", "554 5.7.1 Service unavailable; Client host [20.1.2.3] blocked using zen.spamhaus.org",
            "ptr", "450 4.7.25 Client host rejected: cannot find your hostname, [20.1.2.3]",
            "login", "553 5.7.1 <probe@example.test>: Sender address rejected: not owned by user alice");

    /** A round described as in {@link #diagnosesWholeRoundsInTheOrderOfPrecedence}, classified as the agent does. */
    static List<ClassifiedResult> round(Port25Policy policy, String spec) {
        List<ClassifiedResult> results = new ArrayList<>();
        for (String item : spec.trim().split("\\s+")) {
            if (item.isEmpty()) {
                continue;
            }
            String[] parts = item.split(":");
            String kind = parts[0];
            String name = kind + results.size();
            int n = results.size() + 1;
            TargetConfig target = switch (kind) {
                case "mx" -> target(name, name + ".example", 25, Mode.SMTP);
                case "gmail" -> target(name, "gmail.com", 25, Mode.SMTP); // a well-known name
                case "acs" -> target(name, "smtp.azurecomm.net", 587, Mode.SUBMISSION);
                // the hosts of one mx: target, the domain example.net, in preference order
                case "mxd" -> new TargetConfig("dom", null, "example.net", 2, 25, Mode.SMTP, null, ExpectSetting.AUTO,
                        Route.AUTO, StartTls.OPPORTUNISTIC, TlsConfig.DEFAULT, null, null);
                case "ip25" -> target(name, "20.0.2." + n, 25, Mode.SMTP);
                case "relay" -> target(name, name + ".example", 587, Mode.SUBMISSION);
                case "smarthost" -> target(name, "10.0.0." + n, 25, Mode.SMTP);
                case "ctl" -> target(name, name + ".example", 443, Mode.TCP);
                case "ipctl" -> target(name, "20.0.1." + n, 443, Mode.TCP);
                default -> throw new IllegalArgumentException("unknown kind " + kind);
            };
            String address = target.host() != null && (target.host().startsWith("20.") || target.host().startsWith("10."))
                    ? target.host() : "20.0.0." + n;
            DnsFailure dns = switch (parts[1]) {
                case "dns_down" -> DnsFailure.RESOLVER_FAILED;
                case "nxdomain" -> DnsFailure.NO_SUCH_NAME;
                default -> null;
            };
            Outcome outcome = dns != null ? Outcome.DNS_FAILURE : Outcome.valueOf(parts[1].toUpperCase(Locale.ROOT));
            String reply = parts.length > 3 ? REPLIES.get(parts[3])
                    : parts.length > 2 ? parts[2] + (parts[2].startsWith("4") ? " 4.7.0" : " 5.7.1") + " refused"
                    : null;
            ProbeResult probed = result(target, dns != null ? null : address, outcome, reply, dns);
            if (kind.equals("mxd")) { // the result of one MX host of the domain
                probed = new ProbeResult(probed.target(), "mx" + n + ".example.net", probed.address(), probed.port(),
                        probed.mode(), probed.outcome(), probed.reply(), probed.detail(), probed.phases(), null,
                        probed.startedAt(), null, probed.dnsFailure());
            }
            results.add(ResultClassifier.classify(policy, target, probed));
        }
        return results;
    }

    private static TargetConfig target(String name, String host, int port, Mode mode) {
        return new TargetConfig(name, host, null, 0, port, mode, null, ExpectSetting.AUTO, Route.AUTO,
                mode == Mode.SMTP ? StartTls.OPPORTUNISTIC : StartTls.OFF, TlsConfig.DEFAULT, null, null);
    }

    private static ProbeResult result(TargetConfig target, String address, Outcome outcome, String reply,
            DnsFailure dns) {
        String detail = dns == DnsFailure.RESOLVER_FAILED ? target.host() + ": " + RESOLVER_DOWN
                : dns == DnsFailure.NO_SUCH_NAME ? target.host() + ": MX lookup failed: NXDOMAIN"
                : outcome == Outcome.OK ? "" : outcome.label() + " detail";
        return new ProbeResult(target.name(), target.host() != null ? target.host() : target.mx(), address,
                target.port(), target.mode(), outcome, reply, detail, Map.of(Phase.TOTAL, Duration.ofMillis(10)), null,
                Instant.EPOCH, null, dns);
    }
}
