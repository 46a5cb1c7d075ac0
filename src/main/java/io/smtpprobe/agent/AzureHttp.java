package io.smtpprobe.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;

/**
 * The HTTP calls the Azure clients share: no proxy (the metadata service must never be reached
 * through one, and the others are fine without), no redirects, a timeout on connect and on the whole
 * answer, a size cap, and JSON bodies. Failures become {@link AzureCallException}s that name the
 * endpoint (without its query, which may carry ids) and what happened.
 */
final class AzureHttp {
    /** Every answer we read is a few kilobytes; a cap keeps a wrong endpoint from filling the heap. */
    static final int MAX_BYTES = 256 * 1024;

    private final Duration timeout;
    private final ObjectMapper json = new ObjectMapper();
    /** Made at the first call: a client starts a selector thread, and JDK 17 waits up to 300 ms for it at exit. */
    private HttpClient client;

    AzureHttp(Duration timeout) {
        this.timeout = timeout;
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder()
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
        }
        return client;
    }

    Duration timeout() {
        return timeout;
    }

    /** A status and a JSON body (a missing node when the body was empty). */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status == 200;
        }
    }

    HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(timeout);
    }

    /** Sends a request; any status is an answer, but it must be JSON (or empty) and not too large. */
    Answer send(HttpRequest request) throws AzureCallException, InterruptedException {
        String where = where(request.uri());
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_BYTES + 1);
            }
        } catch (HttpTimeoutException e) {
            throw new AzureCallException(where + " did not answer within " + seconds(timeout), e);
        } catch (ConnectException e) {
            throw new AzureCallException("cannot connect to " + where + " (" + reason(e) + ")", e);
        } catch (IOException e) {
            throw new AzureCallException("the call to " + where + " failed (" + reason(e) + ")", e);
        }
        if (body.length > MAX_BYTES) {
            throw new AzureCallException(where + " answered more than " + MAX_BYTES + " bytes", response.statusCode(),
                    null);
        }
        if (body.length == 0) {
            return new Answer(response.statusCode(), MissingNode.getInstance());
        }
        try {
            return new Answer(response.statusCode(), json.readTree(body));
        } catch (IOException e) {
            // The parser's own words only: it may quote the body, and a body may hold a token.
            throw new AzureCallException(where + " answered HTTP " + response.statusCode() + " with a body that is not"
                    + " JSON", response.statusCode(), null);
        }
    }

    /** The endpoint as messages show it: scheme, host, port and path, without the query. */
    static String where(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }

    private static String reason(IOException e) {
        Throwable deepest = e;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        String message = deepest.getMessage();
        return message == null || message.isBlank() ? deepest.getClass().getSimpleName() : message;
    }

    /** A text field, or null when absent or not text. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.asText().isEmpty() ? value.asText() : null;
    }
}
