package io.smtpprobe.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.config.MetadataMode;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.PolicyTable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training workload make-cds-archive runs at package install: it may contact nothing but
 * this machine's loopback, whatever network the machine is on.
 */
class CdsTrainingTest {
    private static final Path SYSTEMD = HostCommand.projectDirectory().resolve("systemd");

    @Test
    void trainingConfigProbesOnlyLoopbackAddressLiterals() throws Exception {
        Config training = load();

        assertThat(training.targets()).isNotEmpty().allSatisfy(target -> {
            assertThat(target.mx()).as("an mx target resolves DNS").isNull();
            assertThat(target.auth()).as("no credentials are sent in training").isNull();
            assertThat(isLoopbackLiteral(target.host())).as(target.name() + " " + target.host()).isTrue();
        });
    }

    @Test
    void trainingConfigAsksAzureNothing() throws Exception {
        Config training = load();

        // metadata off: no 169.254.169.254; a given offer: no Azure Resource Manager call.
        assertThat(training.azure().metadata()).isEqualTo(MetadataMode.OFF);
        assertThat(training.subscription().offer()).isNotEqualTo(ConfigLoader.AUTO).isNotEqualTo("unknown");
        assertThat(training.dns().servers()).isEmpty();
    }

    @Test
    void trainingDaemonListensOnLoopbackOnlyAndNotOnTheServicePort() throws Exception {
        String listen = load().web().listenAddress();

        String host = listen.substring(0, listen.lastIndexOf(':'));
        assertThat(isLoopbackLiteral(host)).as(listen).isTrue();
        assertThat(listen).doesNotEndWith(":" + ConfigLoader.DEFAULT_LISTEN_ADDRESS.substring(1));
        // The "web" target is the training daemon itself.
        assertThat(load().targets()).extracting(TargetConfig::port)
                .contains(Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1)));
    }

    @Test
    void scriptRunsTheAgentOnlyOnTheTrainingConfig() throws IOException {
        String script = Files.readString(SYSTEMD.resolve("make-cds-archive"));

        // No target, endpoint or config of its own beside cds-training.yml.
        assertThat(script).doesNotContain("--target").doesNotContain("169.254").doesNotContain("--offer auto")
                .contains("training=$here/cds-training.yml");
        assertThat(script.lines().filter(line -> line.matches("\\s*train [a-z-]+ .*")))
                .hasSize(5).allSatisfy(line -> assertThat(line)
                        .matches("\\s*train [a-z-]+ (policy|.*\"\\$training\".*|check --config \"\\$tls_check\")"));
        // Every other start of the agent: train() itself, the daemon on the training config, the
        // archive's test run printing the version.
        assertThat(script.lines().filter(line -> line.contains("-jar \"$jar\"")))
                .hasSize(3).allSatisfy(line -> assertThat(line).containsAnyOf("\"$@\"", "run --config \"$training\"",
                        "--version"));
    }

    @Test
    void tlsTrainingProbesOnlyTheTrainingDaemonOnLoopback(@TempDir Path work) throws Exception {
        // The second configuration, written by the script itself: one SMTPS probe of the training
        // daemon's TLS listener, trusting only the throw-away certificate the script made.
        String script = Files.readString(SYSTEMD.resolve("make-cds-archive"));
        int start = script.indexOf("cat > \"$tls_check\" <<EOF\n");
        assertThat(start).as("the TLS training configuration in make-cds-archive").isPositive();
        String body = script.substring(script.indexOf('\n', start) + 1, script.indexOf("\nEOF\n", start) + 1);
        Files.copy(HostCommand.projectDirectory().resolve("src/test/resources/config/invalid/ca.pem"),
                work.resolve("training.pem"));
        Path config = Files.writeString(work.resolve("tls.yml"), body.replace("$work", work.toString()));

        Config tls = new ConfigLoader(Map.of(), PolicyTable.NAMES).load(config);

        assertThat(tls.azure().metadata()).isEqualTo(MetadataMode.OFF);
        assertThat(tls.subscription().offer()).isNotEqualTo(ConfigLoader.AUTO).isNotEqualTo("unknown");
        String listen = load().web().listenAddress();
        assertThat(tls.targets()).singleElement().satisfies(target -> {
            assertThat(isLoopbackLiteral(target.host())).as(target.host()).isTrue();
            assertThat(target.port()).isEqualTo(Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1)));
            assertThat(target.auth()).isNull();
            assertThat(target.tls().caFile()).isEqualTo(work.resolve("training.pem"));
        });
    }

    private static Config load() throws Exception {
        return new ConfigLoader(Map.of(), PolicyTable.NAMES).load(SYSTEMD.resolve("cds-training.yml"));
    }

    /** Only an address literal: a name could resolve anywhere. */
    private static boolean isLoopbackLiteral(String host) {
        if (!host.matches("[0-9.]+") && !host.matches("\\[?[0-9a-fA-F:]+]?")) {
            return false;
        }
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
