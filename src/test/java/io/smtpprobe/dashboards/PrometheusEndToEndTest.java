package io.smtpprobe.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.smtpprobe.agent.AgentOptions;
import io.smtpprobe.agent.EventLog;
import io.smtpprobe.agent.LogLevel;
import io.smtpprobe.agent.NetworkProbers;
import io.smtpprobe.agent.ReloadResult;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.http.Daemon;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.probe.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's binary) scrapes real agents running in this JVM, each on a loopback
 * configuration that reproduces one situation, loads the shipped rule file, and must show every
 * alert firing for the VM in its situation and for no other; then every dashboard query must
 * return data from it.
 *
 * <p>One substitution, mechanical and nothing else: the agents probe every 2 s instead of every
 * five minutes, so every {@code for:} of the rule file is scaled by the same 2 s / 5 m (see
 * {@link ScaledRules}): 11 m becomes 4.4 s. The stale-results alert needs no other change: it
 * measures the agent's interval. Prometheus scrapes and evaluates every second.
 *
 * <p>The fleet:
 * <ul>
 *   <li>vm-blocked (Enterprise Agreement, port 25 allowed): port 25 to an internet-routed address
 *       refuses, a control on another port connects: Port25BlockedUnexpectedly.
 *   <li>vm-open (Pay-As-You-Go, port 25 blocked by policy; on "Azure" through a loopback instance
 *       metadata service): an SMTP server answers on port 25 (Port25OpenUnexpectedly); the relay
 *       offers STARTTLS with a certificate expiring in 7 days and rejects AUTH (SmtpRelayFailing,
 *       SmtpTlsCertificateExpiringSoon); a receiver greets with 554 (SmtpReceiverRejecting).
 *   <li>vm-noegress: port 25 and the control both refuse: SmtpNoEgress.
 *   <li>vm-reload: probes for a while, then is reloaded to a 1 h interval, so its results stop
 *       while it keeps answering scrapes (SmtpProbeResultsStale); then a broken configuration is
 *       refused (SmtpProbeConfigReloadFailed).
 *   <li>vm-down: scraped, then stopped: SmtpProbeAgentDown.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusEndToEndTest {
    private static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    private static final Duration TEST_INTERVAL = Duration.ofSeconds(2);
    private static final Duration ALERT_BOUND = Duration.ofSeconds(120);
    private static final String SUBSCRIPTION = "2b3c4d5e-6f70-4811-9a2b-3c4d5e6f7081";
    private static final String AZURE_VM_NAME = "vm-open";

    /** Which VMs each alert must fire for, and only those. */
    private static final Map<String, Set<String>> EXPECTED_FIRING = new TreeMap<>(Map.of(
            "Port25BlockedUnexpectedly", Set.of("vm-blocked"),
            "Port25OpenUnexpectedly", Set.of("vm-open"),
            "SmtpRelayFailing", Set.of("vm-open"),
            "SmtpReceiverRejecting", Set.of("vm-open"),
            "SmtpTlsCertificateExpiringSoon", Set.of("vm-open"),
            "SmtpNoEgress", Set.of("vm-noegress"),
            "SmtpProbeAgentDown", Set.of("vm-down"),
            "SmtpProbeResultsStale", Set.of("vm-reload"),
            "SmtpProbeConfigReloadFailed", Set.of("vm-reload")));

    private Path dir;

    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private final Map<String, Daemon> agents = new LinkedHashMap<>();
    private final Map<String, String> instances = new LinkedHashMap<>();
    private final ByteArrayOutputStream agentLogs = new ByteArrayOutputStream();
    private PrometheusServer prometheus;
    private String prefix;

    @BeforeAll
    void startFleetAndPrometheus(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        // A /16 of the loopback range of our own, so nothing else on the machine answers there.
        prefix = "127." + ThreadLocalRandom.current().nextInt(100, 200) + "."
                + ThreadLocalRandom.current().nextInt(1, 250) + ".";
        InetAddress open25 = address(2);
        InetAddress rejecting = address(3);
        InetAddress relayAddress = address(4);
        InetAddress control = address(5);
        InetAddress dark = address(6);
        assertRefused(dark, 25);
        assertRefused(dark, 443);

        try {
            closing(ScriptedSmtpServer.start(open25, 25, ScriptedSmtpServer.Part.RECEIVER, null));
        } catch (BindException e) {
            throw new AssertionError("cannot listen on " + open25.getHostAddress() + ":25 (" + e.getMessage()
                    + "): the port-25 scenario needs root or CAP_NET_BIND_SERVICE; run the tests as root, as CI does", e);
        }
        ScriptedSmtpServer blocklisting = closing(ScriptedSmtpServer.start(rejecting, 0,
                ScriptedSmtpServer.Part.REJECTING_RECEIVER, null));
        TestCertificate relayCertificate = TestCertificate.forAddress(relayAddress,
                Instant.now().minus(Duration.ofDays(80)), Instant.now().plus(Duration.ofDays(7)));
        ScriptedSmtpServer relay = closing(ScriptedSmtpServer.start(relayAddress, 0,
                ScriptedSmtpServer.Part.RELAY_REJECTING_AUTH, relayCertificate.serverContext()));
        ScriptedSmtpServer controlServer = closing(ScriptedSmtpServer.start(control, 0,
                ScriptedSmtpServer.Part.RECEIVER, null));
        Path caFile = relayCertificate.writePem(dir.resolve("relay-ca.pem"));
        Path password = Files.writeString(dir.resolve("relay-password"), "not-the-password\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        FakeInstanceMetadata metadata = closing(new FakeInstanceMetadata(SUBSCRIPTION,
                "5f0e2b1c-3a4d-4e5f-8a9b-0c1d2e3f4a5b", AZURE_VM_NAME, "rg-mail", "westeurope"));

        String port25Blocked = target("mx-direct", dark.getHostAddress(), 25, "smtp", "    route: internet\n");
        String controlTarget = target("control", control.getHostAddress(), controlServer.port(), "tcp", "");

        start("vm-blocked", config("enterprise-agreement", "off", null, port25Blocked + controlTarget));
        start("vm-open", config("pay-as-you-go", "on", metadata.endpoint(),
                target("mx-direct", open25.getHostAddress(), 25, "smtp", "    route: internet\n")
                        + target("relay", relayAddress.getHostAddress(), relay.port(), "submission",
                                "    auth:\n      username: probe@example.test\n      password_file: " + password + "\n"
                                        + "    tls:\n      ca_file: " + caFile + "\n")
                        + target("receiver", rejecting.getHostAddress(), blocklisting.port(), "smtp",
                                "    expect: reachable\n")
                        + controlTarget));
        start("vm-noegress", config("pay-as-you-go", "off", null,
                port25Blocked + target("control", dark.getHostAddress(), 443, "tcp", "")));
        start("vm-reload", config("pay-as-you-go", "off", null, controlTarget));
        start("vm-down", config("pay-as-you-go", "off", null, controlTarget));

        Path rules = ScaledRules.write(RuleFile.RULES, dir.resolve("smtp-probe.rules.yml"), DEFAULT_INTERVAL,
                TEST_INTERVAL);
        prometheus = PrometheusServer.start(Files.createDirectories(dir.resolve("prometheus")), List.of(rules),
                List.copyOf(instances.values()));

        // vm-reload: let Prometheus see a few runs, so the agent's pace is known, then slow it to one
        // round an hour and afterwards hand it a broken file.
        awaitQuery("changes(smtp_probe_last_run_timestamp_seconds{instance=\"" + instances.get("vm-reload")
                + "\"}[1h]) >= 3");
        Path reloadConfig = dir.resolve("vm-reload.yml");
        Files.writeString(reloadConfig, Files.readString(reloadConfig).replace("interval: 2s", "interval: 1h"));
        assertThat(agents.get("vm-reload").agent().reload()).extracting(ReloadResult::applied).isEqualTo(true);
        Files.writeString(reloadConfig, Files.readString(reloadConfig) + "colour: blue\n");
        assertThat(agents.get("vm-reload").agent().reload()).extracting(ReloadResult::applied).isEqualTo(false);

        // vm-down: once Prometheus has scraped it, stop it.
        awaitQuery("up{instance=\"" + instances.get("vm-down") + "\"} == 1 and on (instance) smtp_probe_build_info");
        Daemon down = agents.remove("vm-down");
        down.agent().shutdown();
        down.agent().awaitShutdown();
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        for (Daemon daemon : agents.values()) {
            daemon.agent().shutdown();
            daemon.agent().awaitShutdown();
        }
        for (AutoCloseable closeable : closeLast) {
            closeable.close();
        }
    }

    @Test
    void everyAlertFiresForTheVmInItsSituationAndForNoOther() {
        Map<String, Set<String>> expected = EXPECTED_FIRING;
        assertThat(expected.keySet()).isEqualTo(RuleFile.alerts(RuleFile.read(RuleFile.RULES)).keySet());

        Map<String, Set<String>> firing = awaitAlerts(expected);

        assertThat(firing).as("firing alerts by VM\n" + diagnostics()).isEqualTo(expected);
        // Not even pending elsewhere. Scrape and scheduling hiccups of a loaded machine may briefly
        // make the agent-down and stale alerts pending, so those two are held to the firing check only.
        Map<String, Set<String>> pendingOrFiring = activeAlerts(null);
        pendingOrFiring.keySet().removeAll(Set.of("SmtpProbeAgentDown", "SmtpProbeResultsStale"));
        Map<String, Set<String>> resultAlerts = new TreeMap<>(expected);
        resultAlerts.keySet().removeAll(Set.of("SmtpProbeAgentDown", "SmtpProbeResultsStale"));
        assertThat(pendingOrFiring).as("no alert pending for a VM outside its situation\n" + diagnostics())
                .isEqualTo(resultAlerts);
    }

    /** Grafana fires for every series its query A returns; against the same data they must be the same VMs. */
    @Test
    void grafanaAlertQueriesSelectTheSameVmsAsThePrometheusAlerts() {
        awaitAlerts(EXPECTED_FIRING);
        Map<String, String> vmByInstance = new LinkedHashMap<>();
        instances.forEach((vm, instance) -> vmByInstance.put(instance, vm));
        Map<String, Set<String>> selected = new TreeMap<>();
        JsonNode grafana = RuleFile.read(RuleFile.GRAFANA_ALERTING);
        grafana.path("groups").forEach(group -> group.path("rules").forEach(rule -> {
            String expr = rule.path("data").get(0).path("model").path("expr").asText();
            for (JsonNode series : prometheus.query(expr)) {
                String instance = series.path("metric").path("instance").asText();
                selected.computeIfAbsent(rule.path("title").asText(), k -> new TreeSet<>())
                        .add(vmByInstance.getOrDefault(instance, instance));
            }
        }));

        assertThat(selected).as(diagnostics()).isEqualTo(EXPECTED_FIRING);
    }

    @Test
    void alertsNameTheVmAndTheFailingOutcome() {
        awaitAlerts(Map.of("SmtpRelayFailing", Set.of("vm-open")));
        JsonNode relay = alertsNamed("SmtpRelayFailing").get(0);

        assertThat(relay.path("labels").path("vm").asText()).isEqualTo(AZURE_VM_NAME);
        assertThat(relay.path("labels").path("subscription_id").asText()).isEqualTo(SUBSCRIPTION);
        assertThat(relay.path("labels").path("location").asText()).isEqualTo("westeurope");
        assertThat(relay.path("labels").path("target").asText()).isEqualTo("relay");
        assertThat(relay.path("annotations").path("description").asText()).contains("ends in auth_rejected");
        JsonNode blocked = alertsNamed("Port25BlockedUnexpectedly").get(0);
        assertThat(blocked.path("labels").path("vm").asText()).as("off Azure the instance names the VM")
                .isEqualTo(instances.get("vm-blocked"));
    }

    @Test
    void everyRuleEvaluatesWithoutError() {
        awaitQuery("instance:smtp_probe_vm:info");
        List<String> unhealthy = new ArrayList<>();
        prometheus.rules().forEach(group -> group.path("rules").forEach(rule -> {
            if (!rule.path("health").asText().equals("ok")) {
                unhealthy.add(rule.path("name").asText() + ": " + rule.path("health").asText() + " "
                        + rule.path("lastError").asText());
            }
        }));
        assertThat(unhealthy).isEmpty();
    }

    @Test
    void everyFleetDashboardQueryReturnsData() {
        DashboardFile fleet = DashboardFile.read(DashboardFile.ALL.get(0));
        Map<String, String> all = Map.of("subscription", ".*", "location", ".*", "vm", ".*", "target", ".*");

        assertEveryQueryReturnsData(fleet.panelQueries(all), fleet.variableSelectors(all));
    }

    @Test
    void everyVmDashboardQueryReturnsDataForTheAzureVm() {
        DashboardFile vm = DashboardFile.read(DashboardFile.ALL.get(1));
        Map<String, String> oneVm = Map.of("subscription", SUBSCRIPTION, "location", "westeurope",
                "vm", AZURE_VM_NAME, "instance", instances.get("vm-open"), "target", ".*");

        assertEveryQueryReturnsData(vm.panelQueries(oneVm), vm.variableSelectors(oneVm));
    }

    private void assertEveryQueryReturnsData(List<DashboardFile.Query> panels, List<DashboardFile.Query> variables) {
        List<DashboardFile.Query> queries = new ArrayList<>(panels);
        queries.addAll(variables);
        // Rates and increases need two scrapes of every series; wait for the slowest to have them.
        awaitQuery("count_over_time(smtp_probe_runs_total[1h]) >= 3");
        awaitQuery("target:smtp_probe_verdict:worst_code{vm=\"" + AZURE_VM_NAME + "\"}");
        List<String> empty = new ArrayList<>();
        for (DashboardFile.Query query : queries) {
            if (prometheus.query(query.expr()).isEmpty()) {
                empty.add(query.where() + ": " + query.expr());
            }
        }
        assertThat(empty).as("queries without data\n" + diagnostics()).isEmpty();
    }

    // ------------------------------------------------------------------ fleet set-up

    private void start(String vm, String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve(vm + ".yml"), yaml);
        Config config = new ConfigLoader(Map.of(), PolicyTable.NAMES).load(file);
        AgentOptions options = new AgentOptions("0.1.0-e2e", Clock.systemUTC(), Map.of(),
                new EventLog(new PrintStream(agentLogs, true, StandardCharsets.UTF_8), Clock.systemUTC(),
                        LogLevel.WARN, true),
                // The daemon's own prober factory, one per agent as in `smtp-probe run` (the agent closes
                // it at shutdown); no DMI strings here, so not on Azure as far as tokens go.
                new NetworkProbers(Clock.systemUTC(), Ticker.SYSTEM, dir.resolve("no-dmi")),
                AgentOptions::configuredPolicy, dir.resolve("no-dmi"), Duration.ofHours(1), false);
        Daemon daemon = Daemon.start(config, file, options, "127.0.0.1:0");
        agents.put(vm, daemon);
        instances.put(vm, "127.0.0.1:" + daemon.port());
    }

    private static String config(String offer, String metadata, String metadataEndpoint, String targets) {
        return "subscription:\n  offer: " + offer + "\n"
                + "azure:\n  metadata: " + metadata + "\n"
                + (metadataEndpoint == null ? "" : "  metadata_endpoint: " + metadataEndpoint + "\n")
                + "probe:\n  interval: 2s\n  jitter: 0s\n  timeout: 1500ms\n  concurrency: 4\n"
                + "targets:\n" + targets;
    }

    private static String target(String name, String host, int port, String mode, String extra) {
        return "  - name: " + name + "\n    host: " + host + "\n    port: " + port + "\n    mode: " + mode + "\n"
                + extra;
    }

    private InetAddress address(int last) throws IOException {
        return InetAddress.getByName(prefix + last);
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        closeLast.add(closeable);
        return closeable;
    }

    private static void assertRefused(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 1000);
            throw new AssertionError(address.getHostAddress() + ":" + port
                    + " answers, but the test needs nothing listening there; something on this machine binds it");
        } catch (ConnectException expected) {
            // refused: nothing listens, as the scenario needs
        }
    }

    // ------------------------------------------------------------------ waiting on Prometheus

    /** Waits, bounded, until every expected alert is firing for its VMs; returns what fired by VM. */
    private Map<String, Set<String>> awaitAlerts(Map<String, Set<String>> expected) {
        long deadline = System.nanoTime() + ALERT_BOUND.toNanos();
        Map<String, Set<String>> firing = Map.of();
        while (System.nanoTime() < deadline) {
            firing = activeAlerts("firing");
            Map<String, Set<String>> seen = firing;
            if (expected.entrySet().stream().allMatch(e -> seen.getOrDefault(e.getKey(), Set.of())
                    .containsAll(e.getValue()))) {
                return firing;
            }
            PrometheusServer.pause();
        }
        return firing;
    }

    /** Alert name to the VMs (scenario names) it is active for; state null means pending or firing. */
    private Map<String, Set<String>> activeAlerts(String state) {
        Map<String, String> vmByInstance = new LinkedHashMap<>();
        instances.forEach((vm, instance) -> vmByInstance.put(instance, vm));
        Map<String, Set<String>> active = new TreeMap<>();
        for (JsonNode alert : prometheus.alerts()) {
            if (state != null && !alert.path("state").asText().equals(state)) {
                continue;
            }
            String instance = alert.path("labels").path("instance").asText();
            active.computeIfAbsent(alert.path("labels").path("alertname").asText(), k -> new TreeSet<>())
                    .add(vmByInstance.getOrDefault(instance, instance));
        }
        return active;
    }

    private List<JsonNode> alertsNamed(String name) {
        List<JsonNode> named = new ArrayList<>();
        prometheus.alerts().forEach(a -> {
            if (a.path("labels").path("alertname").asText().equals(name)) {
                named.add(a);
            }
        });
        return named;
    }

    private void awaitQuery(String promql) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!prometheus.query(promql).isEmpty()) {
                return;
            }
            PrometheusServer.pause();
        }
        throw new AssertionError("no data within 60 s for " + promql + "\n" + diagnostics());
    }

    private String diagnostics() {
        StringBuilder text = new StringBuilder("instances: ").append(instances).append('\n');
        text.append("diagnoses: ").append(prometheus.query("smtp_probe_diagnosis == 1")).append('\n');
        text.append("verdicts: ").append(prometheus.query("smtp_probe_verdict == 1")).append('\n');
        text.append("outcomes: ").append(prometheus.query("smtp_probe_outcome == 1")).append('\n');
        text.append("alerts: ").append(prometheus.alerts()).append('\n');
        text.append("agent log:\n").append(agentLogs.toString(StandardCharsets.UTF_8)).append('\n');
        text.append("prometheus log:\n").append(prometheus.log());
        return text.toString();
    }
}
