package io.smtpprobe.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Azure instance metadata service on loopback: answers {@code /metadata/instance} with a given
 * body and status, and records every request it receives.
 */
public final class FakeMetadataService implements AutoCloseable {
    /** One request as it arrived. */
    public record Request(String method, String pathAndQuery, String metadataHeader) {}

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile byte[] body;
    private volatile int status = 200;

    public FakeMetadataService(byte[] initialBody) throws IOException {
        this.body = initialBody;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", exchange -> {
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Metadata")));
            byte[] answer = this.body;
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(status, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void answer(int newStatus, byte[] newBody) {
        status = newStatus;
        body = newBody;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
