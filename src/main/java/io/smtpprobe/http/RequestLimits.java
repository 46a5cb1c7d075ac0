package io.smtpprobe.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * Caps what a request may send: the endpoints need no headers beyond a few standard ones and no body
 * at all, so anything large is refused before a handler sees it (431 for headers, 413 for a body).
 */
final class RequestLimits extends Filter {
    static final int MAX_HEADER_BYTES = 8 * 1024;
    static final int MAX_BODY_BYTES = 4 * 1024;

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        int headerBytes = exchange.getRequestURI().toString().length();
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            for (String value : header.getValue()) {
                headerBytes += header.getKey().length() + value.length() + 4;
            }
        }
        if (headerBytes > MAX_HEADER_BYTES) {
            Responses.text(exchange, 431, "Request headers larger than " + MAX_HEADER_BYTES + " bytes.\n");
            return;
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                Responses.text(exchange, 400, "Malformed Content-Length.\n");
                return;
            }
            if (declared > MAX_BODY_BYTES) {
                Responses.text(exchange, 413, "Request body larger than " + MAX_BODY_BYTES + " bytes.\n");
                return;
            }
        }
        // A chunked body has no declared length: read no more than the cap, then refuse.
        try (InputStream body = exchange.getRequestBody()) {
            if (body.readNBytes(MAX_BODY_BYTES + 1).length > MAX_BODY_BYTES) {
                Responses.text(exchange, 413, "Request body larger than " + MAX_BODY_BYTES + " bytes.\n");
                return;
            }
        }
        chain.doFilter(exchange);
    }

    @Override
    public String description() {
        return "caps request headers at " + MAX_HEADER_BYTES + " and bodies at " + MAX_BODY_BYTES + " bytes";
    }
}
