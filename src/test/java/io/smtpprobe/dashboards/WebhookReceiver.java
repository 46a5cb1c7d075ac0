package io.smtpprobe.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An Alertmanager webhook receiver on loopback (the JDK's HTTP server): keeps every notification it is
 * sent, in arrival order, with the path it came to (one path per Alertmanager receiver).
 */
final class WebhookReceiver implements AutoCloseable {
    /** One notification: the receiver path and Alertmanager's JSON body (status, groupLabels, alerts). */
    record Notification(String path, JsonNode body) {
        String status() {
            return body.path("status").asText();
        }

        List<String> alertNames() {
            List<String> names = new ArrayList<>();
            body.path("alerts").forEach(alert -> names.add(alert.path("labels").path("alertname").asText()));
            return names;
        }

        @Override
        public String toString() {
            return path + " " + status() + " " + body.path("groupLabels") + " " + alertNames();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Notification> received = new CopyOnWriteArrayList<>();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "webhook-receiver");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", exchange -> {
            try (exchange) {
                JsonNode body = JSON.readTree(exchange.getRequestBody());
                received.add(new Notification(exchange.getRequestURI().getPath(), body));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Everything received so far, oldest first. */
    List<Notification> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
