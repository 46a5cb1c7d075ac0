package io.smtpprobe.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.smtpprobe.testing.Promtool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Grafana dashboards: importable, bound to the datasource variable, and every query sound. */
class GrafanaDashboardsTest {
    /** Values for the template variables when an expression is checked for syntax. */
    static final Map<String, String> SAMPLE_VARIABLES = Map.of("subscription", ".*", "location", ".*", "vm", "vm-a",
            "instance", "vm-a:9925", "target", ".*", "datasource", "prometheus");

    static Stream<Path> dashboards() {
        return DashboardFile.ALL.stream();
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void hasTheFieldsGrafanaNeedsToImportIt(Path path) {
        JsonNode root = DashboardFile.read(path).root;

        assertThat(root.path("title").asText()).isNotBlank();
        assertThat(root.path("uid").asText()).matches("[a-z0-9-]{1,40}");
        assertThat(root.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
        assertThat(root.path("panels").isArray()).isTrue();
        assertThat(root.path("templating").path("list").isArray()).isTrue();
        assertThat(root.path("time").path("from").asText()).isNotBlank();
        assertThat(root.path("id").isNull()).as("id must be null so import creates a new dashboard").isTrue();
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void everyPanelHasAUniqueIdTypeTitleAndPosition(Path path) {
        DashboardFile dashboard = DashboardFile.read(path);
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.panels()) {
            String where = path + " panel " + panel;
            assertThat(panel.path("id").isInt()).as(where).isTrue();
            assertThat(ids.add(panel.path("id").asInt())).as("duplicate id in " + where).isTrue();
            assertThat(panel.path("type").asText()).as(where).isNotBlank();
            assertThat(panel.path("title").asText()).as(where).isNotBlank();
            JsonNode grid = panel.path("gridPos");
            assertThat(List.of("x", "y", "w", "h")).as(where).allSatisfy(k -> assertThat(grid.path(k).isInt()).isTrue());
            assertThat(grid.path("x").asInt()).as(where).isBetween(0, 23);
            assertThat(grid.path("w").asInt()).as(where).isBetween(1, 24);
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(where).isLessThanOrEqualTo(24);
            assertThat(grid.path("h").asInt()).as(where).isPositive();
            assertThat(grid.path("y").asInt()).as(where).isNotNegative();
        }
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void panelsDoNotOverlap(Path path) {
        List<JsonNode> panels = DashboardFile.read(path).panels();
        List<String> overlaps = new ArrayList<>();
        for (int i = 0; i < panels.size(); i++) {
            for (int j = i + 1; j < panels.size(); j++) {
                JsonNode a = panels.get(i).path("gridPos");
                JsonNode b = panels.get(j).path("gridPos");
                boolean apart = a.path("x").asInt() + a.path("w").asInt() <= b.path("x").asInt()
                        || b.path("x").asInt() + b.path("w").asInt() <= a.path("x").asInt()
                        || a.path("y").asInt() + a.path("h").asInt() <= b.path("y").asInt()
                        || b.path("y").asInt() + b.path("h").asInt() <= a.path("y").asInt();
                if (!apart) {
                    overlaps.add(panels.get(i).path("title").asText() + " / " + panels.get(j).path("title").asText());
                }
            }
        }
        assertThat(overlaps).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void everyQueryPanelAndQueryUsesTheDatasourceVariable(Path path) {
        DashboardFile dashboard = DashboardFile.read(path);
        for (JsonNode panel : dashboard.panels()) {
            if (panel.path("type").asText().equals("row") || panel.path("type").asText().equals("text")) {
                assertThat(panel.has("targets")).as(panel.path("title").asText()).isFalse();
                continue;
            }
            assertThat(panel.path("targets").size()).as(panel.path("title").asText()).isPositive();
            assertDatasourceVariable(panel.path("datasource"), panel.path("title").asText());
            Set<String> refIds = new HashSet<>();
            panel.path("targets").forEach(target -> {
                assertDatasourceVariable(target.path("datasource"), panel.path("title").asText());
                assertThat(refIds.add(target.path("refId").asText())).as("refIds unique").isTrue();
                assertThat(target.path("expr").asText()).as(panel.path("title").asText()).isNotBlank();
            });
        }
        dashboard.variables().stream().filter(v -> v.path("type").asText().equals("query"))
                .forEach(v -> assertDatasourceVariable(v.path("datasource"), "variable " + v.path("name").asText()));
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void noDatasourceUidIsHardCodedAnywhere(Path path) {
        DashboardFile dashboard = DashboardFile.read(path);
        List<String> found = new ArrayList<>();
        dashboard.forEachObject(node -> {
            JsonNode datasource = node.get("datasource");
            if (datasource != null && !(datasource.isObject()
                    && datasource.path("uid").asText().equals("${datasource}"))) {
                found.add(node.toString());
            }
            if (node.has("datasourceUid")) {
                found.add(node.toString());
            }
        });
        assertThat(found).isEmpty();
        assertThat(dashboard.root.has("__inputs")).as("no import-time datasource inputs").isFalse();
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void offersDatasourceSubscriptionLocationVmAndTargetVariables(Path path) {
        DashboardFile dashboard = DashboardFile.read(path);
        JsonNode datasource = dashboard.variables().get(0);
        assertThat(datasource.path("name").asText()).isEqualTo("datasource");
        assertThat(datasource.path("type").asText()).isEqualTo("datasource");
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
        assertThat(dashboard.variables()).extracting(v -> v.path("name").asText())
                .contains("subscription", "location", "vm", "target");
        dashboard.variables().stream().filter(v -> v.path("type").asText().equals("query")).forEach(v ->
                assertThat(v.path("definition").asText()).as(v.path("name").asText())
                        .startsWith("label_values(")
                        .isEqualTo(v.path("query").path("query").asText()));
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void everyMetricTheDashboardReadsIsExportedOrRecorded(Path path) {
        DashboardFile dashboard = DashboardFile.read(path);
        Set<String> known = MetricVocabulary.known(RuleFile.recordings(RuleFile.read(RuleFile.RULES)).keySet());
        List<DashboardFile.Query> queries = new ArrayList<>(dashboard.panelQueries(SAMPLE_VARIABLES));
        queries.addAll(dashboard.variableSelectors(SAMPLE_VARIABLES));
        for (DashboardFile.Query query : queries) {
            assertThat(PromQlNames.metricNames(query.expr())).as(query.where()).isNotEmpty()
                    .allSatisfy(name -> assertThat(known).as(query.where()).contains(name));
        }
    }

    /** promtool parses every query, written as recording rules into a throwaway rule file. */
    @ParameterizedTest
    @MethodSource("dashboards")
    void everyExpressionParses(Path path, @TempDir Path dir) {
        DashboardFile dashboard = DashboardFile.read(path);
        List<DashboardFile.Query> queries = new ArrayList<>(dashboard.panelQueries(SAMPLE_VARIABLES));
        queries.addAll(dashboard.variableSelectors(SAMPLE_VARIABLES));
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-expressions\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            rules.append("      # ").append(queries.get(i).where().replace('\n', ' ')).append('\n')
                    .append("      - record: dashboard_expression_").append(i).append('\n')
                    .append("        expr: ").append(Promtool.yamlString(queries.get(i).expr())).append('\n');
        }
        Path file = Promtool.write(dir, "dashboard-expressions.yml", rules.toString());

        Promtool.Run run = Promtool.onPath().run(dir, "check", "rules", file.getFileName().toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS: " + queries.size() + " rules found");
    }

    private static void assertDatasourceVariable(JsonNode datasource, String where) {
        assertThat(datasource.path("type").asText()).as(where).isEqualTo("prometheus");
        assertThat(datasource.path("uid").asText()).as(where).isEqualTo("${datasource}");
    }

    /** Fleet tables that name a VM link to the VM dashboard with that VM's subscription, location, name and agent. */
    @Test
    void fleetTablesDrillDownToTheVmDashboardWithTheVmsVariables() {
        DashboardFile fleet = DashboardFile.read(DashboardFile.ALL.get(0));
        String vmUid = DashboardFile.read(DashboardFile.ALL.get(1)).uid();
        List<String> linked = new ArrayList<>();
        for (JsonNode panel : fleet.panels()) {
            if (!panel.path("type").asText().equals("table")) {
                continue;
            }
            for (JsonNode override : panel.path("fieldConfig").path("overrides")) {
                for (JsonNode property : override.path("properties")) {
                    for (JsonNode link : property.path("id").asText().equals("links") ? property.path("value") : List.<JsonNode>of()) {
                        assertThat(link.path("url").asText()).as(panel.path("title").asText())
                                .startsWith("/d/" + vmUid + "?")
                                .contains("var-subscription=${__data.fields.subscription_id}", "var-vm=${__data.fields.vm}",
                                        "var-instance=${__data.fields.instance}");
                        linked.add(panel.path("title").asText());
                    }
                }
            }
        }
        assertThat(linked).contains("Verdicts by VM and target", "Targets violating policy", "Agents");
    }

    /** Without the recording rules most panels are empty; both dashboards say so in a panel of their own. */
    @ParameterizedTest
    @MethodSource("dashboards")
    void showsWhetherTheRecordingRulesAreLoaded(Path path) {
        DashboardFile dashboard = DashboardFile.read(path);
        JsonNode note = dashboard.panels().stream().filter(p -> p.path("title").asText().equals("Recording rules"))
                .findFirst().orElseThrow(() -> new AssertionError(path + " has no Recording rules panel"));

        assertThat(note.path("gridPos").path("y").asInt()).as("at the top").isLessThanOrEqualTo(1);
        assertThat(note.path("targets").get(0).path("expr").asText()).contains("instance:smtp_probe_vm:info", "vector(0)");
        assertThat(note.path("fieldConfig").path("defaults").path("mappings").toString()).contains("MISSING", "smtp-probe.rules.yml");
    }

    /**
     * Phases a probe did not reach and certificates not seen have no series: fleet panels aggregate with
     * max, min, quantile, count or sum, never avg, which would mix VMs that measured with those that could not.
     */
    @Test
    void fleetPanelsDoNotAverageOverSeriesThatMayBeAbsent() {
        DashboardFile fleet = DashboardFile.read(DashboardFile.ALL.get(0));
        for (DashboardFile.Query query : fleet.panelQueries(SAMPLE_VARIABLES)) {
            assertThat(query.expr()).as(query.where()).doesNotContain("avg(", "avg by", "avg_over_time");
        }
    }

    /** The VM x target matrix keeps two VMs of one name in two subscriptions apart: rows carry subscription and agent. */
    @Test
    void verdictRowsAreKeyedOnSubscriptionVmAndAgent() {
        DashboardFile fleet = DashboardFile.read(DashboardFile.ALL.get(0));
        JsonNode panel = fleet.panels().stream().filter(p -> p.path("title").asText().equals("Verdicts by VM and target"))
                .findFirst().orElseThrow();

        assertThat(panel.path("transformations").toString()).doesNotContain("groupingToMatrix");
        JsonNode excluded = panel.path("transformations").get(0).path("options").path("excludeByName");
        for (String key : List.of("subscription_id", "vm", "instance", "target")) {
            assertThat(excluded.path(key).asBoolean(false)).as(key + " shown").isFalse();
        }
    }
}
