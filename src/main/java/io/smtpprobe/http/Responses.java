package io.smtpprobe.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writing a whole response at once, with its length, so that keep-alive connections work. */
final class Responses {
    private Responses() {}

    static void text(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a body straight to the connection, without holding it in memory. */
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes a body whose length is known before it is written, with a Content-Length rather than chunked:
     * the JDK's server writes chunks of 4 KiB, which for megabytes costs more than producing them.
     */
    static void sized(HttpExchange exchange, String contentType, long length, Body body) throws IOException {
        headers(exchange, contentType);
        if ("HEAD".equals(exchange.getRequestMethod()) || length == 0) {
            exchange.sendResponseHeaders(200, -1); // -1: no body; 0 would mean chunked
        } else {
            exchange.sendResponseHeaders(200, length);
            try (OutputStream out = new BufferedOutputStream(exchange.getResponseBody(), 64 * 1024)) {
                body.writeTo(out);
            }
        }
        exchange.close();
    }

    private static void headers(HttpExchange exchange, String contentType) {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        headers(exchange, contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        // For HEAD the JDK wants -1 (no body) even though Content-Length describes the GET answer.
        exchange.sendResponseHeaders(status, head ? -1 : (body.length == 0 ? -1 : body.length));
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    static void methodNotAllowed(HttpExchange exchange, String allowed) throws IOException {
        exchange.getResponseHeaders().set("Allow", allowed);
        text(exchange, 405, "Method " + exchange.getRequestMethod() + " not allowed; use " + allowed + ".\n");
    }
}
