package io.smtpprobe.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Reads and discards a request's body, up to {@link RequestLimits#MAX_BODY_BYTES}, without a thread
 * waiting for it: bytes are read as they arrive, and the request goes on only once the body has ended.
 * A body that never comes (a {@code Content-Length: 4096} and nothing after) waits on Jetty's data rate
 * and idle checks, which close the connection; it holds no thread meanwhile.
 */
final class CappedBody implements Runnable {
    /**
     * A body over the cap but under this is read to its end (and dropped) before the 413: closing a connection
     * with the client's bytes still unread makes the kernel answer them with an RST, which can destroy the 413
     * before the client reads it (a client saw "header parser received no bytes" for a 64 KiB body). A larger
     * one is refused at once, as its declared length says or as soon as it passes this.
     */
    static final long DRAINED_BYTES = 256 * 1024;

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Runnable then;
    private long bytes;

    private CappedBody(Request request, Response response, Callback callback, Runnable then) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.then = then;
    }

    /** Runs {@code then} once the body has been read, or answers 413 or 400 itself. */
    static void readThen(Request request, Response response, Callback callback, Runnable then) {
        String length = request.getHeaders().get(HttpHeader.CONTENT_LENGTH);
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                Responses.text(response, 400, "Malformed Content-Length.\n", callback);
                return;
            }
            if (declared > DRAINED_BYTES) {
                tooLarge(response, callback);
                return;
            }
        }
        new CappedBody(request, response, callback, then).run();
    }

    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                callback.failed(chunk.getFailure());
                return;
            }
            bytes += chunk.remaining();
            boolean last = chunk.isLast();
            chunk.release();
            if (bytes > RequestLimits.MAX_BODY_BYTES && (last || bytes > DRAINED_BYTES)) {
                tooLarge(response, callback);
                return;
            }
            if (last) {
                then.run();
                return;
            }
        }
    }

    private static void tooLarge(Response response, Callback callback) {
        Responses.text(response, 413, "Request body larger than " + RequestLimits.MAX_BODY_BYTES + " bytes.\n",
                callback);
    }
}
