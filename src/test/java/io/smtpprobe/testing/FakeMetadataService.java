package io.smtpprobe.testing;

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
 * The Azure instance metadata service on loopback: answers {@code /metadata/instance} with a given
 * body and status, the managed-identity token endpoint ({@code /metadata/identity/oauth2/token}) as
 * {@link #answerToken} sets it, and records every request it receives. Like the real service it
 * refuses requests without {@code Metadata: true} (400).
 */
public final class FakeMetadataService implements AutoCloseable {
    public static final String TOKEN_PATH = "/metadata/identity/oauth2/token";
    /** The real service's answer when the VM has no (such) managed identity. */
    public static final String IDENTITY_NOT_FOUND =
            "{\"error\":\"invalid_request\",\"error_description\":\"Identity not found\"}";

    /** One request as it arrived. */
    public record Request(String method, String pathAndQuery, String metadataHeader) {}

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile byte[] body;
    private volatile int status = 200;
    private volatile byte[] tokenBody = new byte[0];
    private volatile int tokenStatus = 404;

    public FakeMetadataService(byte[] initialBody) throws IOException {
        this.body = initialBody;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", exchange -> {
            String metadata = exchange.getRequestHeaders().getFirst("Metadata");
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(), metadata));
            boolean token = exchange.getRequestURI().getPath().equals(TOKEN_PATH);
            int answerStatus = token ? tokenStatus : status;
            byte[] answer = token ? tokenBody : this.body;
            if (!"true".equals(metadata)) {
                answerStatus = 400;
                answer = "{\"error\":\"invalid_request\",\"error_description\":\"Required metadata header not specified\"}"
                        .getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(answerStatus, answer.length == 0 ? -1 : answer.length);
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

    /** What the token endpoint answers from now on. */
    public void answerToken(int newStatus, String newBody) {
        tokenStatus = newStatus;
        tokenBody = newBody.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A token answer in the service's shape: every field a string, {@code expires_on} in epoch seconds.
     */
    public static String tokenAnswer(String accessToken, String resource, long expiresOnEpochSeconds) {
        return "{\"access_token\":\"" + accessToken + "\",\"refresh_token\":\"\",\"expires_in\":\"86399\","
                + "\"expires_on\":\"" + expiresOnEpochSeconds + "\",\"not_before\":\"" + (expiresOnEpochSeconds - 86399)
                + "\",\"resource\":\"" + resource + "\",\"token_type\":\"Bearer\"}";
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
