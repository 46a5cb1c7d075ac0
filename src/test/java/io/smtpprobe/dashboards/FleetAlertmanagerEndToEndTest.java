package io.smtpprobe.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.smtpprobe.testing.BacklogFullListener;
import io.smtpprobe.testing.PrometheusServer;
import io.smtpprobe.testing.Promtool;
import io.smtpprobe.testing.ScriptedSmtpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real components end to end: twenty-one smtp-probe agents (separate JVMs, each a VM of its own under
 * its scrape address, off Azure, so all of them one fleet), a real Prometheus scraping them with the
 * shipped rules, and a real Alertmanager with the shipped example's routes and inhibitions, sending to
 * a loopback webhook receiver.
 *
 * <p>Twenty VMs send to one MX on port 25, which answers; the twenty-first, vm-lonely, sends to an MX
 * whose port 25 drops every connect. First vm-lonely's
 * Port25BlockedUnexpectedly fires and is notified; its agent is stopped until Prometheus has no series
 * of it, and started again: no resolve may reach the receiver. Then the fleet's MX starts dropping
 * connects too (a listener whose accept queue is full: the SYN goes unanswered, as under an NSG deny):
 * the receiver must get one notification, SmtpFleetEgressFailing, and none of the twenty per-VM alerts,
 * which Alertmanager holds back.
 *
 * <p>Time is scaled as in {@link PrometheusEndToEndTest}: the agents probe every {@link #PROBE_INTERVAL}
 * instead of 5 m, and every {@code for:} and {@code keep_firing_for:} of the shipped rules is scaled by
 * the same factor, except that {@code keep_firing_for:} stays at least {@link #RESTART_BOUND} (a JVM start
 * does not scale; the real 11 m is far above it); Alertmanager's group timers are shortened to seconds. The test binds port 25 on
 * loopback addresses, so it runs as root (as CI does).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetAlertmanagerEndToEndTest {
    private static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(8);
    private static final int FLEET_SIZE = 20;
    private static final String LONELY = "vm-lonely";
    private static final Duration BOUND = Duration.ofSeconds(120);
    /** Longer than a JVM agent takes to stop, start and probe on a loaded two-core machine (see ScaledRules). */
    private static final Duration RESTART_BOUND = Duration.ofSeconds(60);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private final Map<String, FleetAgent> agents = new LinkedHashMap<>();
    private String prefix;
    private SwitchableMx fleetMx;
    private WebhookReceiver webhook;
    private AlertmanagerServer alertmanager;
    private PrometheusServer prometheus;

    @BeforeAll
    void startFleet(@TempDir Path dir) throws Exception {
        prefix = "127." + ThreadLocalRandom.current().nextInt(200, 250) + "." + ThreadLocalRandom.current().nextInt(1, 250) + ".";
        try {
            fleetMx = new SwitchableMx(address(2), 25);
        } catch (BindException e) {
            throw new AssertionError("cannot listen on " + prefix + "2:25 (" + e.getMessage()
                    + "): the test needs root or CAP_NET_BIND_SERVICE; run the tests as root, as CI does", e);
        }
        closeLast.add(fleetMx);
        closeLast.add(new BacklogFullListener(address(4), 25));
        ScriptedSmtpServer control = ScriptedSmtpServer.start(address(3), 0, peer -> peer.send("220 control.test ESMTP"));
        closeLast.add(control);

        webhook = new WebhookReceiver();
        closeLast.add(webhook);
        alertmanager = AlertmanagerServer.start(Files.createDirectories(dir.resolve("alertmanager")), shippedAlertmanagerConfig());

        int agentPort = freePort(address(10));
        for (int i = 0; i <= FLEET_SIZE; i++) {
            boolean lonely = i == FLEET_SIZE;
            String vm = lonely ? LONELY : String.format("vm-web-%02d", i + 1);
            Path config = Files.writeString(dir.resolve(vm + ".yml"),
                    agentConfig(prefix + (lonely ? 4 : 2), prefix + 3, control.port()));
            agents.put(vm, FleetAgent.launch(config, prefix + (10 + i) + ":" + agentPort));
        }
        for (FleetAgent agent : agents.values()) {
            agent.awaitListening(180);
        }
        Path rules = ScaledRules.write(RuleFile.RULES, dir.resolve("smtp-probe.rules.yml"), DEFAULT_INTERVAL, PROBE_INTERVAL,
                RESTART_BOUND);
        StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1s\n")
                .append("rule_files:\n  - ").append(Promtool.yamlString(rules.toString())).append('\n')
                .append("alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [")
                .append(Promtool.yamlString(alertmanager.address())).append("]\n")
                .append("scrape_configs:\n  - job_name: smtp-probe\n    static_configs:\n      - targets:\n");
        agents.values().forEach(a -> config.append("          - ").append(Promtool.yamlString(a.instance())).append('\n'));
        prometheus = PrometheusServer.start(Files.createDirectories(dir.resolve("prometheus")), config.toString());
    }

    @AfterAll
    void stopFleet() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (alertmanager != null) {
            alertmanager.close();
        }
        agents.values().forEach(FleetAgent::close);
        for (AutoCloseable closeable : closeLast) {
            closeable.close();
        }
    }

    @Test
    @Order(1)
    void anAgentRestartDuringAFiringAlertSendsNoResolve() throws Exception {
        FleetAgent lonely = agents.get(LONELY);
        String vm = lonely.instance(); // off Azure, the scrape instance names the VM
        await("vm-lonely's Port25BlockedUnexpectedly notified", () -> notified("Port25BlockedUnexpectedly", vm));
        String activeAt = firingAlert("Port25BlockedUnexpectedly", vm).path("activeAt").asText();

        lonely.stop();
        String instance = lonely.instance();
        await("Prometheus to lose vm-lonely", () -> !prometheus.query("up{instance=\"" + instance + "\"} == 0").isEmpty()
                && prometheus.query("instance:smtp_probe_vm:info{instance=\"" + instance + "\"}").isEmpty());
        lonely.restart();
        long restartedAt = Instant.now().getEpochSecond();
        // Two rounds of the restarted agent, the second a full interval after the first.
        await("two rounds of the restarted vm-lonely", () -> !prometheus.query("smtp_probe_last_run_timestamp_seconds{instance=\""
                + instance + "\",target=\"mx-direct\"} > " + (restartedAt + PROBE_INTERVAL.toSeconds())).isEmpty());

        assertThat(firingAlert("Port25BlockedUnexpectedly", vm).path("activeAt").asText())
                .as("the same alert, firing throughout").isEqualTo(activeAt);
        assertThat(webhook.received()).as("notifications").noneMatch(n -> n.body().path("alerts").findParents("labels").stream()
                .anyMatch(alert -> alert.path("labels").path("alertname").asText().equals("Port25BlockedUnexpectedly")
                        && alert.path("status").asText().equals("resolved")));
    }

    @Test
    @Order(2)
    void aFleetWideEgressFailurePagesOnceNotOncePerVm() throws Exception {
        int before = webhook.received().size();
        fleetMx.dropConnects();

        await("SmtpFleetEgressFailing notified", () -> webhook.received().stream().skip(before)
                .anyMatch(n -> n.alertNames().contains("SmtpFleetEgressFailing")));
        // Port 25 was blocked for vm-lonely already: its alert was notified before, in its own group.
        Set<String> fleet = new TreeSet<>();
        agents.forEach((name, agent) -> {
            if (!name.equals(LONELY)) {
                fleet.add(agent.instance()); // off Azure, the instance names the VM
            }
        });
        // Every per-VM alert has fired in Prometheus and had Alertmanager's group wait and two group
        // intervals to be notified, had it not been held back.
        await("all twenty Port25BlockedUnexpectedly firing for 5 s", () -> firingLongerThan("Port25BlockedUnexpectedly",
                Duration.ofSeconds(5)).containsAll(fleet));

        // vm-lonely's group, notified before, may be told its alert is now held back too; that is not a page.
        String lonelyInstance = agents.get(LONELY).instance();
        List<WebhookReceiver.Notification> after = webhook.received().subList(before, webhook.received().size()).stream()
                .filter(n -> !n.body().path("groupLabels").path("instance").asText().equals(lonelyInstance)).toList();
        assertThat(after).as("notifications after the egress change").hasSize(1);
        assertThat(after.get(0).alertNames()).containsExactly("SmtpFleetEgressFailing");
        assertThat(after.get(0).status()).isEqualTo("firing");
        assertThat(after.get(0).path()).isEqualTo("/smtp-probe-pager");
        assertThat(after.get(0).body().path("alerts")).as("one fleet alert, for the one (off-Azure) fleet").hasSize(1);
        Set<String> suppressed = new TreeSet<>();
        alertmanager.alerts().forEach(alert -> {
            if (alert.path("labels").path("alertname").asText().equals("Port25BlockedUnexpectedly")
                    && alert.path("status").path("state").asText().equals("suppressed")
                    && alert.path("status").path("inhibitedBy").size() > 0) {
                suppressed.add(alert.path("labels").path("vm").asText());
            }
        });
        assertThat(suppressed).as("per-VM alerts Alertmanager holds back under the fleet alert").containsAll(fleet);
    }

    // ------------------------------------------------------------------ situations

    /**
     * An agent off Azure: its scrape instance names the VM, and the agents form one fleet (no subscription
     * or location). Not the instance metadata: on a loaded two-core machine the agents' first metadata
     * request, on a cold JVM, does not finish within its 2 s, and the next is minutes later.
     */
    private static String agentConfig(String mx, String control, int controlPort) {
        return "subscription:\n  offer: enterprise-agreement\n"
                + "azure:\n  metadata: off\n"
                + "probe:\n  interval: " + PROBE_INTERVAL.toSeconds() + "s\n  jitter: 0s\n  timeout: 2s\n  concurrency: 2\n"
                + "targets:\n"
                + "  - name: mx-direct\n    host: " + mx + "\n    port: 25\n    mode: smtp\n    route: internet\n"
                + "  - name: control\n    host: " + control + "\n    port: " + controlPort + "\n    mode: tcp\n";
    }

    /** The shipped example with its receivers pointed at the webhook and its timers in seconds. */
    private String shippedAlertmanagerConfig() throws IOException {
        ObjectNode config = (ObjectNode) YAML.readTree(AlertmanagerConfig.FILE.toFile());
        ObjectNode route = (ObjectNode) config.path("route");
        route.put("group_wait", "1s").put("group_interval", "2s").put("repeat_interval", "1h");
        config.path("receivers").forEach(receiver -> receiver.path("webhook_configs").forEach(webhookConfig ->
                ((ObjectNode) webhookConfig).put("url", webhook.url("/" + receiver.path("name").asText()).toString())));
        return YAML.writeValueAsString(config);
    }

    // ------------------------------------------------------------------ reading the components

    private boolean notified(String alertname, String vm) {
        return webhook.received().stream().anyMatch(n -> n.status().equals("firing")
                && n.body().path("alerts").findParents("labels").stream().anyMatch(alert ->
                        alert.path("labels").path("alertname").asText().equals(alertname)
                                && alert.path("labels").path("vm").asText().equals(vm)));
    }

    private JsonNode firingAlert(String alertname, String vm) {
        for (JsonNode alert : prometheus.alerts()) {
            if (alert.path("labels").path("alertname").asText().equals(alertname)
                    && alert.path("labels").path("vm").asText().equals(vm) && alert.path("state").asText().equals("firing")) {
                return alert;
            }
        }
        throw new AssertionError(alertname + " is not firing for " + vm + "\n" + diagnostics());
    }

    /** VMs whose alert of that name has been firing for longer than {@code margin} (activeAt + for + margin). */
    private Set<String> firingLongerThan(String alertname, Duration margin) {
        Duration pending = Durations.parse(ScaledRules.scale(
                "    for: " + RuleFile.alerts(RuleFile.read(RuleFile.RULES)).get(alertname).path("for").asText(),
                DEFAULT_INTERVAL, PROBE_INTERVAL).strip().substring("for: ".length()));
        Set<String> vms = new TreeSet<>();
        for (JsonNode alert : prometheus.alerts()) {
            if (alert.path("labels").path("alertname").asText().equals(alertname) && alert.path("state").asText().equals("firing")
                    && Instant.parse(alert.path("activeAt").asText()).plus(pending).plus(margin).isBefore(Instant.now())) {
                vms.add(alert.path("labels").path("vm").asText());
            }
        }
        return vms;
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            PrometheusServer.pause();
        }
        throw new AssertionError("not within " + BOUND.toSeconds() + " s: " + what + "\n" + diagnostics());
    }

    private String diagnostics() {
        StringBuilder text = new StringBuilder();
        text.append("notifications: ").append(webhook.received()).append('\n');
        text.append("diagnoses: ").append(prometheus.query("count by (diagnosis) (smtp_probe_diagnosis == 1)")).append('\n');
        text.append("up: ").append(prometheus.query("count by (__name__) (up == 1)")).append('\n');
        text.append("alerts: ").append(prometheus.query("count by (alertname, alertstate) (ALERTS)")).append('\n');
        text.append("alertmanager log:\n").append(alertmanager.log()).append('\n');
        text.append("prometheus log:\n").append(prometheus.log()).append('\n');
        FleetAgent lonely = agents.get(LONELY);
        text.append("vm-lonely's agent:\n").append(lonely == null ? "" : lonely.output());
        return text.toString();
    }

    private InetAddress address(int last) throws IOException {
        return InetAddress.getByName(prefix + last);
    }

    private static int freePort(InetAddress bind) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, bind)) {
            return socket.getLocalPort();
        }
    }
}
