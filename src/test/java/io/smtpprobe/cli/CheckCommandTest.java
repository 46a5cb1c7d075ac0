package io.smtpprobe.cli;

import io.smtpprobe.report.ExitCodes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smtpprobe.testing.BacklogFullListener;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.SubethaRelay;
import io.smtpprobe.testing.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code smtp-probe check} end to end in-process, against real servers on loopback: exit codes, the
 * JSON shape, the table, and secrets kept out of every output.
 */
class CheckCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** An address of our own on loopback, so port 25 itself can be silently dropped (needs root). */
    private static final String DROPPED_MX = "127.0.25.1";

    @TempDir
    static Path dir;

    private static BacklogFullListener droppedPort25;
    private static ScriptedSmtpServer control;
    private static Path caFile;
    private static SSLContext relayTls;

    @BeforeAll
    static void startServers() throws Exception {
        droppedPort25 = new BacklogFullListener(InetAddress.getByName(DROPPED_MX), 25);
        control = ScriptedSmtpServer.start(peer -> peer.awaitClose());
        TestCertificates authority = TestCertificates.authority("check test CA");
        caFile = authority.writeCaPem(dir.resolve("ca.pem"));
        relayTls = authority.serverContext("127.0.0.1");
    }

    @AfterAll
    static void stopServers() throws Exception {
        droppedPort25.close();
        control.close();
    }

    /** A port-25 MX that drops SYNs, treated as internet-routed, and a TCP control that connects. */
    private static List<String> droppedMxWithControl(String offer) {
        return List.of("check", "--offer", offer, "--timeout", "700ms", "--output", "json",
                "--target", "mx=smtp://" + DROPPED_MX + ":25?route=internet",
                "--target", "control=tcp://127.0.0.1:" + control.port());
    }

    @Nested
    class SilentlyDroppedPort25 {
        @Test
        void isAsExpectedForPayAsYouGoAndDiagnosedAsThePolicyBlock() throws Exception {
            Run run = run(droppedMxWithControl("pay-as-you-go"));

            assertThat(run.exitCode).isZero();
            JsonNode mx = run.json().get("results").get(0);
            assertThat(mx.get("outcome").asText()).isEqualTo("tcp_timeout");
            assertThat(mx.get("expected").asText()).isEqualTo("blocked");
            assertThat(mx.get("verdict").asText()).isEqualTo("as_expected");
            assertThat(run.json().at("/diagnosis/value").asText()).isEqualTo("port25_blocked_as_expected");
            assertThat(run.json().at("/diagnosis/action").asText()).contains("relay on port 587");
        }

        @Test
        void isUnexpectedlyBlockedForEnterpriseAgreementAndExitsOne() throws Exception {
            Run run = run(droppedMxWithControl("enterprise-agreement"));

            assertThat(run.exitCode).isEqualTo(ExitCodes.PROBLEM);
            assertThat(run.json().at("/results/0/verdict").asText()).isEqualTo("unexpectedly_blocked");
            assertThat(run.json().at("/diagnosis/value").asText()).isEqualTo("port25_blocked_unexpectedly");
        }

        @Test
        void isInconclusiveWithExitTwoWhenTheOfferIsUnknown() throws Exception {
            Run run = run(droppedMxWithControl("unknown"));

            assertThat(run.exitCode).isEqualTo(ExitCodes.INCONCLUSIVE);
            assertThat(run.json().at("/results/0/verdict").asText()).isEqualTo("inconclusive");
            assertThat(run.json().at("/diagnosis/value").asText()).isEqualTo("insufficient_data");
        }

        @Test
        void printsATableAndTheDiagnosisForPeople() throws Exception {
            List<String> args = new ArrayList<>(droppedMxWithControl("pay-as-you-go"));
            args.removeAll(List.of("--output", "json"));
            Run run = run(args);

            assertThat(run.exitCode).isZero();
            assertThat(run.out).contains("Subscription: pay-as-you-go").contains("expected blocked");
            assertThat(run.out.lines().filter(l -> l.startsWith("TARGET")).findFirst().orElseThrow())
                    .containsSubsequence("TARGET", "HOST", "PORT", "EXPECTED", "OUTCOME", "VERDICT", "TIME", "REASON");
            assertThat(run.out.lines().filter(l -> l.startsWith("mx ")).findFirst().orElseThrow())
                    .containsSubsequence(DROPPED_MX, "25", "blocked", "tcp_timeout", "as_expected");
            assertThat(run.out).contains("Diagnosis: port25_blocked_as_expected").contains("What to do:");
            assertThat(run.err).contains("Probing 2 targets");
        }
    }

    @Test
    void jsonHasTheShapeOfTheDesign() throws Exception {
        Run run = run(droppedMxWithControl("pay-as-you-go"));

        JsonNode json = run.json();
        assertThat(fieldNames(json)).containsExactly("policy", "results", "targets", "diagnosis");
        assertThat(fieldNames(json.get("targets").get(1))).containsExactly("name", "role", "verdict", "cause",
                "warnings");
        assertThat(json.at("/targets/1/verdict").asText()).isEqualTo("as_expected");
        assertThat(fieldNames(json.get("policy")))
                .containsExactly("offer", "created", "exemption", "port25_expected", "reason", "source", "warnings");
        assertThat(json.at("/policy/source").asText()).isEqualTo("flag");
        JsonNode control = json.get("results").get(1);
        assertThat(fieldNames(control)).containsExactly("target", "host", "address", "port", "mode", "role",
                "expected", "outcome", "verdict", "reply", "cause", "detail", "attempts", "phases", "tls", "started_at");
        assertThat(json.at("/results/0/role").asText()).isEqualTo("mx");
        assertThat(control.get("role").asText()).isEqualTo("control");
        assertThat(control.get("outcome").asText()).isEqualTo("ok");
        assertThat(fieldNames(control.get("phases"))).contains("connect", "total");
        assertThat(control.at("/phases/total").asDouble()).isPositive();
        assertThat(fieldNames(json.get("diagnosis"))).containsExactly("value", "explanation", "action");
    }

    @Nested
    class Only {
        private Path config() throws Exception {
            return Files.writeString(dir.resolve("only.yml"), """
                    subscription: {offer: pay-as-you-go}
                    azure: {metadata: "off"}
                    probe: {timeout: 2s}
                    targets:
                      - {name: control, host: 127.0.0.1, port: %d, mode: tcp}
                      - {name: closed, host: 127.0.0.1, port: %d, mode: tcp}
                      - {name: other, host: 127.0.0.1, port: %d, mode: tcp}
                    """.formatted(control.port(), closedPort(), control.port()));
        }

        @Test
        void probesOnlyTheNamedConfiguredTargets() throws Exception {
            Run run = run(List.of("check", "--config", config().toString(), "--only", "control", "--only", "other",
                    "--output", "json"));

            assertThat(run.exitCode).as(run.err).isZero();
            assertThat(run.json().get("results")).extracting(r -> r.get("target").asText())
                    .containsExactly("control", "other");
        }

        @Test
        void anUnknownNameIsAUsageErrorThatListsTheTargets() throws Exception {
            Run run = run(List.of("check", "--config", config().toString(), "--only", "relay587"));

            assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err).contains("--only relay587: no such target in " + dir.resolve("only.yml"))
                    .contains("the targets are control, closed, other");
        }

        @Test
        void aMisspelledOfferIsAUsageErrorWithTheNearestKeyAndProbesNothing() throws Exception {
            Run run = run(List.of("check", "--config", config().toString(), "--offer", "paygo"));

            assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err).contains("--offer: \"paygo\" is not an offer key, alias or quotaId; did you mean")
                    .doesNotContain("Probing");
        }

        @Test
        void everyCommandTheAdvicePrintsKeepsTheUsersOfferAndTimeout() throws Exception {
            int closed = closedPort();
            Run run = run(List.of("check", "--target", "relay=submission://127.0.0.1:" + closed, "--offer",
                    "enterprise-agreement", "--timeout", "3s"));

            assertThat(run.out.replaceAll("\\s+", " ")).contains("Diagnosis: relay_failing").contains("`smtp-probe check --target"
                    + " relay=submission://127.0.0.1:" + closed + " --offer enterprise-agreement --timeout 3s"
                    + " --transcript`");
        }

        @Test
        void anRstFromAnExpectedReachableTargetIsReceiverUnavailableAndExitsOne() throws Exception {
            Run run = run(List.of("check", "--config", config().toString(), "--only", "closed", "--output", "json"));

            assertThat(run.exitCode).isEqualTo(ExitCodes.PROBLEM);
            assertThat(run.json().at("/results/0/outcome").asText()).isEqualTo("tcp_refused");
            assertThat(run.json().at("/results/0/verdict").asText()).isEqualTo("receiver_unavailable");
            assertThat(run.json().at("/results/0/role").asText()).isEqualTo("control");
        }
    }

    @Nested
    class LongReasons {
        private static final String REFUSAL = "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using"
                + " zen.spamhaus.example; https://www.spamhaus.example/query/ip/127.0.0.1 and a few more words"
                + " that a person needs to read to the end";

        @Test
        void theTableShowsTheWholeReasonOnANarrowAndAWideTerminal() throws Exception {
            try (ScriptedSmtpServer refusing = ScriptedSmtpServer.start(peer -> {
                peer.send(REFUSAL);
                peer.awaitClose();
            })) {
                for (String columns : List.of("80", "140", "250")) {
                    Run run = runWithEnvironment(Map.of("COLUMNS", columns), List.of("check", "--offer",
                            "enterprise-agreement", "--timeout", "2s", "--target",
                            "mx=smtp://127.0.0.1:" + refusing.port() + "?route=internet"));

                    assertThat(run.exitCode).as(run.err).isEqualTo(ExitCodes.PROBLEM);
                    String table = run.out.substring(run.out.indexOf("TARGET"), run.out.indexOf("Diagnosis:"));
                    assertThat(table.replaceAll("\\s+", " ")).as("COLUMNS=" + columns)
                            .contains("the server greeted with 554; the server said: " + REFUSAL);
                    // wrapped to the terminal, where only a word too long for any line (the URL) sticks out; on
                    // 80 columns the table itself is wider, and the reasons are listed under it
                    String reasons = columns.equals("80") ? table.substring(table.indexOf("Reasons:")) : table;
                    assertThat(reasons.lines()).as("COLUMNS=" + columns)
                            .allMatch(line -> line.length() <= Integer.parseInt(columns) || line.contains("https://"));
                    assertThat(run.out.replaceAll("\\s+", " ")).contains("Diagnosis: receivers_rejecting")
                            .contains("(lasting)").contains("cause ip_blocklisted: this VM's public IP (127.0.0.1) is on a blocklist")
                            .contains("Look 127.0.0.1 up");
                    assertThat(table.replaceAll("\\s+", " ")).contains("[cause: ip_blocklisted] the server greeted");
                }
                Run unknownWidth = run(List.of("check", "--offer", "enterprise-agreement", "--timeout", "2s",
                        "--target", "mx=smtp://127.0.0.1:" + refusing.port() + "?route=internet"));
                assertThat(unknownWidth.out.lines().filter(line -> line.startsWith("mx "))).singleElement()
                        .satisfies(line -> assertThat(line).endsWith("the server said: " + REFUSAL));
                Run json = run(List.of("check", "--offer", "enterprise-agreement", "--timeout", "2s", "--output",
                        "json", "--target", "mx=smtp://127.0.0.1:" + refusing.port() + "?route=internet"));
                assertThat(json.json().at("/results/0/cause").asText()).isEqualTo("ip_blocklisted");
                assertThat(json.json().at("/diagnosis/value").asText()).isEqualTo("receivers_rejecting");
            }
        }
    }

    static int closedPort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Nested
    class WithoutDns {
        @Test
        void aResolverThatDoesNotAnswerIsDnsUnavailableNamingTheResolverNotAMissingMxTarget() throws Exception {
            int nameServer = closedPort();
            Path file = Files.writeString(dir.resolve("no-dns.yml"), """
                    subscription: {offer: pay-as-you-go}
                    azure: {metadata: "off"}
                    probe: {timeout: 2s}
                    dns: {servers: ["127.0.0.1:%d"]}
                    targets:
                      - {name: gmail, mx: gmail.example.test}
                      - {name: relay, host: relay.example.test, mode: submission}
                      - {name: control, host: 127.0.0.1, port: %d, mode: tcp}
                    """.formatted(nameServer, control.port()));

            Run run = run(List.of("check", "--config", file.toString(), "--output", "json"));

            assertThat(run.exitCode).as(run.err).isEqualTo(ExitCodes.INCONCLUSIVE);
            assertThat(run.json().at("/diagnosis/value").asText()).isEqualTo("dns_unavailable");
            assertThat(run.json().at("/diagnosis/explanation").asText()).contains("127.0.0.1:" + nameServer)
                    .contains("the network works and only DNS does not");
            assertThat(run.json().at("/diagnosis/action").asText()).doesNotContain("Add an mx: target")
                    .contains("`smtp-probe check --config " + file + "`");
        }
    }

    @Nested
    class ResolverWithoutForwarders {
        @Test
        void noSuchDomainForEveryNameTheBuiltInOnesIncludedIsDnsUnavailableAndNoReasonNamesAJavaClass()
                throws Exception {
            try (io.smtpprobe.testing.FakeDnsServer dns = io.smtpprobe.testing.FakeDnsServer.start()) {
                // The names of the built-in default, which a resolver without forwarders says do not exist.
                Path file = Files.writeString(dir.resolve("no-forwarders.yml"), """
                        subscription: {offer: pay-as-you-go}
                        azure: {metadata: "off"}
                        probe: {timeout: 3s}
                        dns: {servers: ["%s"]}
                        targets:
                          - {name: gmail, mx: gmail.com}
                          - {name: outlook, mx: outlook.com}
                          - {name: azure-relay, host: smtp.azurecomm.net, mode: submission}
                        """.formatted(dns.hostPort()));

                Run run = run(List.of("check", "--config", file.toString()));

                assertThat(run.exitCode).as(run.err).isEqualTo(ExitCodes.INCONCLUSIVE);
                String text = run.out.replaceAll("\\s+", " ");
                assertThat(text).contains("Diagnosis: dns_unavailable").contains("resolver without forwarders")
                        .contains("gmail.com, outlook.com, smtp.azurecomm.net included").doesNotContain("relay_failing");
                assertThat(run.out + run.err).doesNotContainPattern("java\\.|[A-Za-z]+Exception");
            }
        }
    }

    @Nested
    class Caps {
        @Test
        void refusesAPasswordInTheEnvironmentLongerThanAPasswordFileMayBe() {
            Run run = runWithPassword("p".repeat(5000), List.of("check", "--target", "relay=submission://user@127.0.0.1:"
                    + control.port()));

            assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err).contains("SMTP_PROBE_PASSWORD holds 5000 bytes, more than the 4096 a password may have")
                    .doesNotContain("ppppp");
        }

        @Test
        void refusesMoreTargetsThanTheAgentProbesBeforeParsingThem() {
            List<String> args = new ArrayList<>(List.of("check"));
            for (int i = 0; i <= io.smtpprobe.config.ConfigLoader.MAX_PROBED_HOSTS; i++) {
                args.addAll(List.of("--target", "t" + i + "=tcp://127.0.0.1:" + control.port()));
            }
            Run run = run(args);

            assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err).contains("--target: 2001 targets, more than the 2000 one check probes")
                    .doesNotContain("Probing");
        }

        @Test
        void countsTheHostsOfMxTargetsAgainstTheCapAsTheAgentDoes() {
            List<String> args = new ArrayList<>(List.of("check"));
            for (int i = 0; i < 700; i++) {
                args.addAll(List.of("--target", "m" + i + "=mx:example.test?mx_hosts=3"));
            }
            Run run = run(args);

            assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err).contains("--target: 2100 probed hosts (an mx: target counts its mx_hosts)");
        }

        @Test
        void escapesControlCharactersInAnUnknownOnlyName() {
            Run run = run(List.of("check", "--target", "a=tcp://127.0.0.1:" + control.port(), "--only", "b\u001b[2Jc"));

            assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err).contains("--only b\\x1b[2Jc: no such target").doesNotContain("\u001b");
        }
    }

    @Nested
    class NullMx {
        @Test
        void aNullMxAloneSaysTheDomainAcceptsNoMailNotThatItDoesNotExist() throws Exception {
            try (io.smtpprobe.testing.FakeDnsServer dns = io.smtpprobe.testing.FakeDnsServer.start()) {
                dns.nullMx("nomail.example.test");
                Path file = Files.writeString(dir.resolve("null-mx.yml"), """
                        subscription: {offer: enterprise-agreement}
                        azure: {metadata: "off"}
                        probe: {timeout: 3s}
                        dns: {servers: ["%s"]}
                        targets:
                          - {name: nomail, mx: nomail.example.test}
                          - {name: control, host: 127.0.0.1, port: %d, mode: tcp}
                        """.formatted(dns.hostPort(), control.port()));

                Run run = run(List.of("check", "--config", file.toString()));

                String text = run.out.replaceAll("\\s+", " ");
                assertThat(text).contains("Diagnosis: insufficient_data")
                        .contains("nomail.example.test publishes a null MX (RFC 7505): it accepts no mail")
                        .doesNotContain("do not exist");
            }
        }
    }

    @Nested
    class Secrets {
        private static final String PASSWORD_BASE64_PLAIN = Base64.getEncoder().encodeToString(
                ("\0" + SubethaRelay.USER + "\0" + SubethaRelay.PASSWORD).getBytes(StandardCharsets.UTF_8));
        private static final String PASSWORD_BASE64 =
                Base64.getEncoder().encodeToString(SubethaRelay.PASSWORD.getBytes(StandardCharsets.UTF_8));

        @Test
        void passwordNeverAppearsInTextJsonOrTranscriptWhenAuthSucceeds() throws Exception {
            try (SubethaRelay relay = relay()) {
                for (String output : List.of("text", "json")) {
                    Run run = runWithPassword(SubethaRelay.PASSWORD, relayCheck(relay, output));
                    assertThat(run.exitCode).as(run.err).isZero();
                    assertThat(run.out).contains("ok").contains("AUTH");
                    assertNoSecret(run);
                }
            }
        }

        @Test
        void passwordNeverAppearsWhenTheRelayRejectsIt() throws Exception {
            try (SubethaRelay relay = relay()) {
                Run run = runWithPassword(SubethaRelay.PASSWORD, relayCheck(relay, "text"),
                        "--target", "wrong=submission://someone-else@127.0.0.1:" + relay.port() + "?ca_file=" + caFile);
                assertThat(run.out).contains("auth_rejected");
                assertThat(run.exitCode).isEqualTo(ExitCodes.PROBLEM);
                assertNoSecret(run);
            }
        }

        private List<String> relayCheck(SubethaRelay relay, String output) {
            return List.of("check", "--offer", "pay-as-you-go", "--timeout", "5s", "--transcript", "--output", output,
                    "--target", "relay=submission://" + SubethaRelay.USER + "@127.0.0.1:" + relay.port()
                            + "?ca_file=" + caFile);
        }

        private SubethaRelay relay() {
            return SubethaRelay.start(b -> b.startTlsSocketFactory(relayTls).enableTLS().requireTLS()
                    .authenticationHandlerFactory(SubethaRelay.passwordAuth()));
        }

        @Test
        void readsTheServicesCredentialFromItsLoadCredentialSourceInAShell() throws Exception {
            try (SubethaRelay relay = relay()) {
                Path source = Files.writeString(dir.resolve("relay-password"), SubethaRelay.PASSWORD + "\n");
                Files.setPosixFilePermissions(source, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                Path units = Files.createDirectories(dir.resolve("units"));
                Files.writeString(units.resolve("smtp-probe.service"), "[Service]\nExecStart=/bin/true\n"
                        + "LoadCredential=relay-password:" + source + "\n");
                Path config = installedConfig(relay);

                Run run = run(List.of("check", "--config", config.toString(), "--systemd-unit-path", units.toString(),
                        "--output", "json"));

                assertThat(run.exitCode).as(run.err).isZero();
                assertThat(run.json().at("/results/0/outcome").asText()).isEqualTo("ok");
                assertNoSecret(run);
            }
        }

        @Test
        void saysWhichCommandRunsTheCheckWithTheServicesCredentialsWhenItCannotReadThem() throws Exception {
            try (SubethaRelay relay = relay()) {
                Path config = installedConfig(relay);

                Run run = run(List.of("check", "--config", config.toString(), "--systemd-unit-path",
                        dir.resolve("no-units").toString(), "--offer", "msdn"));

                assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
                assertThat(run.err).contains("this config's secrets are the service's systemd credentials")
                        .contains("(`sudo smtp-probe check --config " + config + " --offer msdn`)")
                        .contains("`sudo systemd-run --pipe --wait -p"
                                + " LoadCredential=relay-password:/etc/smtp-probe/relay-password smtp-probe check"
                                + " --config " + config + " --offer msdn`")
                        .doesNotContain("is not set in the environment");
                assertThat(relay.port()).isPositive();
            }
        }

        /** A config as the package installs it: the relay's password a credential of the unit. */
        private Path installedConfig(SubethaRelay relay) throws java.io.IOException {
            return Files.writeString(dir.resolve("installed.yml"), """
                    subscription: {offer: pay-as-you-go}
                    azure: {metadata: "off"}
                    probe: {timeout: 5s}
                    targets:
                      - name: relay
                        host: 127.0.0.1
                        port: %d
                        mode: submission
                        auth:
                          username: %s
                          password_file: ${CREDENTIALS_DIRECTORY}/relay-password
                        tls:
                          ca_file: %s
                    """.formatted(relay.port(), SubethaRelay.USER, caFile));
        }

        private void assertNoSecret(Run run) {
            for (String output : List.of(run.out, run.err)) {
                assertThat(output).doesNotContain(SubethaRelay.PASSWORD, PASSWORD_BASE64, PASSWORD_BASE64_PLAIN);
            }
        }
    }

    @Nested
    class ExitCodesOfMistakes {
        @Test
        void unknownOptionIsAUsageError() throws Exception {
            Run run = run(List.of("check", "--no-such-option"));
            assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err).contains("Unknown option: '--no-such-option'");
        }

        @Test
        void badTargetSyntaxIsAUsageErrorThatNamesTheTarget() throws Exception {
            Run run = run(List.of("check", "--target", "smtp://mx.example.com:0"));
            assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err).contains("--target \"smtp://mx.example.com:0\"").contains("port");
        }

        @Test
        void durationWithoutAUnitIsAUsageError() throws Exception {
            Run run = run(List.of("check", "--timeout", "5"));
            assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err).contains("'5' is not a duration");
        }

        @Test
        void invalidConfigFileExits78WithEveryErrorAndItsPath() throws Exception {
            Path file = Files.writeString(dir.resolve("bad.yml"), """
                    probe:
                      timeout: 5
                    targets:
                      - name: a
                        host: mx.example.com
                        port: 0
                    """);
            Run run = run(List.of("check", "--config", file.toString()));
            assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
            assertThat(run.err).contains("probe.timeout").contains("targets[0].port");
        }
    }

    @Nested
    class CheckConfig {
        @Test
        void validFileIsOk() throws Exception {
            Run run = run(List.of("check-config", Path.of("config/examples/mx-only.yml").toString()));
            assertThat(run.exitCode).isZero();
            assertThat(run.out).contains("mx-only.yml: OK");
        }

        @Test
        void invalidFileExits78AndListsEveryError() throws Exception {
            Path file = Files.writeString(dir.resolve("two-errors.yml"), """
                    subscription:
                      offer: pay-as-you-og
                    targets:
                      - host: mx.example.com
                        bogus_key: 1
                    """);
            Run run = run(List.of("check-config", file.toString()));
            assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
            assertThat(run.err).contains("did you mean pay-as-you-go?").contains("targets[0].bogus_key");
        }

        @Test
        void missingFileExits78() throws Exception {
            Run run = run(List.of("check-config", dir.resolve("nope.yml").toString()));
            assertThat(run.exitCode).isEqualTo(ExitCodes.CONFIG);
            assertThat(run.err).contains("nope.yml").contains("does not exist");
        }
    }

    @Test
    void helpAndVersionWorkOnEveryCommand() throws Exception {
        for (String command : List.of("check", "policy", "check-config")) {
            Run help = run(List.of(command, "--help"));
            assertThat(help.exitCode).as(command).isZero();
            assertThat(help.out).as(command).contains("Usage: smtp-probe " + command);
            Run version = run(List.of(command, "--version"));
            assertThat(version.out).as(command).startsWith("smtp-probe ");
        }
        assertThat(run(List.of("--version")).out).matches("(?s)smtp-probe \\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void policyListsEveryOfferAndExplainsOne() throws Exception {
        Run table = run(List.of("policy"));
        assertThat(table.exitCode).isZero();
        for (io.smtpprobe.policy.Offer offer : io.smtpprobe.policy.Offer.values()) {
            assertThat(table.out).contains(offer.key());
        }
        Run one = run(List.of("policy", "--offer", "csp", "--created", "2016-05-01"));
        assertThat(one.out).contains("outbound port 25 expected reachable").contains("so port 25 is expected open");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Run run(List<String> args) {
        return runWithEnvironment(Map.of(), args);
    }

    private static Run runWithPassword(String password, List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return runWithEnvironment(Map.of("SMTP_PROBE_PASSWORD", password), all);
    }

    private static Run runWithEnvironment(Map<String, String> environment, List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.commandLine(environment, new PrintWriter(out), new PrintWriter(err))
                .execute(args.toArray(String[]::new));
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }
}
