package io.smtpprobe.http;

import io.smtpprobe.metrics.Exposition;
import java.nio.ByteBuffer;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * Writes an exposition to the client in 64 KiB pieces, each written asynchronously: at a thousand targets
 * it is megabytes, and a client that reads slowly must hold neither a thread nor a copy of it all. The one
 * buffer is reused; the pieces come straight from the targets' rendered lines.
 */
final class ExpositionWriter extends IteratingCallback {
    private static final int PIECE = 64 * 1024;

    private final Response response;
    private final Exposition.Reader reader;
    private final Callback callback;
    private final byte[] buffer;
    private boolean last;

    private ExpositionWriter(Response response, Exposition exposition, Callback callback) {
        this.response = response;
        this.reader = exposition.reader();
        this.callback = callback;
        this.buffer = new byte[(int) Math.min(PIECE, Math.max(1, exposition.length()))];
    }

    static void write(Response response, Exposition exposition, Callback callback) {
        new ExpositionWriter(response, exposition, callback).iterate();
    }

    @Override
    protected Action process() {
        if (last) {
            return Action.SUCCEEDED;
        }
        int n = reader.read(buffer, 0, buffer.length);
        if (n < 0) {
            last = true;
            response.write(true, null, this);
            return Action.SCHEDULED;
        }
        response.write(false, ByteBuffer.wrap(buffer, 0, n), this);
        return Action.SCHEDULED;
    }

    @Override
    protected void onCompleteSuccess() {
        callback.succeeded();
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        callback.failed(cause);
    }
}
