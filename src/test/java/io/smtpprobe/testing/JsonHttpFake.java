package io.smtpprobe.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The plumbing the fake Azure HTTP services share: a JDK HttpServer on 127.0.0.1 and a random port,
 * every request recorded as it arrived (before it is answered), and each answered with the JSON a
 * {@link Responder} chooses. The fakes build their service's behaviour on top.
 */
public final class JsonHttpFake implements AutoCloseable {

    /** One request as it arrived: method, path and query, headers, body. */
    public record Exchange(String method, URI uri, Headers headers, String body) {
        public String path() {
            return uri.getPath();
        }

        public String pathAndQuery() {
            return uri.toString();
        }

        /** The first value of the header, or null; names are case-insensitive as in HTTP. */
        public String header(String name) {
            return headers.getFirst(name);
        }
    }

    /** A status and a JSON body; an empty body is sent as none at all. */
    public record Answer(int status, byte[] body) {
        public static Answer json(int status, String body) {
            return new Answer(status, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Chooses the answer to one request. */
    @FunctionalInterface
    public interface Responder {
        Answer answer(Exchange request) throws IOException;
    }

    private final HttpServer server;
    private final List<Exchange> requests = new CopyOnWriteArrayList<>();

    public JsonHttpFake(Responder responder) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", exchange -> {
            Headers headers = new Headers();
            headers.putAll(exchange.getRequestHeaders());
            Exchange request = new Exchange(exchange.getRequestMethod(), exchange.getRequestURI(), headers,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(request);
            Answer answer = responder.answer(request);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer.body());
            }
        });
        server.start();
    }

    /** {@code http://127.0.0.1:port}, with no trailing slash. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every request so far, in arrival order. */
    public List<Exchange> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
