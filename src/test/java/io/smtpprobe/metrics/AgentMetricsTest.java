package io.smtpprobe.metrics;

import static io.smtpprobe.testing.DaemonFixtures.host;
import static io.smtpprobe.testing.DaemonFixtures.mx;
import static io.smtpprobe.testing.DaemonFixtures.result;
import static io.smtpprobe.testing.DaemonFixtures.withTls;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.classify.Diagnosis;
import io.smtpprobe.classify.ResultClassifier;
import io.smtpprobe.config.ExpectSetting;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.Route;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.testing.DaemonFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {
    static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    static final Port25Policy PAYG = PolicyTable.evaluate("pay-as-you-go", null, false, "config");

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final AgentMetrics metrics = new AgentMetrics(registry, "0.1.0", T0);

    final TargetConfig gmail = mx("gmail", "gmail.example", 2);
    final TargetConfig relay = host("relay", "smtp.relay.example", 587, Mode.SUBMISSION);
    final TargetConfig control = host("https", "www.example", 443, Mode.TCP);

    static List<ClassifiedResult> classify(TargetConfig target, ProbeResult... results) {
        return Arrays.stream(results).map(r -> ResultClassifier.classify(PAYG, target, r)).toList();
    }

    String text() {
        return withoutRevision(new String(metrics.scrape(ExpositionFormat.PROMETHEUS_TEXT), StandardCharsets.UTF_8));
    }

    /** The build's git revision changes with every commit; the golden files show it as REVISION. */
    static String withoutRevision(String exposition) {
        return exposition.replaceFirst("smtp_probe_build_info\\{revision=\"[^\"]*\"",
                "smtp_probe_build_info{revision=\"REVISION\"");
    }

    static String resource(String name) throws IOException {
        try (InputStream in = AgentMetricsTest.class.getResourceAsStream(name)) {
            assertThat(in).as("test resource %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    void recordARound() {
        metrics.policy(PAYG);
        metrics.record(gmail, classify(gmail,
                result(gmail, "mx1.gmail.example", "203.0.113.25", Outcome.TCP_TIMEOUT, T0, 4, 15000),
                result(gmail, "mx2.gmail.example", "203.0.113.26", Outcome.TCP_TIMEOUT, T0.plusSeconds(1), 3, 15000)));
        metrics.record(relay, classify(relay, withTls(
                result(relay, "smtp.relay.example", "198.51.100.7", Outcome.OK, T0.plusSeconds(2), 2, 20, 30, 5, 40),
                Instant.parse("2027-02-01T00:00:00Z"))));
        metrics.record(control, classify(control,
                result(control, "www.example", "198.51.100.80", Outcome.OK, T0.plusSeconds(3), 1, 12)));
        metrics.diagnosis(Diagnosis.PORT25_BLOCKED_AS_EXPECTED);
    }

    @Test
    void exportsEverySeriesOfEveryTargetFromTheFirstProbe() throws IOException {
        recordARound();

        assertThat(text()).isEqualTo(resource("first-round.prom"));
    }

    @Test
    void exportsTheSameSamplesInOpenMetricsWithItsHeadersAndOneEof() throws IOException {
        recordARound();

        assertThat(withoutRevision(new String(metrics.scrape(ExpositionFormat.OPENMETRICS), StandardCharsets.UTF_8)))
                .isEqualTo(resource("first-round.om"));
    }

    @Test
    void exportsNoNanSeriesForWhatWasNotMeasured() {
        recordARound(); // gmail's hosts timed out at connect; the control is TCP only, without TLS

        String text = text();
        assertThat(text).doesNotContain("NaN");
        assertThat(series(text, "smtp_probe_phase_duration_seconds{", "mx1.gmail.example"))
                .allSatisfy(line -> assertThat(line).containsAnyOf("phase=\"dns\"", "phase=\"connect\"",
                        "phase=\"total\"")).hasSize(3);
        assertThat(series(text, "smtp_probe_tls_certificate_expiry_timestamp_seconds{", "www.example")).isEmpty();
        assertThat(series(text, "smtp_probe_tls_certificate_expiry_timestamp_seconds{", "smtp.relay.example"))
                .hasSize(1);
    }

    @Test
    void exportsOnlyTheCurrentOutcomeVerdictAndDiagnosisAndOnlyOutcomesThatOccurred() {
        recordARound();
        metrics.diagnosis(Diagnosis.NO_EGRESS);

        String text = text();
        assertThat(series(text, "smtp_probe_outcome{", "mx1.gmail.example")).containsExactly(
                "smtp_probe_outcome{host=\"mx1.gmail.example\",outcome=\"tcp_timeout\",target=\"gmail\"} 1.0");
        assertThat(series(text, "smtp_probe_verdict{", "mx1.gmail.example")).containsExactly(
                "smtp_probe_verdict{host=\"mx1.gmail.example\",target=\"gmail\",verdict=\"as_expected\"} 1.0");
        assertThat(text.lines().filter(l -> l.startsWith("smtp_probe_runs_total{") && l.contains("target=\"gmail\"")))
                .containsExactly("smtp_probe_runs_total{outcome=\"tcp_timeout\",target=\"gmail\"} 2.0");
        assertThat(text.lines().filter(l -> l.startsWith("smtp_probe_diagnosis{")))
                .containsExactly("smtp_probe_diagnosis{diagnosis=\"no_egress\"} 1.0");
    }

    @Test
    void leavesOnlyTheHeadlineSeriesBeforeAnyProbe() throws IOException {
        assertThat(text()).isEqualTo(resource("before-first-probe.prom"));
    }

    @Test
    void dropsEverySeriesOfATargetRemovedByAReload() {
        recordARound();

        metrics.retainTargets(List.of("relay", "https"));

        assertThat(text()).doesNotContain("gmail").contains("target=\"relay\"").contains("target=\"https\"");
        assertThat(metrics.targetNames()).containsExactlyInAnyOrder("relay", "https");
    }

    @Test
    void dropsTheHostsAnMxTargetNoLongerResolvesTo() {
        recordARound();

        metrics.record(gmail, classify(gmail,
                result(gmail, "mx1.gmail.example", "203.0.113.25", Outcome.TCP_TIMEOUT, T0.plusSeconds(300), 4, 15000),
                result(gmail, "mx3.gmail.example", "203.0.113.27", Outcome.TCP_TIMEOUT, T0.plusSeconds(301), 4,
                        15000)));

        String text = text();
        assertThat(text).doesNotContain("mx2.gmail.example").contains("host=\"mx3.gmail.example\"");
        assertThat(series(text, "smtp_probe_outcome{", "mx3.gmail.example"))
                .containsExactly("smtp_probe_outcome{host=\"mx3.gmail.example\",outcome=\"tcp_timeout\",target=\"gmail\"} 1.0");
        assertThat(text).contains("smtp_probe_runs_total{outcome=\"tcp_timeout\",target=\"gmail\"} 4.0");
    }

    @Test
    void startsATargetAfreshWhenAReloadChangedItsConfiguration() {
        recordARound();
        TargetConfig moved = host("relay", "smtp2.relay.example", 465, Mode.SMTPS);

        metrics.record(moved, classify(moved,
                result(moved, "smtp2.relay.example", "198.51.100.8", Outcome.AUTH_REJECTED, T0.plusSeconds(300), 2,
                        20, 30, 5, 0, 90)));

        String text = text();
        assertThat(text).doesNotContain("smtp.relay.example")
                .contains("smtp_probe_success{host=\"smtp2.relay.example\",mode=\"smtps\",port=\"465\",role=\"relay\",target=\"relay\"} 0.0")
                .doesNotContain("smtp_probe_runs_total{outcome=\"ok\",target=\"relay\"}")
                .contains("smtp_probe_runs_total{outcome=\"auth_rejected\",target=\"relay\"} 1.0");
    }

    @Test
    void omitsExpectedReachableWhileTheExpectationIsUnknown() {
        Port25Policy unknown = PolicyTable.evaluate("unknown", null, false, "config");
        metrics.record(gmail, Arrays.asList(ResultClassifier.classify(unknown, gmail,
                result(gmail, "mx1.gmail.example", "203.0.113.25", Outcome.TCP_TIMEOUT, T0, 4, 15000))));
        assertThat(text()).doesNotContain("smtp_probe_expected_reachable{");

        metrics.record(gmail, classify(gmail,
                result(gmail, "mx1.gmail.example", "203.0.113.25", Outcome.TCP_TIMEOUT, T0, 4, 15000)));
        assertThat(text()).contains("smtp_probe_expected_reachable{target=\"gmail\"} 0.0");
    }

    @Test
    void expectsAPrivateRelayOnPort25Reachable() {
        TargetConfig internal = DaemonFixtures.expecting(host("internal", "10.1.2.3", 25, Mode.SMTP), ExpectSetting.AUTO,
                Route.AUTO);

        metrics.record(internal, classify(internal,
                result(internal, "10.1.2.3", "10.1.2.3", Outcome.OK, T0, 0, 3, 10, 4)));

        assertThat(text()).contains("smtp_probe_expected_reachable{target=\"internal\"} 1.0")
                .contains("smtp_probe_verdict{host=\"10.1.2.3\",target=\"internal\",verdict=\"as_expected\"} 1.0");
    }

    @Test
    void reportsARefusedReloadWithoutForgettingTheLastGoodOne() {
        metrics.reloadFailed();
        assertThat(text()).contains("smtp_probe_config_last_reload_successful 0.0")
                .contains("smtp_probe_config_last_reload_success_timestamp_seconds 1.7957736E9");

        metrics.reloadSucceeded(T0.plusSeconds(60));
        assertThat(text()).contains("smtp_probe_config_last_reload_successful 1.0")
                .contains("smtp_probe_config_last_reload_success_timestamp_seconds 1.79577366E9");
    }

    @Test
    void labelsTheVmFromInstanceMetadataAndDropsItWhenGone() {
        AzureVmLabels vm = new AzureVmLabels("8d2b4c1e-0000-4000-8000-000000000001",
                "02aab8a4-74ef-476e-8182-f6d2ba4166a6", "mail-vm-1", "rg-mail", "westeurope");
        metrics.azureVm(vm);
        assertThat(text()).contains("smtp_probe_azure_vm_info{location=\"westeurope\",resource_group=\"rg-mail\","
                + "subscription_id=\"8d2b4c1e-0000-4000-8000-000000000001\","
                + "vm_id=\"02aab8a4-74ef-476e-8182-f6d2ba4166a6\",vm_name=\"mail-vm-1\"} 1");

        metrics.azureVm(null);
        assertThat(text()).doesNotContain("smtp_probe_azure_vm_info{");
    }

    @Test
    void servesOpenMetricsWhenTheScraperAsksForIt() {
        recordARound();
        String om = new String(metrics.scrape(ExpositionFormat.negotiate(
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")), StandardCharsets.UTF_8);

        assertThat(om).endsWith("# EOF\n").contains("# TYPE smtp_probe_runs counter")
                .containsPattern("smtp_probe_build_info\\{revision=\"([0-9a-f]{40}|unknown)\",version=\"0.1.0\"} 1\n");
        assertThat(ExpositionFormat.negotiate(null)).isEqualTo(ExpositionFormat.PROMETHEUS_TEXT);
        assertThat(ExpositionFormat.negotiate("*/*")).isEqualTo(ExpositionFormat.PROMETHEUS_TEXT);
    }

    static List<String> series(String text, String prefix, String host) {
        return text.lines().filter(l -> l.startsWith(prefix) && l.contains("host=\"" + host + "\""))
                .collect(Collectors.toList());
    }
}
