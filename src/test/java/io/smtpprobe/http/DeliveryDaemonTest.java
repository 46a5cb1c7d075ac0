package io.smtpprobe.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.daemon.Daemon;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.engine.NetworkProbers;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.testing.DeliveryFixture;
import io.smtpprobe.testing.Http;
import io.smtpprobe.testing.LineQueue;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The daemon runs a delivery target on its own and shows it in /status and /metrics; the password never. */
class DeliveryDaemonTest {
    private static final String RELAY_PASSWORD = DeliveryFixture.RELAY_PASSWORD;
    private static final String MAILBOX_PASSWORD = DeliveryFixture.MAILBOX_PASSWORD;

    @RegisterExtension
    static GreenMailExtension greenMail = DeliveryFixture.greenMail();

    @TempDir
    Path dir;

    private final LineQueue log = new LineQueue();
    private final NetworkProbers probers = new NetworkProbers(Clock.systemUTC(), Ticker.SYSTEM);
    private Daemon daemon;
    private Http http;

    @BeforeEach
    void users() {
        DeliveryFixture.users(greenMail);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (daemon != null) {
            daemon.agent().shutdown();
            daemon.agent().awaitShutdown();
        }
        probers.close();
    }

    private void start(String mailboxPassword) throws Exception {
        Path file = dir.resolve("smtp-probe.yml");
        Files.writeString(file, """
                azure:
                  metadata: off
                probe:
                  interval: 1h
                  jitter: 0s
                  timeout: 10s
                """ + DeliveryFixture.targets(greenMail.getSmtps().getPort(),
                DeliveryFixture.secret(dir, "relay-password", RELAY_PASSWORD), "inbox@example.com", "",
                dir.resolve("delivery.last-sent"), greenMail.getImaps().getPort(),
                DeliveryFixture.secret(dir, "mailbox-password", mailboxPassword), true));
        Config config = new ConfigLoader(Map.of(), PolicyTable.NAMES).load(file);
        AgentOptions options = new AgentOptions("1.0.0", Clock.systemUTC(), Map.of(),
                new EventLog(new PrintStream(log, true, StandardCharsets.UTF_8), Clock.systemUTC(), LogLevel.INFO,
                        true), probers::create, AgentOptions::configuredPolicy, dir, Duration.ofHours(1), false);
        daemon = Daemon.start(config, file, options, "127.0.0.1:0", AgentHttpServer::new);
        http = new Http(daemon.port());
    }


    @Test
    void runsTheDeliveryTargetAndShowsItsTimingInStatusAndMetrics() throws Exception {
        start(MAILBOX_PASSWORD);

        log.await(line -> line.contains("msg=\"delivery probed\"") && line.contains("outcome=delivered"), 1, 60);

        JsonNode status = new ObjectMapper().readTree(http.get("/status").body());
        JsonNode delivery = status.get("deliveries").get(0);
        assertThat(delivery.get("target").asText()).isEqualTo("delivery");
        assertThat(delivery.get("outcome").asText()).isEqualTo("delivered");
        assertThat(delivery.get("arrival_seconds").isNumber()).isTrue();
        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("smtp_probe_delivery_success{target=\"delivery\"} 1.0\n")
                .containsPattern("smtp_probe_delivery_duration_seconds\\{target=\"delivery\"} \\d")
                .containsPattern("smtp_probe_delivery_last_success_timestamp_seconds\\{target=\"delivery\"} \\d");
        assertThat(Files.readString(dir.resolve("delivery.last-sent"))).endsWith("Z\n");
    }

    @Test
    void showsMailboxFailedAndNeverThePassword() throws Exception {
        start("Wrong-Pa55word-c9");

        log.await(line -> line.contains("msg=\"delivery probed\"") && line.contains("outcome=mailbox_failed"), 1, 60);

        String status = http.get("/status").body();
        JsonNode delivery = new ObjectMapper().readTree(status).get("deliveries").get(0);
        assertThat(delivery.get("outcome").asText()).isEqualTo("mailbox_failed");
        assertThat(delivery.get("detail").asText()).startsWith("IMAP login failed");
        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("smtp_probe_delivery_success{target=\"delivery\"} 0.0\n")
                .doesNotContain("smtp_probe_delivery_duration_seconds{")
                .doesNotContain("smtp_probe_delivery_last_success_timestamp_seconds{");
        for (String text : new String[] {status, metrics, String.join("\n",
                log.await(line -> true, 1, 1))}) {
            assertThat(text).doesNotContain("Wrong-Pa55word-c9", MAILBOX_PASSWORD, RELAY_PASSWORD);
        }
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }
}
