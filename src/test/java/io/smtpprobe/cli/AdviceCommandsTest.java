package io.smtpprobe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.report.ExitCodes;
import io.smtpprobe.classify.CheckInvocation;
import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.classify.Diagnosis;
import io.smtpprobe.classify.DiagnosisEngine;
import io.smtpprobe.classify.Finding;
import io.smtpprobe.classify.ResultClassifier;
import io.smtpprobe.config.AuthConfig;
import io.smtpprobe.config.AuthMechanism;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.config.ExpectSetting;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.Route;
import io.smtpprobe.config.Secret;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.config.TlsConfig;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.DnsFailure;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command an action recommends runs as printed (README.md "Reading the verdicts"): the actions of every
 * diagnosis, from rounds that reach every one of them and every relay outcome, are searched for
 * {@code `smtp-probe ...`} commands, and each is run in-process through the real command line against
 * targets on a closed loopback port.
 */
class AdviceCommandsTest {
    private static final Pattern COMMAND = Pattern.compile("`(smtp-probe [^`]*)`");
    private static final List<Port25Policy> POLICIES = List.of(
            PolicyTable.evaluate("pay-as-you-go", null, false, "config"),
            PolicyTable.evaluate("enterprise-agreement", null, false, "config"),
            PolicyTable.evaluate("pay-as-you-go", null, true, "config"),
            PolicyTable.evaluate("enterprise-devtest", null, false, "config"),
            PolicyTable.evaluate("msdn", null, false, "config"),
            PolicyTable.evaluate("unknown", null, false, "config"));

    @TempDir
    static Path dir;
    /** A config file whose targets carry the built-in default's names, all on a closed loopback port. */
    static Path config;
    static int closed;

    @BeforeAll
    static void writeLoopbackConfig() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        // a space in the path: the printed command must quote it
        config = Files.writeString(Files.createDirectories(dir.resolve("my configs")).resolve("smtp-probe.yml"), """
                subscription: {offer: pay-as-you-go}
                azure: {metadata: "off"}
                probe: {timeout: 2s, interval: 5m}
                targets:
                  - {name: gmail, host: 127.0.0.1, port: %1$d, mode: smtp, route: internet}
                  - {name: outlook, host: 127.0.0.1, port: %1$d, mode: smtp, route: internet}
                  - {name: azure-relay, host: 127.0.0.1, port: %1$d, mode: submission, starttls: required}
                  - {name: https-control, host: 127.0.0.1, port: %1$d, mode: tcp}
                  - {name: smarthost, host: 127.0.0.2, port: %1$d, mode: smtp}
                """.formatted(closed));
    }

    @Test
    void everyRecommendedCommandRunsForAConfigFile() {
        List<String> commands = commands(CheckInvocation.configured(config), true);

        assertThat(commands).anyMatch(c -> c.contains("--only azure-relay --transcript"))
                .anyMatch(c -> c.contains("--only smarthost")).anyMatch(c -> c.startsWith("smtp-probe policy"))
                .allMatch(c -> !c.startsWith("smtp-probe check") || c.contains("--config '" + config + "'"));
        for (String command : commands) {
            Run run = run(Map.of(), command);
            assertThat(run.exitCode).as("%s%n%s", command, run.err).isNotEqualTo(ExitCodes.USAGE)
                    .isNotEqualTo(ExitCodes.CONFIG).isNotEqualTo(ExitCodes.INTERNAL);
        }
    }

    @Test
    void everyRecommendedCommandRunsForTargetsGivenOnTheCommandLine() {
        Map<String, String> specs = new LinkedHashMap<>();
        specs.put("gmail", "gmail=smtp://127.0.0.1:" + closed + "?route=internet");
        specs.put("outlook", "outlook=smtp://127.0.0.1:" + closed + "?route=internet");
        specs.put("azure-relay", "azure-relay=submission://probe@127.0.0.1:" + closed);
        specs.put("https-control", "https-control=tcp://127.0.0.1:" + closed);
        specs.put("smarthost", "smarthost=smtp://127.0.0.2:" + closed);
        List<String> commands = commands(CheckInvocation.specs(specs), true);

        assertThat(commands).anyMatch(c -> c.contains("--target azure-relay=submission://probe@127.0.0.1:"))
                .anyMatch(c -> c.contains("--target 'gmail=smtp://127.0.0.1:" + closed + "?route=internet'"))
                .noneMatch(c -> c.contains("--only"));
        for (String command : commands) {
            // the relay's user reads its password from SMTP_PROBE_PASSWORD, as --help says
            Run run = run(Map.of("SMTP_PROBE_PASSWORD", "not-the-real-one"), command);
            assertThat(run.exitCode).as("%s%n%s", command, run.err).isNotEqualTo(ExitCodes.USAGE)
                    .isNotEqualTo(ExitCodes.CONFIG).isNotEqualTo(ExitCodes.INTERNAL);
        }
    }

    /** The built-in default probes real hosts, so its commands are parsed here, never run. */
    @Test
    void everyRecommendedCommandParsesForTheBuiltInDefaultAndNamesItsTargets() {
        List<String> names = ConfigLoader.builtInDefault().targets().stream().map(TargetConfig::name).toList();
        List<String> commands = commands(CheckInvocation.configured(null), false);

        assertThat(commands).anyMatch(c -> c.equals("smtp-probe check --only azure-relay --transcript"));
        for (String command : commands) {
            List<String> words = words(command);
            CommandLine.ParseResult parsed = Main.commandLine(Map.of(), new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter())).parseArgs(words.subList(1, words.size()).toArray(String[]::new));
            CommandLine.ParseResult check = parsed.subcommand();
            assertThat(check).as(command).isNotNull();
            if (check.hasMatchedOption("--only")) {
                List<String> only = check.matchedOptionValue("--only", List.of());
                assertThat(names).as(command).containsAll(only);
            }
            assertThat(check.hasMatchedOption("--config")).as(command).isFalse();
        }
    }

    @Test
    void anUnknownOnlyNameIsAUsageErrorListingTheTargets() {
        Run run = run(Map.of(), "smtp-probe check --config '" + config + "' --only relay587");
        assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err).contains("--only relay587: no such target in " + config)
                .contains("gmail, outlook, azure-relay, https-control, smarthost");
    }

    /**
     * The commands of every action of every finding the rounds below reach; every diagnosis is reached.
     *
     * @param smarthost whether there is a target named smarthost (the built-in default has none)
     */
    private static List<String> commands(CheckInvocation invocation, boolean smarthost) {
        Set<Diagnosis> reached = EnumSet.noneOf(Diagnosis.class);
        Set<String> commands = new LinkedHashSet<>();
        for (Port25Policy policy : POLICIES) {
            for (List<ClassifiedResult> round : rounds(policy, smarthost)) {
                Finding finding = DiagnosisEngine.diagnose(policy, round, invocation);
                reached.add(finding.diagnosis());
                Matcher m = COMMAND.matcher(finding.action());
                while (m.find()) {
                    commands.add(m.group(1));
                }
                assertThat(finding.explanation() + finding.action()).doesNotContain("--target relay587");
            }
        }
        assertThat(reached).containsExactlyInAnyOrder(Diagnosis.values());
        return List.copyOf(commands);
    }

    private static List<List<ClassifiedResult>> rounds(Port25Policy policy, boolean smarthost) {
        List<String> specs = new ArrayList<>(List.of("", "https-control:ok", "gmail:nxdomain https-control:ok",
                "gmail:error https-control:ok", "gmail:dns_down outlook:ok", "gmail:dns_down azure-relay:dns_down",
                "gmail:tcp_timeout https-control:tcp_timeout", "gmail:tcp_timeout https-control:ok",
                "gmail:tcp_timeout", "gmail:ok https-control:ok", "gmail:ok outlook:tcp_timeout https-control:ok",
                "gmail:greeting_rejected:554 https-control:ok", "gmail:recipient_rejected:450 https-control:ok",
                "gmail:tcp_refused outlook:tcp_refused", "gmail:tls_handshake_failed https-control:ok",
                "gmail:recipient_rejected:550-5.1.1 https-control:ok"));
        for (Outcome outcome : Outcome.values()) {
            String label = outcome.label();
            specs.add("gmail:tcp_timeout azure-relay:" + label + " https-control:ok");
            if (smarthost) {
                specs.add("smarthost:" + label);
            }
        }
        List<List<ClassifiedResult>> rounds = new ArrayList<>();
        for (String spec : specs) {
            rounds.add(round(policy, spec, null));
        }
        rounds.add(round(policy, "azure-relay:auth_rejected",
                new AuthConfig("probe", new Secret("x"), "/run/credentials/relay-password", AuthMechanism.AUTO)));
        rounds.add(round(policy, "azure-relay:auth_rejected", new AuthConfig("probe", null, null,
                AuthMechanism.XOAUTH2, null)));
        return rounds;
    }

    private static List<ClassifiedResult> round(Port25Policy policy, String spec, AuthConfig auth) {
        List<ClassifiedResult> results = new ArrayList<>();
        for (String item : spec.trim().split("\\s+")) {
            if (item.isEmpty()) {
                continue;
            }
            String[] parts = item.split(":");
            TargetConfig target = switch (parts[0]) {
                case "gmail", "outlook" -> target(parts[0], parts[0] + ".example", 25, Mode.SMTP, null);
                case "azure-relay" -> target(parts[0], "relay.example", 587, Mode.SUBMISSION, auth);
                case "https-control" -> target(parts[0], "www.example", 443, Mode.TCP, null);
                case "smarthost" -> target(parts[0], "10.0.0.25", 25, Mode.SMTP, null);
                default -> throw new IllegalArgumentException(parts[0]);
            };
            DnsFailure dns = parts[1].equals("dns_down") ? DnsFailure.RESOLVER_FAILED
                    : parts[1].equals("nxdomain") ? DnsFailure.NO_SUCH_NAME : null;
            Outcome outcome = dns != null ? Outcome.DNS_FAILURE
                    : Outcome.valueOf(parts[1].toUpperCase(Locale.ROOT));
            String address = outcome == Outcome.DNS_FAILURE ? null
                    : target.host().startsWith("10.") ? target.host() : "20.0.0." + (results.size() + 1);
            String reply = parts.length > 2 ? parts[2] + " refused" : null;
            results.add(ResultClassifier.classify(policy, target, new ProbeResult(target.name(), target.host(),
                    address, target.port(), target.mode(), outcome, reply, outcome.label() + " happened",
                    Map.of(Phase.TOTAL, Duration.ofMillis(3)), null, Instant.EPOCH, null,
                    outcome == Outcome.DNS_FAILURE ? (dns == null ? DnsFailure.NO_SUCH_NAME : dns) : null)));
        }
        return results;
    }

    private static TargetConfig target(String name, String host, int port, Mode mode, AuthConfig auth) {
        return new TargetConfig(name, host, null, 0, port, mode, auth, ExpectSetting.AUTO, Route.AUTO,
                mode == Mode.SUBMISSION ? StartTls.REQUIRED : StartTls.OPPORTUNISTIC, TlsConfig.DEFAULT, null, null);
    }

    /** Splits a command as a POSIX shell does for the quoting the advice uses: words, '...', backslash. */
    static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (quoted) {
                if (c == '\'') {
                    quoted = false;
                } else {
                    word.append(c);
                }
            } else if (c == '\'') {
                quoted = true;
                word = word == null ? new StringBuilder() : word;
            } else if (c == '\\' && i + 1 < command.length()) {
                word = word == null ? new StringBuilder() : word;
                word.append(command.charAt(++i));
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        assertThat(quoted).as("unbalanced quote in %s", command).isFalse();
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    private static Run run(Map<String, String> environment, String command) {
        List<String> words = words(command);
        assertThat(words.get(0)).isEqualTo("smtp-probe");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.commandLine(environment, new PrintWriter(out), new PrintWriter(err))
                .execute(words.subList(1, words.size()).toArray(String[]::new));
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {}
}
