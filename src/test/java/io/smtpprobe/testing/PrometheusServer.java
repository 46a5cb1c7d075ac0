package io.smtpprobe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's prometheus binary, started on a free loopback port with its own storage directory,
 * scraping and evaluating every second. Its output goes to a log file the failure messages quote.
 */
public final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusServer(Process process, Path log, URI base) {
        this.process = process;
        this.log = log;
        this.base = base;
    }

    /**
     * Starts Prometheus with the given rule files and a scrape job {@code smtp-probe} over
     * {@code targets} (host:port), and waits, bounded, until it reports ready.
     */
    public static PrometheusServer start(Path dir, List<Path> ruleFiles, List<String> targets) throws IOException {
        StringBuilder scrapeConfigs = new StringBuilder("  - job_name: smtp-probe\n    static_configs:\n      - targets:\n");
        targets.forEach(t -> scrapeConfigs.append("          - ").append(Promtool.yamlString(t)).append('\n'));
        return start(dir, ruleFiles, scrapeConfigs.toString());
    }

    /**
     * As above with the {@code scrape_configs} list written out (its items, indented by two spaces), for
     * jobs with TLS, basic auth or client certificates.
     */
    public static PrometheusServer start(Path dir, List<Path> ruleFiles, String scrapeConfigs) throws IOException {
        StringBuilder config = new StringBuilder()
                .append("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1s\n")
                .append(ruleFiles.isEmpty() ? "" : "rule_files:\n");
        ruleFiles.forEach(f -> config.append("  - ").append(Promtool.yamlString(f.toString())).append('\n'));
        config.append("scrape_configs:\n").append(scrapeConfigs);
        return start(dir, config.toString());
    }

    /**
     * Starts Prometheus with a whole configuration file's text (scrape jobs, rule files, alerting) and
     * the given extra flags, and waits, bounded, until it reports ready.
     */
    public static PrometheusServer start(Path dir, String configText, String... flags) throws IOException {
        int port = freeLoopbackPort();
        Path configFile = Files.writeString(dir.resolve("prometheus.yml"), configText);
        Path log = dir.resolve("prometheus.log");
        List<String> command = new ArrayList<>(List.of(PrometheusBinaries.find("prometheus").toString(),
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("data")),
                "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-lifecycle",
                "--log.level=warn"));
        command.addAll(List.of(flags));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PrometheusServer server = new PrometheusServer(process, log, URI.create("http://127.0.0.1:" + port));
        server.awaitReady();
        return server;
    }

    /** An instant query; the {@code data.result} array. */
    public JsonNode query(String promql) {
        JsonNode body = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (!body.path("status").asText().equals("success")) {
            throw new AssertionError("query failed: " + body + "\nquery: " + promql);
        }
        return body.path("data").path("result");
    }

    /** Active alerts (pending and firing). */
    public JsonNode alerts() {
        return get("/api/v1/alerts").path("data").path("alerts");
    }

    /** Active scrape targets with each one's health and last error. */
    public JsonNode targets() {
        return get("/api/v1/targets").path("data").path("activeTargets");
    }

    /** Rule groups with each rule's health and last error. */
    public JsonNode rules() {
        return get("/api/v1/rules").path("data").path("groups");
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private JsonNode get(String pathAndQuery) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("Prometheus at " + base + " did not answer " + pathAndQuery + ": " + e
                    + "\n" + log(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(base.resolve("/-/ready"))
                        .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            pause();
        }
        throw new AssertionError("prometheus was not ready within 30 s:\n" + log());
    }

    /** Polling pace for bounded waits on another process; there is no event to wait on. */
    public static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A loopback port free at the time of asking, for a server the test starts next. */
    public static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
