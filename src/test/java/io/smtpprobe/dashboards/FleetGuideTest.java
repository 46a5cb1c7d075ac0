package io.smtpprobe.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.smtpprobe.testing.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dashboards/FLEET.md: its Prometheus configurations are valid and keep the labels the rules join on. */
class FleetGuideTest {
    static final Path GUIDE = Path.of("dashboards", "FLEET.md");

    /** Labels the agent exports on smtp_probe_azure_vm_info, or the rules join on: a target label may not take them. */
    private static final Set<String> AGENT_AND_JOIN_LABELS =
            Set.of("subscription_id", "location", "resource_group", "vm_name", "vm_id", "vm", "instance", "job");

    private static final Pattern PROMETHEUS_YML = Pattern.compile("```yaml\\n(# prometheus\\.yml.*?)```", Pattern.DOTALL);

    @Test
    void everyPrometheusConfigurationOfTheGuidePassesPromtool(@TempDir Path dir) throws IOException {
        List<String> configs = prometheusConfigs();
        assertThat(configs).as("prometheus.yml blocks in " + GUIDE).hasSizeGreaterThanOrEqualTo(2);
        // The guide's paths under /etc/prometheus, with the shipped rule file where it says to put it.
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.copy(RuleFile.RULES, Files.createDirectories(etc.resolve("rules")).resolve("smtp-probe.rules.yml"));
        for (int i = 0; i < configs.size(); i++) {
            Path file = Promtool.write(dir, "prometheus-" + i + ".yml", configs.get(i).replace("/etc/prometheus/", etc + "/"));

            Promtool.Run run = Promtool.onPath().run(dir, "check", "config", file.getFileName().toString());

            assertThat(run.exitCode()).as(configs.get(i) + "\n" + run.output()).isZero();
            assertThat(run.output()).contains("is valid prometheus config file syntax");
        }
    }

    @Test
    void scrapesTheAgentsOfTaggedAzureVmsOverTlsWithBasicAuthAsJobSmtpProbe() throws IOException {
        JsonNode job = RuleFile.readYaml(prometheusConfigs().get(0)).path("scrape_configs").get(0);

        assertThat(job.path("job_name").asText()).isEqualTo("smtp-probe");
        assertThat(job.path("azure_sd_configs").get(0).path("port").asInt()).isEqualTo(9925);
        assertThat(job.path("scheme").asText()).isEqualTo("https");
        assertThat(job.path("tls_config").path("ca_file").asText()).isNotBlank();
        assertThat(job.path("basic_auth").path("password_file").asText()).isNotBlank();
        assertThat(job.path("relabel_configs").findValuesAsText("source_labels").toString()
                + job.path("relabel_configs").toString()).contains("__meta_azure_machine_tag_");
    }

    /** A target label named like one of the agent's own would rename the agent's to exported_* and break the rules. */
    @Test
    void relabelsAzureTagsOnlyToLabelsTheAgentDoesNotExport() throws IOException {
        for (String config : prometheusConfigs()) {
            for (JsonNode job : RuleFile.readYaml(config).path("scrape_configs")) {
                for (JsonNode relabel : job.path("relabel_configs")) {
                    if (relabel.has("target_label")) {
                        assertThat(relabel.path("target_label").asText()).as(relabel.toString()).isNotIn(AGENT_AND_JOIN_LABELS);
                    }
                }
            }
        }
    }

    private static List<String> prometheusConfigs() throws IOException {
        Matcher block = PROMETHEUS_YML.matcher(Files.readString(GUIDE));
        List<String> configs = new ArrayList<>();
        while (block.find()) {
            configs.add(block.group(1));
        }
        return configs;
    }
}
