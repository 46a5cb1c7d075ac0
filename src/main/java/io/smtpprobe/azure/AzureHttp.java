package io.smtpprobe.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

    /**
     * Sends a request; any status is an answer, but it must be JSON (or empty) and not too large. The
     * timeout bounds the whole call, body included: the request timeout alone ends once the headers are
     * in, and a server that then trickles its body a byte at a time once held {@code check} for as long
     * as it liked (issue 14).
     */
    Answer send(HttpRequest request) throws AzureCallException, InterruptedException {
        String where = where(request.uri());
        CompletableFuture<HttpResponse<byte[]>> pending = client().sendAsync(request, info -> new CappedBody());
        HttpResponse<byte[]> response;
        try {
            response = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new AzureCallException(where + " did not answer within " + seconds(timeout), e);
        } catch (InterruptedException e) {
            pending.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw new AzureCallException(where + " did not answer within " + seconds(timeout), cause);
            }
            if (cause instanceof ConnectException) {
                throw new AzureCallException("cannot connect to " + where + " (" + reason(cause) + ")", cause);
            }
            throw new AzureCallException("the call to " + where + " failed (" + reason(cause) + ")", cause);
        }
        byte[] body = response.body();
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

    private static String reason(Throwable e) {
        Throwable deepest = e;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        String message = deepest.getMessage();
        return message == null || message.isBlank() ? deepest.getClass().getSimpleName() : message;
    }

    /**
     * Collects a body up to {@link #MAX_BYTES} and one byte more; past that it stops reading (the
     * caller refuses the answer as too large) instead of keeping whatever a wrong endpoint sends.
     */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                int take = Math.min(buffer.remaining(), MAX_BYTES + 1 - bytes.size());
                byte[] chunk = new byte[take];
                buffer.get(chunk);
                bytes.write(chunk, 0, take);
            }
            if (bytes.size() > MAX_BYTES) {
                subscription.cancel();
                body.complete(bytes.toByteArray());
            }
        }

        @Override
        public void onError(Throwable failure) {
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
    }

    /** A text field, or null when absent or not text. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.asText().isEmpty() ? value.asText() : null;
    }
}
