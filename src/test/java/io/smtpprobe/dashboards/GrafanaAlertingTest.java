package io.smtpprobe.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.smtpprobe.testing.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** grafana-alerting.yml: valid Grafana file provisioning, and the same alerts as the Prometheus rules. */
class GrafanaAlertingTest {
    static final String DATASOURCE_PLACEHOLDER = "${SMTP_PROBE_PROMETHEUS_UID}";

    private final JsonNode prometheus = RuleFile.read(RuleFile.RULES);
    private final JsonNode grafana = RuleFile.read(RuleFile.GRAFANA_ALERTING);

    @Test
    void hasTheFieldsGrafanaProvisioningRequires() {
        assertThat(grafana.path("apiVersion").asInt()).isEqualTo(1);
        assertThat(grafana.path("groups").size()).isPositive();
        Set<String> uids = new HashSet<>();
        Set<String> titles = new HashSet<>();
        for (JsonNode group : grafana.path("groups")) {
            assertThat(group.path("orgId").asInt()).isPositive();
            assertThat(group.path("name").asText()).isNotBlank();
            assertThat(group.path("folder").asText()).isNotBlank();
            assertThat(Durations.parse(group.path("interval").asText())).isPositive();
            for (JsonNode rule : group.path("rules")) {
                String title = rule.path("title").asText();
                assertThat(uids.add(rule.path("uid").asText())).as("unique uid " + title).isTrue();
                assertThat(titles.add(title)).as("unique title " + title).isTrue();
                assertThat(rule.path("uid").asText()).as(title).matches("[a-zA-Z0-9_-]{1,40}");
                assertThat(rule.path("noDataState").asText()).as(title).isIn("OK", "NoData", "Alerting", "KeepLast");
                assertThat(rule.path("execErrState").asText()).as(title).isIn("OK", "Error", "Alerting", "KeepLast");
                Durations.parse(rule.path("for").asText());
                Set<String> refIds = new HashSet<>();
                rule.path("data").forEach(query -> refIds.add(query.path("refId").asText()));
                assertThat(refIds).as(title).contains(rule.path("condition").asText());
                assertThat(rule.path("annotations").path("summary").asText()).as(title).isNotBlank();
                assertThat(rule.path("annotations").path("description").asText()).as(title).isNotBlank();
            }
        }
    }

    @Test
    void templatesAvoidWhatGrafanaCannotRenderOrWouldInterpolate() {
        for (JsonNode rule : grafanaRules().values()) {
            String title = rule.path("title").asText();
            // Grafana's templates have no query function and no $value number; it expands ${VAR} in annotations.
            rule.path("annotations").forEach(text -> assertThat(text.asText()).as(title)
                    .doesNotContain("| query", "$value ", "$value}", "${"));
            // Labels are interpolated from the environment when the file is read: no $ at all.
            rule.path("labels").forEach(text -> assertThat(text.asText()).as(title).doesNotContain("$"));
        }
    }

    @Test
    void queriesUseTheDocumentedDatasourcePlaceholderAndServerSideExpressions() {
        for (JsonNode rule : grafanaRules().values()) {
            for (JsonNode query : rule.path("data")) {
                String uid = query.path("datasourceUid").asText();
                if (uid.equals("__expr__")) {
                    assertThat(query.path("model").path("type").asText()).isEqualTo("math");
                    assertThat(query.path("model").path("expression").asText()).isEqualTo("is_number($A)");
                } else {
                    assertThat(uid).as(rule.path("title").asText()).isEqualTo(DATASOURCE_PLACEHOLDER);
                    assertThat(query.path("model").path("instant").asBoolean()).isTrue();
                }
            }
        }
        assertThat(readText(RuleFile.GRAFANA_ALERTING)).contains("SMTP_PROBE_PROMETHEUS_UID, in Grafana's environment");
    }

    /** Same alert names, `for`, labels and, recordings written out inline, the same PromQL. */
    @Test
    void provisionsEveryPrometheusAlertWithTheSameConditionTimingAndSeverity() {
        Map<String, String> recordings = RuleFile.recordings(prometheus);
        Map<String, JsonNode> grafanaRules = grafanaRules();
        assertThat(grafanaRules.keySet()).containsExactlyElementsOf(RuleFile.alerts(prometheus).keySet());
        RuleFile.alerts(prometheus).forEach((name, alert) -> {
            JsonNode rule = grafanaRules.get(name);
            assertThat(rule.path("for").asText()).as(name).isEqualTo(alert.path("for").asText());
            assertThat(rule.path("labels")).as(name).isEqualTo(alert.path("labels"));
            for (String link : List.of("runbook_url", "dashboard_url")) {
                assertThat(rule.path("annotations").path(link)).as(name + " " + link)
                        .isEqualTo(alert.path("annotations").path(link));
            }
            assertThat(normalized(expression(rule))).as(name)
                    .isEqualTo(normalized(inline(alert.path("expr").asText(), recordings)));
        });
    }

    @Test
    void everyMetricTheGrafanaRulesReadIsExportedWithoutRecordingRules() {
        Set<String> exported = MetricVocabulary.known(Set.of());
        grafanaRules().forEach((name, rule) -> assertThat(PromQlNames.metricNames(expression(rule))).as(name)
                .isNotEmpty().allSatisfy(metric -> assertThat(exported).as(name).contains(metric)));
    }

    @Test
    void everyGrafanaQueryParses(@TempDir Path dir) {
        StringBuilder rules = new StringBuilder("groups:\n  - name: grafana-alert-queries\n    rules:\n");
        int i = 0;
        for (JsonNode rule : grafanaRules().values()) {
            rules.append("      - record: grafana_alert_query_").append(i++).append('\n')
                    .append("        expr: ").append(Promtool.yamlString(expression(rule))).append('\n');
        }
        Path file = Promtool.write(dir, "grafana-alert-queries.yml", rules.toString());

        Promtool.Run run = Promtool.onPath().run(dir, "check", "rules", file.getFileName().toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS: " + i + " rules found");
    }

    private Map<String, JsonNode> grafanaRules() {
        Map<String, JsonNode> rules = new LinkedHashMap<>();
        grafana.path("groups").forEach(g -> g.path("rules").forEach(r -> rules.put(r.path("title").asText(), r)));
        return rules;
    }

    private static String expression(JsonNode rule) {
        for (JsonNode query : rule.path("data")) {
            if (query.path("refId").asText().equals("A")) {
                return query.path("model").path("expr").asText();
            }
        }
        throw new AssertionError("rule " + rule.path("title").asText() + " has no query A");
    }

    /**
     * Replaces each recorded series name by its defining expression in parentheses, again and again
     * while a replacement brings in another recorded name (a rollup built on another recording).
     */
    static String inline(String expr, Map<String, String> recordings) {
        String out = expr;
        for (int depth = 0; depth <= recordings.size(); depth++) {
            String before = out;
            for (Map.Entry<String, String> recording : recordings.entrySet()) {
                Pattern name = Pattern.compile("(?<![A-Za-z0-9_:])" + Pattern.quote(recording.getKey()) + "(?![A-Za-z0-9_:])");
                out = name.matcher(out).replaceAll(Matcher.quoteReplacement("(" + recording.getValue().strip() + ")"));
            }
            if (out.equals(before)) {
                return out;
            }
        }
        throw new AssertionError("recording rules refer to each other in a cycle: " + expr);
    }

    private static String normalized(String expr) {
        return expr.replaceAll("\\s+", " ").strip();
    }

    private static String readText(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + path, e);
        }
    }
}
