package io.smtpprobe.testing;

import io.smtpprobe.testing.JsonHttpFake.Answer;
import io.smtpprobe.testing.JsonHttpFake.Exchange;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

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

    private final JsonHttpFake http;
    private volatile byte[] body;
    private volatile int status = 200;
    private volatile byte[] tokenBody = new byte[0];
    private volatile int tokenStatus = 404;

    public FakeMetadataService(byte[] initialBody) throws IOException {
        this.body = initialBody;
        http = new JsonHttpFake(this::respond);
    }

    public URI endpoint() {
        return http.endpoint();
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
        return http.requests().stream()
                .map(r -> new Request(r.method(), r.pathAndQuery(), r.header("Metadata")))
                .toList();
    }

    private Answer respond(Exchange request) {
        if (!"true".equals(request.header("Metadata"))) {
            return Answer.json(400,
                    "{\"error\":\"invalid_request\",\"error_description\":\"Required metadata header not specified\"}");
        }
        return request.path().equals(TOKEN_PATH) ? new Answer(tokenStatus, tokenBody) : new Answer(status, body);
    }

    @Override
    public void close() {
        http.close();
    }
}
