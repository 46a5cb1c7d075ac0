package io.smtpprobe.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smtpprobe.testing.PrometheusServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Alertmanager ({@code prometheus-alertmanager}) on a free loopback port, with its own storage
 * directory and no cluster listener, started on a given configuration text. Its log goes to a file the
 * failure messages quote.
 */
final class AlertmanagerServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private AlertmanagerServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static AlertmanagerServer start(Path dir, String config) throws IOException {
        int port = PrometheusServer.freeLoopbackPort();
        Path configFile = Files.writeString(dir.resolve("alertmanager.yml"), config);
        Path log = dir.resolve("alertmanager.log");
        Process process = new ProcessBuilder(Amtool.find("prometheus-alertmanager").toString(),
                "--config.file=" + configFile,
                "--storage.path=" + Files.createDirectories(dir.resolve("data")),
                "--web.listen-address=127.0.0.1:" + port,
                // No gossip: a lone Alertmanager would otherwise listen on every interface for peers.
                "--cluster.listen-address=",
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        AlertmanagerServer server = new AlertmanagerServer(process, log, port);
        server.awaitReady();
        return server;
    }

    /** host:port, as Prometheus's alerting configuration names it. */
    String address() {
        return "127.0.0.1:" + port;
    }

    /** Alerts Alertmanager holds, with {@code status.state} (active, suppressed) and {@code status.inhibitedBy}. */
    JsonNode alerts() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://" + address() + "/api/v2/alerts"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("Alertmanager at " + address() + " did not answer: " + e + "\n" + log(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("alertmanager exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://" + address() + "/-/ready"))
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
            PrometheusServer.pause();
        }
        throw new AssertionError("alertmanager was not ready within 30 s:\n" + log());
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
