package io.smtpprobe.azure;

import io.smtpprobe.daemon.Agent;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.daemon.RunningAgent;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.AzureConfig;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.MetadataMode;
import io.smtpprobe.config.Mode;
import io.smtpprobe.metrics.ExpositionFormat;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.testing.DaemonFixtures;
import io.smtpprobe.testing.FakeMetadataService;
import io.smtpprobe.testing.FakeResourceManager;
import io.smtpprobe.testing.GatedProber;
import io.smtpprobe.testing.LineQueue;
import io.smtpprobe.testing.MutableClock;
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

/** The daemon's policy with {@code offer: auto}: cached, asked again rarely, sooner after a refusal. */
class AzureOfferPolicyTest {
    static final String SUBSCRIPTION = "5f1c7a2e-93d4-4b8e-a1f0-2c6d8e9b7a31";
    static final String TOKEN = "arm-token";

    @TempDir
    Path dmi;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    FakeMetadataService imds;
    FakeResourceManager arm;
    AzureOfferPolicy policy;

    @BeforeEach
    void start() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("imds-instance.json")) {
            imds = new FakeMetadataService(in.readAllBytes());
        }
        grantToken();
        arm = new FakeResourceManager(SUBSCRIPTION, TOKEN);
        Files.writeString(dmi.resolve("sys_vendor"), "Microsoft Corporation\n");
        policy = new AzureOfferPolicy(new OfferDetector(dmi, Duration.ofSeconds(2), Duration.ofSeconds(2), clock), clock);
    }

    @AfterEach
    void stop() {
        imds.close();
        arm.close();
    }

    void grantToken() {
        imds.answerToken(200, FakeMetadataService.tokenAnswer(TOKEN, "https://management.azure.com/",
                clock.instant().plusSeconds(86399).getEpochSecond()));
    }

    Config config(String offer) {
        Config base = DaemonFixtures.config(offer, Duration.ofHours(1), Duration.ZERO, Duration.ofSeconds(5), 2,
                List.of(DaemonFixtures.host("relay", "relay.test", 587, Mode.SUBMISSION)));
        return new Config(base.subscription(), new AzureConfig(MetadataMode.AUTO, imds.endpoint(), arm.endpoint(), ""),
                base.probe(), base.dns(), base.web(), base.targets());
    }

    @Test
    void keepsAzuresAnswerForSixHours() {
        Port25Policy first = policy.apply(config("auto"));
        clock.advance(Duration.ofHours(5).plusMinutes(59));
        policy.apply(config("auto"));

        assertThat(first.offer().key()).isEqualTo("pay-as-you-go");
        assertThat(first.source()).isEqualTo("azure");
        assertThat(arm.requests()).hasSize(2);

        clock.advance(Duration.ofMinutes(1));
        policy.apply(config("auto"));
        assertThat(arm.requests()).hasSize(4);
    }

    @Test
    void asksAgainAfterFifteenMinutesWhenAzureRefused() {
        imds.answerToken(400, FakeMetadataService.IDENTITY_NOT_FOUND);
        assertThat(policy.apply(config("auto")).offer().key()).isEqualTo("unknown");

        grantToken();
        clock.advance(Duration.ofMinutes(14));
        assertThat(policy.apply(config("auto")).offer().key()).isEqualTo("unknown");
        clock.advance(Duration.ofMinutes(1));
        assertThat(policy.apply(config("auto")).offer().key()).isEqualTo("pay-as-you-go");
    }

    @Test
    void aConfiguredOfferAsksAzureNothing() {
        Port25Policy configured = policy.apply(config("msdn"));

        assertThat(configured.source()).isEqualTo("config");
        assertThat(imds.requests()).isEmpty();
    }

    @Test
    void aRunningAgentPicksUpAReaderRoleGrantedAfterItStarted() throws Exception {
        imds.answerToken(400, FakeMetadataService.IDENTITY_NOT_FOUND);
        LineQueue lines = new LineQueue();
        EventLog log = new EventLog(new PrintStream(lines, true, StandardCharsets.UTF_8), clock, LogLevel.INFO, true);
        GatedProber prober = new GatedProber(java.time.Clock.systemUTC());
        AgentOptions options = new AgentOptions("1", java.time.Clock.systemUTC(), Map.of(), log, c -> prober, policy,
                dmi, Duration.ofMillis(50), false);

        RunningAgent agent = Agent.start(config("auto"), null, options);
        try {
            lines.await(l -> l.contains("policy warning") && l.contains("the VM has no managed identity"), 1, 10);
            assertThat(scrape(agent)).contains("smtp_probe_policy_info{offer=\"unknown\",port25_expected=\"unknown\","
                    + "source=\"azure\"} 1");

            grantToken();
            clock.advance(AzureOfferPolicy.RETRY);
            lines.await(l -> l.contains("port-25 policy") && l.contains("offer=pay-as-you-go"), 1, 10);

            assertThat(scrape(agent)).contains("smtp_probe_policy_info{offer=\"pay-as-you-go\",port25_expected=\"blocked\","
                    + "source=\"azure\"} 1");
        } finally {
            agent.shutdown();
            agent.awaitShutdown();
        }
    }

    static String scrape(RunningAgent agent) {
        return new String(agent.scrape(ExpositionFormat.PROMETHEUS_TEXT), StandardCharsets.UTF_8);
    }
}
