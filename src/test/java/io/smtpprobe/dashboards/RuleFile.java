package io.smtpprobe.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Prometheus rule file and its unit-test file as trees, with the few views the tests need. */
final class RuleFile {
    static final Path DIR = Path.of("dashboards", "alerts");
    static final Path RULES = DIR.resolve("smtp-probe.rules.yml");
    static final Path UNIT_TESTS = DIR.resolve("tests").resolve("smtp-probe.rules.test.yml");
    static final Path GRAFANA_ALERTING = DIR.resolve("grafana-alerting.yml");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private RuleFile() {}

    static JsonNode read(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static JsonNode readYaml(String text) throws IOException {
        return YAML.readTree(text);
    }

    static List<JsonNode> rules(JsonNode ruleFile) {
        List<JsonNode> rules = new ArrayList<>();
        ruleFile.path("groups").forEach(group -> group.path("rules").forEach(rules::add));
        return rules;
    }

    /** Alert name to rule. */
    static Map<String, JsonNode> alerts(JsonNode ruleFile) {
        Map<String, JsonNode> alerts = new LinkedHashMap<>();
        rules(ruleFile).stream().filter(r -> r.has("alert")).forEach(r -> alerts.put(r.path("alert").asText(), r));
        return alerts;
    }

    /** Recorded series name to its expression, in file order. */
    static Map<String, String> recordings(JsonNode ruleFile) {
        Map<String, String> records = new LinkedHashMap<>();
        rules(ruleFile).stream().filter(r -> r.has("record"))
                .forEach(r -> records.put(r.path("record").asText(), r.path("expr").asText()));
        return records;
    }
}
