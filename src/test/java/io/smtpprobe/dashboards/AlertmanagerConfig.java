package io.smtpprobe.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shipped Alertmanager example as a tree, with the views of its inhibition rules the tests need. */
final class AlertmanagerConfig {
    static final Path FILE = Path.of("dashboards", "alertmanager", "alertmanager.yml");

    private static final Pattern ALERTNAME = Pattern.compile("^alertname(=~|=)\"(.*)\"$");

    final JsonNode root;

    private AlertmanagerConfig(JsonNode root) {
        this.root = root;
    }

    static AlertmanagerConfig read() {
        return new AlertmanagerConfig(RuleFile.read(FILE));
    }

    /** The inhibit rule whose source is the alert of that name; fails when there is none. */
    JsonNode inhibitionUnder(String sourceAlert) {
        for (JsonNode rule : root.path("inhibit_rules")) {
            for (JsonNode matcher : rule.path("source_matchers")) {
                if (matcher.asText().equals("alertname=\"" + sourceAlert + "\"")) {
                    return rule;
                }
            }
        }
        throw new AssertionError(FILE + " has no inhibit rule with source alertname=\"" + sourceAlert + "\"");
    }

    /** Which of {@code names} the rule's {@code alertname} target matcher selects. */
    static Set<String> alertNamesMatched(JsonNode inhibitRule, Collection<String> names) {
        Set<String> matched = new TreeSet<>();
        for (JsonNode matcher : inhibitRule.path("target_matchers")) {
            Matcher m = ALERTNAME.matcher(matcher.asText());
            if (m.matches()) {
                // Alertmanager anchors regular-expression matchers at both ends, as matches() does.
                Pattern selects = m.group(1).equals("=~") ? Pattern.compile(m.group(2)) : Pattern.compile(Pattern.quote(m.group(2)));
                names.stream().filter(name -> selects.matcher(name).matches()).forEach(matched::add);
            }
        }
        return matched;
    }
}
