package io.smtpprobe.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writing a whole response at once, with its length, so that keep-alive connections work. Every write
 * is asynchronous: a client that reads slowly holds a buffer, not a thread.
 */
final class Responses {
    private Responses() {}

    static void text(Response response, int status, String body, Callback callback) {
        send(response, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), callback);
    }

    static void send(Response response, int status, String contentType, byte[] body, Callback callback) {
        response.setStatus(status);
        headers(response, contentType, body.length);
        boolean head = "HEAD".equals(response.getRequest().getMethod());
        // For HEAD, Content-Length describes the GET answer and no body follows.
        response.write(true, head ? null : ByteBuffer.wrap(body), callback);
    }

    /** Content-Type, Content-Length and the headers every answer carries (web config headers included). */
    static void headers(Response response, String contentType, long length) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
    }

    /** The {@code http_server_config.headers} of the web config file, on every answer. */
    static void configured(Response response, Map<String, String> headers) {
        headers.forEach((name, value) -> response.getHeaders().put(name, value));
    }

    static void methodNotAllowed(Request request, Response response, String allowed, Callback callback) {
        response.getHeaders().put(HttpHeader.ALLOW, allowed);
        text(response, 405, "Method " + request.getMethod() + " not allowed; use " + allowed + ".\n", callback);
    }
}
