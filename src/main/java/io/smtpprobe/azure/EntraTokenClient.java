package io.smtpprobe.azure;

import io.smtpprobe.config.OAuthConfig;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gets an app's token from the Microsoft identity platform with the client-credentials grant
 * (RFC 6749 section 4.4): a form POST of client id, secret and scope to the tenant's v2.0 token
 * endpoint. A refusal is reported by its {@code AADSTS} code and the service's description, which
 * never repeat the secret.
 */
public final class EntraTokenClient {
    private static final Pattern AADSTS = Pattern.compile("AADSTS\\d+");

    private final AzureHttp http;
    private final Clock clock;

    public EntraTokenClient(Duration timeout, Clock clock) {
        this.http = new AzureHttp(timeout);
        this.clock = clock;
    }

    public AccessToken clientCredentials(OAuthConfig oauth) throws AzureCallException, InterruptedException {
        String form = "grant_type=client_credentials"
                + "&client_id=" + encode(oauth.clientId())
                + "&client_secret=" + encode(oauth.clientSecret().reveal())
                + "&scope=" + encode(oauth.scope());
        String where = AzureHttp.where(oauth.tokenEndpoint());
        AzureHttp.Answer answer = http.send(http.request(oauth.tokenEndpoint())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8))
                .build());
        if (!answer.ok()) {
            // {"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. ...",
            //  "error_codes":[7000215],"trace_id":"...","correlation_id":"..."}
            String error = AzureHttp.text(answer.body(), "error");
            String description = AzureHttp.text(answer.body(), "error_description");
            String code = null;
            if (description != null) {
                Matcher aadsts = AADSTS.matcher(description);
                code = aadsts.find() ? aadsts.group() : null;
            }
            throw new AzureCallException(where + " answered HTTP " + answer.status()
                    + (error == null ? "" : " " + error)
                    + (description == null ? "" : ": " + firstSentence(description)),
                    answer.status(), code != null ? code : error);
        }
        return InstanceMetadataClient.token(answer.body(), where, clock);
    }

    /** Entra's descriptions run on with trace ids and timestamps; the first line says what went wrong. */
    private static String firstSentence(String description) {
        String line = description.lines().findFirst().orElse("").strip();
        return InstanceMetadataClient.clip(line);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
