package io.smtpprobe.probe.net;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * The socket Angus Mail speaks SMTP through: plain text over the {@link DeadlineSocket}, or, after
 * STARTTLS or for smtps, over the TLS socket {@code TlsSocketFactory} made and already handshook. It
 * is deliberately not an {@code SSLSocket}, so Angus leaves TLS (handshake, certificate checks) to the
 * factory. With a {@link Transcript} it records the bytes both ways, above TLS.
 */
public final class ConversationSocket extends DelegatingSocket {
    private final Transcript transcript;

    /** @param transcript where the conversation is recorded, or null when no transcript was asked for */
    public ConversationSocket(Socket inner, Transcript transcript) {
        super(inner);
        this.transcript = transcript;
    }

    /** The socket to layer TLS over: the one under this, never this (TLS records are not the transcript). */
    public static Socket unwrap(Socket socket) {
        return socket instanceof ConversationSocket conversation ? conversation.inner() : socket;
    }

    @Override
    InputStream wrap(InputStream in) {
        return transcript == null ? in : new Recorded(in);
    }

    @Override
    OutputStream wrap(OutputStream out) {
        return transcript == null ? out : new Recording(out);
    }

    private final class Recorded extends ChunkedInput {
        Recorded(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n;
            try {
                n = in.read(buffer, offset, length);
            } catch (IOException e) {
                transcript.failed(e);
                throw e;
            }
            if (n < 0) {
                transcript.endOfStream();
            } else {
                transcript.received(buffer, offset, n);
            }
            return n;
        }
    }

    private final class Recording extends FilterOutputStream {
        Recording(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            try {
                out.write(buffer, offset, length);
            } catch (IOException e) {
                transcript.failed(e);
                throw e;
            }
            transcript.sent(buffer, offset, length);
        }
    }
}
