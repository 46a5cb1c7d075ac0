package io.smtpprobe.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.smtpprobe.config.DeliveryConfig;
import io.smtpprobe.testing.Promtool;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The Prometheus rule file: valid for promtool, its unit tests pass, and they cover every alert. */
class AlertRulesTest {
    /** The agent's default probe.interval (smtp-probe.yml(5)): result alerts must outlast one. */
    private static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofMinutes(5);

    /** The delivery probe's alert (issue 26): its results stand an interval of its own, not a probe round's. */
    static final String DELIVERY_ALERT = "SmtpDeliveryFailing";

    /** The alerts issues 5, 12, 15 and 26 ask for, by name; the file may not silently drop one. */
    private static final Set<String> REQUIRED_ALERTS = Set.of("Port25BlockedUnexpectedly", "Port25OpenUnexpectedly",
            "SmtpRelayFailing", "SmtpReceiverRejecting", "SmtpReceiverUnavailable", "SmtpTlsCertificateExpiringSoon",
            "SmtpNoEgress", "SmtpDnsUnavailable", "SmtpProbeFailingIntermittently", "SmtpFleetEgressFailing",
            "SmtpProbeAgentDown", "SmtpProbeResultsStale", "SmtpProbeConfigReloadFailed", DELIVERY_ALERT);

    /** One alert for many VMs; Alertmanager inhibits the per-VM ones under it, so it must fire first. */
    static final String FLEET_ALERT = "SmtpFleetEgressFailing";

    /** Where every alert's runbook_url points: a section of the repository's own docs. */
    static final Path RUNBOOK = Path.of("dashboards", "RUNBOOK.md");

    /** Alerts about the agent itself rather than a probe result; their timing is not a probe interval. */
    private static final Set<String> AGENT_ALERTS =
            Set.of("SmtpProbeAgentDown", "SmtpProbeResultsStale", "SmtpProbeConfigReloadFailed");

    private final Promtool promtool = Promtool.onPath();
    private final JsonNode rules = RuleFile.read(RuleFile.RULES);

    @Test
    void promtoolAcceptsTheRulesWithoutFindings() {
        Promtool.Run run = promtool.run(Path.of("."), "check", "rules", RuleFile.RULES.toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output().lines().map(String::strip).filter(l -> !l.isEmpty()))
                .as(run.output())
                .containsExactly("Checking " + RuleFile.RULES, "SUCCESS: " + RuleFile.rules(rules).size() + " rules found");
    }

    @Test
    void everyAlertPassesItsPromtoolUnitTests() {
        Promtool.Run run = promtool.run(RuleFile.UNIT_TESTS.getParent(), "test", "rules",
                RuleFile.UNIT_TESTS.getFileName().toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");
    }

    @Test
    void shipsEveryAlertTheIssueAsksFor() {
        assertThat(RuleFile.alerts(rules).keySet()).containsAll(REQUIRED_ALERTS);
    }

    @Test
    void everyAlertHasSeveritySummaryAndAnActionableDescription() {
        RuleFile.alerts(rules).forEach((name, alert) -> {
            assertThat(alert.path("labels").path("severity").asText()).as(name).isIn("critical", "warning", "info");
            assertThat(alert.path("annotations").path("summary").asText()).as(name).isNotBlank();
            assertThat(alert.path("annotations").path("description").asText()).as(name)
                    .hasSizeGreaterThan(120)
                    .containsAnyOf("check", "Check", "run ", "Run ", "Record", "renew", "Look");
            assertThat(alert.path("for").asText()).as(name + " needs a for:").isNotBlank();
        });
    }

    @Test
    void resultAlertsRideOutOneFailedProbeAtTheDefaultInterval() {
        RuleFile.alerts(rules).forEach((name, alert) -> {
            if (!AGENT_ALERTS.contains(name) && !name.equals(FLEET_ALERT)) {
                assertThat(Durations.parse(alert.path("for").asText())).as(name)
                        .isGreaterThan(DEFAULT_PROBE_INTERVAL.multipliedBy(2));
            }
        });
    }

    /**
     * A delivery result stands for the delivery interval, and a delivery probe may take its delivery_timeout
     * to end: the alert rides out one failed message at the defaults (one failure, then a slow success, holds 0
     * for an interval plus the timeout) and keeps firing through a restart (the next message is due an interval
     * after the last one sent, and may take the timeout).
     */
    @Test
    void deliveryAlertRidesOutOneFailedMessageAndARestartAtTheDeliveryDefaults() {
        JsonNode alert = RuleFile.alerts(rules).get(DELIVERY_ALERT);
        Duration oneResult = DeliveryConfig.DEFAULT_INTERVAL.plus(DeliveryConfig.DEFAULT_DELIVERY_TIMEOUT);

        assertThat(Durations.parse(alert.path("for").asText())).isGreaterThan(oneResult);
        assertThat(Durations.parse(alert.path("keep_firing_for").asText())).isGreaterThan(oneResult);
    }

    /**
     * An agent restart (no series, then no diagnosis until the first round) or one good round in an
     * outage must not resolve a firing result alert: each keeps firing for longer than one interval.
     */
    @Test
    void resultAlertsKeepFiringThroughARestartAndOneGoodRound() {
        RuleFile.alerts(rules).forEach((name, alert) -> {
            if (!AGENT_ALERTS.contains(name)) {
                assertThat(alert.path("keep_firing_for").asText()).as(name + " needs keep_firing_for").isNotBlank();
                assertThat(Durations.parse(alert.path("keep_firing_for").asText())).as(name)
                        .isGreaterThan(DEFAULT_PROBE_INTERVAL.multipliedBy(2));
            }
        });
    }

    /**
     * The VMs of a fleet-wide change flip within one probe interval of each other; the fleet alert must
     * fire before the first of their own alerts, or Alertmanager has nothing to inhibit them with yet.
     */
    @Test
    void fleetAlertFiresBeforeThePerVmAlertsItInhibits() {
        Map<String, JsonNode> alerts = RuleFile.alerts(rules);
        Duration fleetFor = Durations.parse(alerts.get(FLEET_ALERT).path("for").asText());
        JsonNode inhibit = AlertmanagerConfig.read().inhibitionUnder(FLEET_ALERT);
        Set<String> inhibited = AlertmanagerConfig.alertNamesMatched(inhibit, alerts.keySet());

        assertThat(inhibited).contains("Port25BlockedUnexpectedly", "SmtpNoEgress");
        inhibited.forEach(name -> assertThat(Durations.parse(alerts.get(name).path("for").asText()))
                .as("%s waits longer than %s by a probe interval", name, FLEET_ALERT)
                .isGreaterThanOrEqualTo(fleetFor.plus(DEFAULT_PROBE_INTERVAL)));
    }

    /** runbook_url names a section of dashboards/RUNBOOK.md that exists; dashboard_url a shipped dashboard. */
    @Test
    void everyAlertLinksItsRunbookSectionAndADashboard() throws IOException {
        Set<String> anchors = Runbook.anchors(RUNBOOK);
        Set<String> dashboardUids = new TreeSet<>();
        DashboardFile.ALL.forEach(file -> dashboardUids.add(DashboardFile.read(file).uid()));
        RuleFile.alerts(rules).forEach((name, alert) -> {
            String runbook = alert.path("annotations").path("runbook_url").asText();
            assertThat(runbook).as(name).isEqualTo("dashboards/RUNBOOK.md#" + name.toLowerCase(Locale.ROOT));
            assertThat(anchors).as("sections of " + RUNBOOK).contains(runbook.substring(runbook.indexOf('#') + 1));
            String dashboard = alert.path("annotations").path("dashboard_url").asText();
            assertThat(dashboard).as(name).matches("/d/[a-z0-9-]+(\\?.*)?");
            assertThat(dashboardUids).as(name).contains(dashboard.replaceAll("^/d/([a-z0-9-]+).*$", "$1"));
        });
    }

    @Test
    void everyMetricTheRulesReadIsOneTheAgentExports() {
        Set<String> known = MetricVocabulary.known(RuleFile.recordings(rules).keySet());
        for (JsonNode rule : RuleFile.rules(rules)) {
            String expr = rule.path("expr").asText();
            assertThat(PromQlNames.metricNames(expr))
                    .as("metric names in %s", rule.has("alert") ? rule.path("alert") : rule.path("record"))
                    .isNotEmpty()
                    .allSatisfy(name -> assertThat(known).as("known metric names").contains(name));
        }
    }

    @Test
    void unitTestInputsUseOnlyExportedMetrics() {
        Set<String> exported = MetricVocabulary.known(Set.of());
        JsonNode tests = RuleFile.read(RuleFile.UNIT_TESTS);
        tests.path("tests").forEach(test -> test.path("input_series").forEach(series -> {
            String selector = series.path("series").asText();
            assertThat(exported).as(selector).contains(selector.substring(0, selector.indexOf('{')));
        }));
    }

    /**
     * The agent exports outcome, verdict and diagnosis series only for the current value: the unit
     * tests may not feed the rules a zero one-hot, which the agent never exports.
     */
    @Test
    void unitTestInputsHaveNoZeroOneHots() {
        JsonNode tests = RuleFile.read(RuleFile.UNIT_TESTS);
        tests.path("tests").forEach(test -> test.path("input_series").forEach(series -> {
            String selector = series.path("series").asText();
            if (selector.matches("smtp_probe_(outcome|verdict|diagnosis)\\{.*")) {
                assertThat(series.path("values").asText().split(" ")).as(selector)
                        .allSatisfy(value -> assertThat(value).matches("1(x\\d+)?|_(x\\d+)?|stale"));
            }
        }));
    }

    /**
     * For every alert some alert instance (label set) is checked absent, then firing, then absent
     * again: it fires in its situation, is silent before, and resolves. The single-failed-probe cases
     * are in the file as the vm-b series that must never appear.
     */
    @Test
    void unitTestsSeeEveryAlertSilentThenFiringThenResolved() {
        JsonNode tests = RuleFile.read(RuleFile.UNIT_TESTS);
        Map<String, List<String>> missing = new TreeMap<>();
        for (String alert : RuleFile.alerts(rules).keySet()) {
            boolean covered = false;
            for (JsonNode test : tests.path("tests")) {
                // eval time -> firing label sets, for this alert in this test
                Map<Duration, Set<String>> checks = new TreeMap<>();
                for (JsonNode check : test.path("alert_rule_test")) {
                    if (!check.path("alertname").asText().equals(alert)) {
                        continue;
                    }
                    Set<String> firing = new TreeSet<>();
                    check.path("exp_alerts").forEach(a -> firing.add(a.path("exp_labels").toString()));
                    checks.put(Durations.parse(check.path("eval_time").asText()), firing);
                }
                covered |= silentFiringSilent(checks);
            }
            if (!covered) {
                missing.computeIfAbsent("no silent -> firing -> resolved sequence", k -> new ArrayList<>()).add(alert);
            }
        }
        assertThat(missing).isEmpty();
    }

    private static boolean silentFiringSilent(Map<Duration, Set<String>> checks) {
        List<Set<String>> inOrder = new ArrayList<>(checks.values());
        Map<String, Integer> firstSeen = new HashMap<>();
        for (int i = 0; i < inOrder.size(); i++) {
            for (String instance : inOrder.get(i)) {
                firstSeen.putIfAbsent(instance, i);
            }
        }
        for (Map.Entry<String, Integer> seen : firstSeen.entrySet()) {
            int first = seen.getValue();
            boolean silentBefore = first > 0;
            boolean resolvedAfter = inOrder.subList(first, inOrder.size()).stream()
                    .anyMatch(firing -> !firing.contains(seen.getKey()));
            if (silentBefore && resolvedAfter) {
                return true;
            }
        }
        return false;
    }
}
