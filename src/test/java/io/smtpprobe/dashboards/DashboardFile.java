package io.smtpprobe.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Grafana dashboard JSON file, with its panels (rows' nested panels included) and its queries. */
final class DashboardFile {
    static final List<Path> ALL = List.of(
            Path.of("dashboards", "smtp-probe-fleet.json"), Path.of("dashboards", "smtp-probe-vm.json"));

    /** One query of one panel, or the selector of a template variable's label_values(). */
    record Query(String where, String expr) {}

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?::[A-Za-z]+)?}|\\$([A-Za-z0-9_]+)");
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.*),\\s*([A-Za-z_][A-Za-z0-9_]*)\\)$");

    final Path path;
    final JsonNode root;

    private DashboardFile(Path path, JsonNode root) {
        this.path = path;
        this.root = root;
    }

    static DashboardFile read(Path path) {
        try {
            return new DashboardFile(path, new ObjectMapper().readTree(path.toFile()));
        } catch (IOException e) {
            throw new AssertionError("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    String uid() {
        return root.path("uid").asText();
    }

    String name() {
        return path.getFileName().toString();
    }

    List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        root.path("panels").forEach(panel -> {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        });
        return panels;
    }

    List<JsonNode> variables() {
        List<JsonNode> variables = new ArrayList<>();
        root.path("templating").path("list").forEach(variables::add);
        return variables;
    }

    /** Every panel query's PromQL, template variables replaced by {@code values}. */
    List<Query> panelQueries(Map<String, String> values) {
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : panels()) {
            panel.path("targets").forEach(target -> queries.add(new Query(
                    name() + " panel " + panel.path("id").asInt() + " \"" + panel.path("title").asText() + "\" query "
                            + target.path("refId").asText(),
                    substitute(target.path("expr").asText(), values))));
        }
        return queries;
    }

    /** The series selector inside every query variable's label_values(selector, label). */
    List<Query> variableSelectors(Map<String, String> values) {
        List<Query> selectors = new ArrayList<>();
        for (JsonNode variable : variables()) {
            if (!variable.path("type").asText().equals("query")) {
                continue;
            }
            String definition = variable.path("query").path("query").asText(variable.path("definition").asText());
            Matcher labelValues = LABEL_VALUES.matcher(definition.strip());
            if (!labelValues.matches()) {
                throw new AssertionError(name() + " variable " + variable.path("name").asText()
                        + " is not label_values(selector, label): " + definition);
            }
            selectors.add(new Query(name() + " variable " + variable.path("name").asText(),
                    substitute(labelValues.group(1), values)));
        }
        return selectors;
    }

    /** Replaces $name and ${name} with the given values; an unknown variable is an error. */
    static String substitute(String expr, Map<String, String> values) {
        Matcher variable = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (variable.find()) {
            String name = variable.group(1) != null ? variable.group(1) : variable.group(2);
            String value = values.get(name);
            if (value == null) {
                throw new AssertionError("expression uses $" + name + ", which has no test value: " + expr);
            }
            variable.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        variable.appendTail(out);
        return out.toString();
    }

    /** Visits every JSON object in the file. */
    void forEachObject(Consumer<JsonNode> visitor) {
        walk(root, visitor);
    }

    private static void walk(JsonNode node, Consumer<JsonNode> visitor) {
        if (node.isObject()) {
            visitor.accept(node);
        }
        node.forEach(child -> walk(child, visitor));
    }
}
