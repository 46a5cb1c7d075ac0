package io.smtpprobe.testing;

import io.smtpprobe.testing.JsonHttpFake.Answer;
import io.smtpprobe.testing.JsonHttpFake.Exchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Microsoft identity platform's v2.0 token endpoint on loopback, for one tenant and one app:
 * the client-credentials grant answered in Entra's shapes (a token valid for {@code expires_in}
 * seconds, or {@code invalid_client} with AADSTS7000215 for a wrong secret). Every token it issues
 * is new ({@code token-1}, {@code token-2}, ...) and remembered with its expiry, so an SMTP fake can
 * accept exactly the unexpired tokens issued here.
 */
public final class FakeEntraTokenEndpoint implements AutoCloseable {
    /** One token request: the form fields, the secret among them. */
    public record Request(String path, Map<String, String> form) {}

    private final JsonHttpFake http;
    private final String tenant;
    private final String clientId;
    private final String clientSecret;
    private final AtomicInteger issued = new AtomicInteger();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile long expiresIn = 3599;

    /** @param clock when tokens are issued and when they expire */
    public FakeEntraTokenEndpoint(String tenant, String clientId, String clientSecret, Clock clock) throws IOException {
        this.clock = clock;
        this.tenant = tenant;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        http = new JsonHttpFake(this::respond);
    }

    /** The URL to configure as {@code token_endpoint}, with {@code {tenant}} left for the loader to fill. */
    public String tokenEndpointTemplate() {
        return http.endpoint() + "/{tenant}/oauth2/v2.0/token";
    }

    public URI tokenEndpoint() {
        return URI.create(tokenEndpointTemplate().replace("{tenant}", tenant));
    }

    public void expiresIn(long seconds) {
        expiresIn = seconds;
    }

    /** Whether this endpoint issued the token and it has not expired yet. */
    public boolean valid(String token) {
        Instant expires = tokens.get(token);
        return expires != null && clock.instant().isBefore(expires);
    }

    public List<Request> requests() {
        return http.requests().stream().map(r -> new Request(r.path(), form(r.body()))).toList();
    }

    private Answer respond(Exchange request) {
        Map<String, String> form = form(request.body());
        if (!request.path().equals("/" + tenant + "/oauth2/v2.0/token")) {
            return Answer.json(400, error("invalid_request", 90002, "AADSTS90002: Tenant '" + tenant
                    + "' not found. Check to make sure you have the correct tenant ID."));
        } else if (!"client_credentials".equals(form.get("grant_type"))) {
            return Answer.json(400, error("unsupported_grant_type", 70003,
                    "AADSTS70003: The app requested an unsupported grant type."));
        } else if (!clientId.equals(form.get("client_id"))) {
            return Answer.json(400, error("unauthorized_client", 700016, "AADSTS700016: Application with identifier '"
                    + form.get("client_id") + "' was not found in the directory."));
        } else if (!clientSecret.equals(form.get("client_secret"))) {
            return Answer.json(401, error("invalid_client", 7000215, "AADSTS7000215: Invalid client secret provided."
                    + " Ensure the secret being sent in the request is the client secret value, not the client secret"
                    + " ID, for a secret added to app '" + clientId + "'."));
        } else {
            String token = "token-" + issued.incrementAndGet();
            tokens.put(token, clock.instant().plusSeconds(expiresIn));
            return Answer.json(200, "{\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + ",\"ext_expires_in\":"
                    + expiresIn + ",\"access_token\":\"" + token + "\"}");
        }
    }

    private static String error(String error, int code, String description) {
        return "{\"error\":\"" + error + "\",\"error_description\":\"" + description
                + "\\r\\nTrace ID: 0b1c2d3e-0000-4000-8000-000000000000\\r\\nCorrelation ID:"
                + " 5e6f7a8b-0000-4000-8000-000000000000\\r\\nTimestamp: 2026-11-27 10:00:00Z\",\"error_codes\":[" + code
                + "],\"timestamp\":\"2026-11-27 10:00:00Z\",\"trace_id\":\"0b1c2d3e-0000-4000-8000-000000000000\","
                + "\"correlation_id\":\"5e6f7a8b-0000-4000-8000-000000000000\"}";
    }

    private static Map<String, String> form(String body) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    @Override
    public void close() {
        http.close();
    }
}
