package io.smtpprobe.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** dashboards/alertmanager/alertmanager.yml: valid for amtool, routes each severity, pages once per fleet event. */
class AlertmanagerConfigTest {
    private final AlertmanagerConfig config = AlertmanagerConfig.read();

    @Test
    void amtoolAcceptsTheExample() {
        Amtool.Run run = Amtool.run("check-config", AlertmanagerConfig.FILE.toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS", "2 inhibit rules");
    }

    /** Every severity the rules use reaches a receiver of its own, as amtool's routing test resolves it. */
    @Test
    void routesCriticalToThePagerWarningsToChatAndInfoToTickets() {
        assertThat(receiverFor("alertname=Port25BlockedUnexpectedly", "severity=critical")).isEqualTo("smtp-probe-pager");
        assertThat(receiverFor("alertname=SmtpReceiverRejecting", "severity=warning")).isEqualTo("smtp-probe-chat");
        assertThat(receiverFor("alertname=SmtpReceiverUnavailable", "severity=info")).isEqualTo("smtp-probe-tickets");
        List<String> severities = new ArrayList<>();
        RuleFile.alerts(RuleFile.read(RuleFile.RULES))
                .forEach((name, alert) -> severities.add(alert.path("labels").path("severity").asText()));
        assertThat(severities).allSatisfy(s -> assertThat(s).isIn("critical", "warning", "info"));
    }

    /** The fleet alert holds back the per-VM egress alerts of its subscription and location, no wider. */
    @Test
    void inhibitsThePerVmEgressAlertsUnderTheFleetAlertByLocation() {
        JsonNode rule = config.inhibitionUnder(AlertRulesTest.FLEET_ALERT);
        List<String> equal = new ArrayList<>();
        rule.path("equal").forEach(label -> equal.add(label.asText()));

        assertThat(equal).containsExactlyInAnyOrder("subscription_id", "location");
        assertThat(AlertmanagerConfig.alertNamesMatched(rule, RuleFile.alerts(RuleFile.read(RuleFile.RULES)).keySet()))
                .containsExactlyInAnyOrder("Port25BlockedUnexpectedly", "SmtpNoEgress", "SmtpRelayFailing",
                        "SmtpProbeFailingIntermittently");
    }

    /** Groups keep VMs apart, so that without the fleet alert every VM would notify on its own. */
    @Test
    void groupsPerAlertAndVm() {
        List<String> groupBy = new ArrayList<>();
        config.root.path("route").path("group_by").forEach(label -> groupBy.add(label.asText()));

        assertThat(groupBy).contains("alertname", "subscription_id", "location", "vm");
    }

    private static String receiverFor(String... labels) {
        List<String> args = new ArrayList<>(List.of("config", "routes", "test", "--config.file=" + AlertmanagerConfig.FILE));
        args.addAll(List.of(labels));
        Amtool.Run run = Amtool.run(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.output()).isZero();
        return run.stdout().strip();
    }
}
