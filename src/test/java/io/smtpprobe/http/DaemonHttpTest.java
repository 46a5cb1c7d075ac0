package io.smtpprobe.http;

import io.smtpprobe.daemon.Daemon;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.Mode;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.testing.DaemonFixtures;
import io.smtpprobe.testing.GatedProber;
import io.smtpprobe.testing.Http;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonHttpTest {
    @TempDir
    Path dmi;

    final GatedProber prober = new GatedProber(Clock.systemUTC());
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final Config config = DaemonFixtures.config("pay-as-you-go", Duration.ofHours(1), Duration.ZERO, Duration.ofSeconds(30), 4,
            List.of(DaemonFixtures.host("mx", "mx.test", 25, Mode.SMTP), DaemonFixtures.host("relay", "relay.test", 587,
                    Mode.SUBMISSION)));
    Daemon daemon;
    Http http;

    @BeforeEach
    void start() {
        prober.block("relay");
        AgentOptions options = new AgentOptions("9.9.9", Clock.systemUTC(), Map.of(),
                new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), Clock.systemUTC(),
                        LogLevel.INFO, true),
                c -> prober, AgentOptions::configuredPolicy, dmi, Duration.ofHours(1), true);
        daemon = Daemon.start(config, null, options, "127.0.0.1:0", AgentHttpServer::new);
        http = new Http(daemon.port());
    }

    @AfterEach
    void stop() throws InterruptedException {
        prober.openAll();
        daemon.agent().shutdown();
        daemon.agent().awaitShutdown();
    }

    @Test
    void isHealthyAtOnceAndReadyOnlyWhenEveryTargetWasProbed() throws Exception {
        assertThat(http.get("/-/healthy").statusCode()).isEqualTo(200);
        HttpResponse<String> notReady = http.get("/-/ready");
        assertThat(notReady.statusCode()).isEqualTo(503);
        // The relay's probe is held back; the other one may or may not have been recorded yet.
        assertThat(notReady.body()).matches("Not ready: [01] of 2 targets probed\\.\n");

        prober.open("relay");
        assertThat(daemon.agent().awaitReady(Duration.ofSeconds(10))).isTrue();

        HttpResponse<String> ready = http.get("/-/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("Ready.\n");
    }

    @Test
    void servesPrometheusTextOrOpenMetricsAsTheScraperAsks() throws Exception {
        prober.open("relay");
        daemon.agent().awaitReady(Duration.ofSeconds(10));

        HttpResponse<String> text = http.get("/metrics");
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(text.body())
                .containsPattern("smtp_probe_build_info\\{revision=\"([0-9a-f]{40}|unknown)\",version=\"9.9.9\"} 1\n")
                .contains("smtp_probe_success{host=\"relay.test\",mode=\"submission\",port=\"587\",role=\"relay\",target=\"relay\"} 1.0\n")
                .contains("smtp_probe_policy_info{offer=\"pay-as-you-go\",port25_expected=\"blocked\",source=\"config\"} 1\n")
                .contains("jvm_threads_live_threads ").contains("process_open_fds ")
                .doesNotContain("# EOF");

        HttpResponse<String> om = http.get("/metrics", "application/openmetrics-text;version=1.0.0;q=0.9,*/*;q=0.1");
        assertThat(om.headers().firstValue("Content-Type"))
                .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(om.body()).endsWith("# EOF\n");
    }

    @Test
    void servesTheLatestResultsAsTheJsonOfCheck() throws Exception {
        prober.open("relay");
        daemon.agent().awaitReady(Duration.ofSeconds(10));

        HttpResponse<String> status = http.get("/status");

        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode json = new ObjectMapper().readTree(status.body());
        assertThat(json.path("policy").path("offer").asText()).isEqualTo("pay-as-you-go");
        assertThat(json.path("results")).hasSize(2);
        assertThat(json.path("results").get(0).path("target").asText()).isEqualTo("mx");
        assertThat(json.path("results").get(1).path("verdict").asText()).isEqualTo("as_expected");
        assertThat(json.path("diagnosis").path("value").asText()).isNotEmpty();
    }

    @Test
    void refusesMethodsAnEndpointDoesNotTake() throws Exception {
        HttpResponse<String> postMetrics = http.post("/metrics");
        assertThat(postMetrics.statusCode()).isEqualTo(405);
        assertThat(postMetrics.headers().firstValue("Allow")).hasValue("GET, HEAD");

        HttpResponse<String> getReload = http.get("/-/reload");
        assertThat(getReload.statusCode()).isEqualTo(405);
        assertThat(getReload.headers().firstValue("Allow")).hasValue("POST");

        assertThat(http.get("/probe?target=mx.example.org:25").statusCode()).isEqualTo(404);
    }

    @Test
    void refusesOversizedHeadersAndBodies() throws Exception {
        HttpResponse<String> bigHeader = http.send(HttpRequest.newBuilder(http.uri("/metrics"))
                .header("X-Padding", "a".repeat(12 * 1024)).GET());
        assertThat(bigHeader.statusCode()).isEqualTo(431);

        HttpResponse<String> bigBody = http.send(HttpRequest.newBuilder(http.uri("/-/reload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[64 * 1024])));
        assertThat(bigBody.statusCode()).isEqualTo(413);

        byte[] chunked = new byte[64 * 1024];
        HttpResponse<String> bigChunked = http.send(HttpRequest.newBuilder(http.uri("/-/reload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(chunked))));
        assertThat(bigChunked.statusCode()).isEqualTo(413);
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).doesNotContain("reload");
    }

    @Test
    void refusesAReloadWhenRunningOnTheBuiltInDefault() throws Exception {
        HttpResponse<String> reload = http.post("/-/reload");

        assertThat(reload.statusCode()).isEqualTo(500);
        assertThat(reload.body()).contains("there is no file to reload");
        assertThat(http.get("/metrics").body()).contains("smtp_probe_config_last_reload_successful 0.0\n");
    }

    @Test
    void saysWhichAddressIsTakenAndHowToChooseAnother() {
        String taken = "127.0.0.1:" + daemon.port();
        AgentOptions options = new AgentOptions("9.9.9", Clock.systemUTC(), Map.of(),
                new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), Clock.systemUTC(),
                        LogLevel.INFO, true),
                c -> prober, AgentOptions::configuredPolicy, dmi, Duration.ofHours(1), false);

        assertThatThrownBy(() -> Daemon.start(config, null, options, taken, AgentHttpServer::new))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageStartingWith("web.listen_address " + taken + ": cannot listen (")
                .hasMessageEndingWith("); stop what uses the port or choose another with --web.listen-address");
    }
}
