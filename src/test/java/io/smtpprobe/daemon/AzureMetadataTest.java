package io.smtpprobe.daemon;

import io.smtpprobe.azure.AzurePlatform;
import io.smtpprobe.azure.InstanceMetadata;
import io.smtpprobe.azure.InstanceMetadataClient;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.smtpprobe.config.AzureConfig;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.MetadataMode;
import io.smtpprobe.config.Mode;
import io.smtpprobe.metrics.AgentMetrics;
import io.smtpprobe.metrics.ExpositionFormat;
import io.smtpprobe.testing.DaemonFixtures;
import io.smtpprobe.testing.FakeMetadataService;
import io.smtpprobe.testing.GatedProber;
import io.smtpprobe.testing.ManualTaskScheduler;
import io.smtpprobe.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureMetadataTest {
    static final String VM_INFO = "smtp_probe_azure_vm_info{location=\"westeurope\",resource_group=\"rg-mail-prod\","
            + "subscription_id=\"5f1c7a2e-93d4-4b8e-a1f0-2c6d8e9b7a31\",vm_id=\"b3e0c5d2-7a41-4f6e-9c8d-1e2f3a4b5c6d\","
            + "vm_name=\"mail-relay-vm-01\"} 1\n";

    /**
     * The fake answers at once; a client's own deadline is not what these tests time, and a loaded machine took
     * more than the agent's 2 s to run the fake and the client (issue 24).
     */
    static final Duration FAKE_ANSWERS_WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path dmi;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    final ManualTaskScheduler timer = new ManualTaskScheduler(clock);
    final AgentMetrics metrics = new AgentMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "1", clock.instant());
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final EventLog log = new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock, LogLevel.DEBUG, true);
    FakeMetadataService imds;

    @BeforeEach
    void startFake() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/io/smtpprobe/azure/imds-instance.json")) {
            imds = new FakeMetadataService(in.readAllBytes());
        }
    }

    @AfterEach
    void stopFake() {
        imds.close();
    }

    MetadataRefresher start(MetadataMode mode) {
        // Requests run on the test thread: what advance() triggers has happened when it returns.
        return MetadataRefresher.startIfWanted(new AzureConfig(mode, imds.endpoint(), null, ""), dmi, timer,
                Runnable::run, metrics, log, Duration.ofHours(1));
    }

    String scrape() {
        return new String(metrics.scrape(ExpositionFormat.PROMETHEUS_TEXT), StandardCharsets.UTF_8);
    }

    void dmi(String file, String content) throws IOException {
        Files.writeString(dmi.resolve(file), content + "\n");
    }

    @Test
    void recognisesAnAzureVmByItsChassisAssetTagOrVendor() throws IOException {
        assertThat(AzurePlatform.looksLikeAzure(dmi)).isFalse();
        dmi("sys_vendor", "QEMU");
        dmi("chassis_asset_tag", "Not Specified");
        assertThat(AzurePlatform.looksLikeAzure(dmi)).isFalse();

        dmi("chassis_asset_tag", "7783-7084-3265-9085-8269-3286-77");
        assertThat(AzurePlatform.looksLikeAzure(dmi)).isTrue();

        dmi("chassis_asset_tag", "Not Specified");
        dmi("sys_vendor", "Microsoft Corporation");
        assertThat(AzurePlatform.looksLikeAzure(dmi)).isTrue();
    }

    @Test
    void labelsTheVmFromTheMetadataServiceOnAzure() throws IOException {
        dmi("chassis_asset_tag", "7783-7084-3265-9085-8269-3286-77");

        start(MetadataMode.AUTO);
        timer.advance(Duration.ZERO);

        assertThat(imds.requests()).containsExactly(new FakeMetadataService.Request("GET",
                "/metadata/instance?api-version=2021-02-01", "true"));
        assertThat(scrape()).contains(VM_INFO);
    }

    @Test
    void neverAsksTheMetadataServiceOnAMachineThatIsNotAzure() throws IOException {
        dmi("sys_vendor", "QEMU");
        dmi("chassis_asset_tag", "Not Specified");

        assertThat(start(MetadataMode.AUTO)).isNull();
        timer.advance(Duration.ofHours(3));

        assertThat(imds.requests()).isEmpty();
        assertThat(scrape()).doesNotContain("smtp_probe_azure_vm_info{");
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("not asking the Azure instance metadata service");
    }

    @Test
    void aStartedAgentOnAMachineThatIsNotAzureSendsTheMetadataServiceNothing() throws Exception {
        dmi("sys_vendor", "QEMU");
        Config auto = DaemonFixtures.config("pay-as-you-go", Duration.ofHours(1), Duration.ZERO, Duration.ofSeconds(5), 2,
                List.of(DaemonFixtures.host("relay", "relay.test", 587, Mode.SUBMISSION)));
        auto = new Config(auto.subscription(), new AzureConfig(MetadataMode.AUTO, imds.endpoint(), null, ""),
                auto.probe(), auto.dns(), auto.web(), auto.targets());
        GatedProber prober = new GatedProber(java.time.Clock.systemUTC());
        AgentOptions options = new AgentOptions("1", java.time.Clock.systemUTC(), Map.of(), log, c -> prober,
                AgentOptions::configuredPolicy, dmi, Duration.ofMillis(1), false);

        RunningAgent agent = Agent.start(auto, null, options);
        assertThat(agent.awaitReady(Duration.ofSeconds(10))).isTrue();
        agent.shutdown();
        agent.awaitShutdown();

        assertThat(imds.requests()).isEmpty();
        assertThat(new String(agent.scrape(ExpositionFormat.PROMETHEUS_TEXT), StandardCharsets.UTF_8))
                .doesNotContain("smtp_probe_azure_vm_info{");
    }

    @Test
    void followsTheConfigWhenItSaysOnOrOff() throws IOException {
        dmi("sys_vendor", "Microsoft Corporation");
        assertThat(start(MetadataMode.OFF)).isNull();
        timer.advance(Duration.ofHours(3));
        assertThat(imds.requests()).isEmpty();

        dmi("sys_vendor", "QEMU");
        start(MetadataMode.ON);
        timer.advance(Duration.ZERO);
        assertThat(imds.requests()).hasSize(1);
        assertThat(scrape()).contains(VM_INFO);
    }

    @Test
    void asksAgainHourlyAndRetriesSoonerAfterAFailure() throws IOException {
        dmi("sys_vendor", "Microsoft Corporation");
        imds.answer(503, "{\"error\":\"busy\"}".getBytes(StandardCharsets.UTF_8));

        start(MetadataMode.AUTO);
        timer.advance(Duration.ZERO);
        assertThat(scrape()).doesNotContain("smtp_probe_azure_vm_info{");
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("cannot read Azure instance metadata")
                .contains("answered HTTP 503").contains("retry_in=10s");

        try (InputStream in = getClass().getResourceAsStream("/io/smtpprobe/azure/imds-instance.json")) {
            imds.answer(200, in.readAllBytes());
        }
        timer.advance(Duration.ofSeconds(10));
        assertThat(imds.requests()).hasSize(2);
        assertThat(scrape()).contains(VM_INFO);

        timer.advance(Duration.ofMinutes(59));
        assertThat(imds.requests()).hasSize(2);
        timer.advance(Duration.ofMinutes(1));
        assertThat(imds.requests()).hasSize(3);
    }

    /** A service that stays down is asked 10 s, 20 s, 40 s... after each failure, at most every 5 minutes. */
    @Test
    void backsOffFromTenSecondsToFiveMinutesWhileTheServiceStaysDown() throws IOException {
        dmi("sys_vendor", "Microsoft Corporation");
        imds.answer(503, "{\"error\":\"busy\"}".getBytes(StandardCharsets.UTF_8));
        start(MetadataMode.AUTO);
        timer.advance(Duration.ZERO);

        long[] waits = {10, 20, 40, 80, 160, 300, 300};
        for (int i = 0; i < waits.length; i++) {
            timer.advance(Duration.ofSeconds(waits[i] - 1));
            assertThat(imds.requests()).as("before retry %d", i + 1).hasSize(i + 1);
            timer.advance(Duration.ofSeconds(1));
            assertThat(imds.requests()).as("retry %d after %d s", i + 1, waits[i]).hasSize(i + 2);
        }
        assertThat(logBytes.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains("cannot read Azure instance metadata"))).as("warned once").hasSize(1);
    }

    @Test
    void namesWhatIsMissingFromAnAnswerThatIsNotTheMetadataService() {
        imds.answer(200, "{\"compute\":{\"name\":\"vm\"}}".getBytes(StandardCharsets.UTF_8));
        InstanceMetadataClient client = new InstanceMetadataClient(imds.endpoint(), FAKE_ANSWERS_WITHIN);

        assertThatThrownBy(client::instance).isInstanceOf(IOException.class)
                .hasMessage(imds.endpoint() + "/metadata/instance?api-version=2021-02-01 answered without"
                        + " compute.subscriptionId, compute.vmId, compute.resourceGroupName, compute.location");
    }

    @Test
    void readsTheLabelsOfARealAnswer() throws Exception {
        InstanceMetadataClient client = new InstanceMetadataClient(imds.endpoint(), FAKE_ANSWERS_WITHIN);

        assertThat(client.instance()).usingRecursiveComparison().ignoringFields("azEnvironment")
                .isEqualTo(new InstanceMetadata("5f1c7a2e-93d4-4b8e-a1f0-2c6d8e9b7a31",
                        "b3e0c5d2-7a41-4f6e-9c8d-1e2f3a4b5c6d", "mail-relay-vm-01", "rg-mail-prod", "westeurope", null));
    }
}
