package io.smtpprobe.azure;

import com.fasterxml.jackson.databind.JsonNode;
import io.smtpprobe.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Talks to the Azure instance metadata service: the VM's identity
 * ({@code GET /metadata/instance?api-version=2021-02-01}) and its managed identity's tokens
 * ({@code GET /metadata/identity/oauth2/token}), both with {@code Metadata: true}. The service answers
 * only from inside the VM and must not go through a proxy, so none is used whatever the environment
 * says.
 */
public final class InstanceMetadataClient {
    public static final String PATH = "/metadata/instance?api-version=2021-02-01";
    public static final String TOKEN_PATH = "/metadata/identity/oauth2/token";
    public static final String TOKEN_API_VERSION = "2018-02-01";
    public static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final String base;
    private final URI uri;
    private final AzureHttp http;
    private final Clock clock;

    /** @param endpoint {@code azure.metadata_endpoint}, e.g. {@code http://169.254.169.254} */
    public InstanceMetadataClient(URI endpoint, Duration timeout) {
        this(endpoint, timeout, Clock.systemUTC());
    }

    /** @param clock turns a token's {@code expires_in} into an instant when {@code expires_on} is missing */
    public InstanceMetadataClient(URI endpoint, Duration timeout, Clock clock) {
        this.base = endpoint.toString().replaceAll("/+$", "");
        this.uri = URI.create(base + PATH);
        this.http = new AzureHttp(timeout);
        this.clock = clock;
    }

    public URI uri() {
        return uri;
    }

    /** The VM's identity and cloud, in one request; an error names the endpoint and what went wrong. */
    public InstanceMetadata instance() throws IOException, InterruptedException {
        AzureHttp.Answer answer;
        try {
            answer = http.send(http.request(uri).header("Metadata", "true").GET().build());
        } catch (AzureCallException e) {
            throw new IOException(uri + ": " + e.getMessage(), e);
        }
        if (!answer.ok()) {
            throw new IOException(uri + " answered HTTP " + answer.status());
        }
        JsonNode compute = answer.body().path("compute");
        List<String> missing = new ArrayList<>();
        InstanceMetadata instance = new InstanceMetadata(text(compute, "subscriptionId", missing),
                text(compute, "vmId", missing), text(compute, "name", missing),
                text(compute, "resourceGroupName", missing), text(compute, "location", missing),
                AzureHttp.text(compute, "azEnvironment"));
        if (!missing.isEmpty()) {
            throw new IOException(uri + " answered without compute." + String.join(", compute.", missing));
        }
        return instance;
    }

    /**
     * A token of the VM's managed identity for {@code resource}.
     *
     * @param clientId a user-assigned identity's client id, or empty for the system-assigned identity
     */
    public AccessToken managedIdentityToken(String resource, String clientId)
            throws AzureCallException, InterruptedException {
        String query = "?api-version=" + TOKEN_API_VERSION + "&resource=" + encode(resource)
                + (clientId == null || clientId.isEmpty() ? "" : "&client_id=" + encode(clientId));
        URI tokenUri = URI.create(base + TOKEN_PATH + query);
        String where = AzureHttp.where(tokenUri);
        AzureHttp.Answer answer = http.send(http.request(tokenUri).header("Metadata", "true").GET().build());
        if (!answer.ok()) {
            // {"error":"invalid_request","error_description":"Identity not found"}
            String error = AzureHttp.text(answer.body(), "error");
            String description = AzureHttp.text(answer.body(), "error_description");
            throw new AzureCallException(where + " answered HTTP " + answer.status()
                    + (error == null ? "" : ": " + error) + (description == null ? "" : " (" + clip(description) + ")"),
                    answer.status(), description != null ? description : error);
        }
        return token(answer.body(), where, clock);
    }

    /**
     * The token of an OAuth token answer ({@code access_token} with {@code expires_on} in epoch seconds or
     * {@code expires_in} seconds; the metadata service writes both as strings, Entra {@code expires_in} as a number).
     */
    static AccessToken token(JsonNode body, String where, Clock clock) throws AzureCallException {
        String token = AzureHttp.text(body, "access_token");
        if (token == null) {
            throw new AzureCallException(where + " answered without access_token", 200, null);
        }
        Instant expires = null;
        try {
            String on = AzureHttp.text(body, "expires_on");
            String in = AzureHttp.text(body, "expires_in");
            if (on != null) {
                expires = Instant.ofEpochSecond(Long.parseLong(on.trim()));
            } else if (in != null) {
                expires = clock.instant().plusSeconds(Long.parseLong(in.trim()));
            }
        } catch (NumberFormatException e) {
            expires = null;
        }
        if (expires == null) {
            throw new AzureCallException(where + " answered without a readable expires_on or expires_in", 200, null);
        }
        return new AccessToken(new Secret(token), expires);
    }

    /** Service text goes into messages; keep it to a line of reasonable length. */
    static String clip(String text) {
        String line = text.replaceAll("[\\r\\n]+", " ").strip();
        return line.length() > 300 ? line.substring(0, 297) + "..." : line;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String text(JsonNode compute, String field, List<String> missing) {
        JsonNode node = compute.path(field);
        if (!node.isTextual() || node.asText().isEmpty()) {
            missing.add(field);
            return "";
        }
        return node.asText();
    }
}
