package io.smtpprobe.http;

import io.smtpprobe.daemon.Daemon;
import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.testing.GatedProber;
import io.smtpprobe.testing.Http;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /-/reload against a real config file, read by the real loader. SIGHUP is in DaemonProcessTest. */
class DaemonReloadTest {
    @TempDir
    Path dir;

    final GatedProber prober = new GatedProber(Clock.systemUTC());
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    Path file;
    Daemon daemon;
    Http http;

    static String config(String offer, String... targets) {
        StringBuilder yaml = new StringBuilder("subscription:\n  offer: " + offer + "\n"
                + "azure:\n  metadata: off\n"
                + "probe:\n  interval: 1h\n  jitter: 0s\n  timeout: 5s\n"
                + "targets:\n");
        for (String target : targets) {
            yaml.append(target);
        }
        return yaml.toString();
    }

    static String tcp(String name, int port) {
        return "  - name: " + name + "\n    host: 127.0.0.1\n    mode: tcp\n    port: " + port + "\n";
    }

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("smtp-probe.yml");
        Files.writeString(file, config("pay-as-you-go", tcp("keep", 2501), tcp("drop", 2502)));
        Config config = new ConfigLoader(Map.of(), PolicyTable.NAMES).load(file);
        AgentOptions options = new AgentOptions("1.0.0", Clock.systemUTC(), Map.of(),
                new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), Clock.systemUTC(),
                        LogLevel.INFO, true),
                c -> prober, AgentOptions::configuredPolicy, dir, Duration.ofHours(1), false);
        // The flag overrides web.listen_address (:9925), as --web.listen-address does.
        daemon = Daemon.start(config, file, options, "127.0.0.1:0", AgentHttpServer::new);
        http = new Http(daemon.port());
        assertThat(daemon.agent().awaitReady(Duration.ofSeconds(10))).isTrue();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (daemon == null) {
            return;
        }
        daemon.agent().shutdown();
        daemon.agent().awaitShutdown();
    }

    String metrics() throws Exception {
        return http.get("/metrics").body();
    }

    @Test
    void addsAndRemovesTargetsAndAppliesTheNewPolicy() throws Exception {
        Files.writeString(file, config("enterprise-agreement", tcp("keep", 2501), tcp("new", 2503)));

        HttpResponse<String> reload = http.post("/-/reload");

        assertThat(reload.statusCode()).isEqualTo(200);
        assertThat(reload.body()).isEqualTo("Configuration reloaded.\n");
        assertThat(daemon.agent().awaitReady(Duration.ofSeconds(10))).isTrue();
        String text = metrics();
        assertThat(text).doesNotContain("target=\"drop\"")
                .contains("smtp_probe_success{host=\"127.0.0.1\",mode=\"tcp\",port=\"2503\",role=\"control\",target=\"new\"} 1.0\n")
                .contains("smtp_probe_success{host=\"127.0.0.1\",mode=\"tcp\",port=\"2501\",role=\"control\",target=\"keep\"} 1.0\n")
                .contains("smtp_probe_policy_info{offer=\"enterprise-agreement\",port25_expected=\"reachable\","
                        + "source=\"config\"} 1\n")
                .doesNotContain("offer=\"pay-as-you-go\"")
                .contains("smtp_probe_config_last_reload_successful 1.0\n");
        assertThat(prober.startsOf("keep")).as("an unchanged target keeps its schedule").hasSize(1);
        assertThat(prober.startsOf("new")).hasSize(1);
        assertThat(logBytes.toString(StandardCharsets.UTF_8))
                .contains("msg=\"configuration reloaded\" file=" + file + " targets=2 added=new removed=drop");
    }

    @Test
    void refusesABadConfigAndKeepsRunningTheOldOne() throws Exception {
        Files.writeString(file, config("pay-as-you-go", tcp("keep", 2501), tcp("broken", 0)) + "colour: blue\n");

        HttpResponse<String> reload = http.post("/-/reload");

        assertThat(reload.statusCode()).isEqualTo(500);
        assertThat(reload.body()).startsWith("Configuration refused; the running one stays:\n")
                .contains("targets[1].port").contains("colour");
        String text = metrics();
        assertThat(text).contains("smtp_probe_config_last_reload_successful 0.0\n")
                .contains("target=\"drop\"").doesNotContain("target=\"broken\"");
        assertThat(daemon.agent().config().targets()).extracting(t -> t.name()).containsExactly("keep", "drop");
        assertThat(logBytes.toString(StandardCharsets.UTF_8))
                .contains("level=error msg=\"configuration reload refused; the running configuration stays\"")
                .contains("level=error msg=\"configuration error\" file=" + file + " error=\"targets[1].port");

        Files.writeString(file, config("pay-as-you-go", tcp("keep", 2501), tcp("drop", 2502)));
        assertThat(http.post("/-/reload").statusCode()).isEqualTo(200);
        assertThat(metrics()).contains("smtp_probe_config_last_reload_successful 1.0\n");
    }
    @Test
    void refusesAReloadOfAFifoAtOnceWhileScrapesAndHealthGoOn() throws Exception {
        Files.delete(file);
        Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).start();
        assertThat(mkfifo.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && mkfifo.exitValue() == 0).isTrue();

        // Twice: a reload that blocked on the FIFO would hold the reload lock and the HTTP handler threads.
        HttpResponse<String> first = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(10), () -> http.post("/-/reload"));
        HttpResponse<String> second = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(10), () -> http.post("/-/reload"));

        assertThat(first.statusCode()).isEqualTo(500);
        assertThat(first.body()).contains("is a FIFO (named pipe), not a regular file");
        assertThat(second.statusCode()).isEqualTo(500);
        assertThat(http.get("/-/healthy").statusCode()).isEqualTo(200);
        assertThat(metrics()).contains("smtp_probe_config_last_reload_successful 0.0\n").contains("target=\"drop\"");
        assertThat(daemon.agent().config().targets()).extracting(t -> t.name()).containsExactly("keep", "drop");
    }

    @Test
    void refusesAReloadToADurationBeyondItsMaximumAndKeepsTheRunningConfig() throws Exception {
        Files.writeString(file, config("pay-as-you-go", tcp("keep", 2501), tcp("drop", 2502))
                .replace("interval: 1h", "interval: 2500000h"));

        HttpResponse<String> reload = http.post("/-/reload");

        assertThat(reload.statusCode()).isEqualTo(500);
        assertThat(reload.body()).contains("probe.interval: must be at most 24h, found \"2500000h\"");
        assertThat(metrics()).contains("smtp_probe_config_last_reload_successful 0.0\n");
        assertThat(daemon.agent().config().probe().interval()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void refusesAReloadNamingASparseThreeGigabyteCaFileWithoutReadingIt() throws Exception {
        Path ca = dir.resolve("ca.pem");
        try (java.io.RandomAccessFile sparse = new java.io.RandomAccessFile(ca.toFile(), "rw")) {
            sparse.setLength(3L << 30);
        }
        Files.writeString(file, config("pay-as-you-go", tcp("keep", 2501),
                "  - name: relay\n    host: 127.0.0.1\n    mode: submission\n    port: 2587\n"
                        + "    tls: {ca_file: ca.pem}\n"));

        HttpResponse<String> reload = http.post("/-/reload");

        assertThat(reload.statusCode()).isEqualTo(500);
        assertThat(reload.body()).contains("targets[1].tls.ca_file: " + ca + " is larger than 4194304 bytes");
        assertThat(metrics()).contains("smtp_probe_config_last_reload_successful 0.0\n");
        assertThat(daemon.agent().config().targets()).extracting(t -> t.name()).containsExactly("keep", "drop");
    }
}
