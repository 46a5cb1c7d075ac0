package io.smtpprobe.probe.net;

import io.smtpprobe.probe.step.DeadlineExceededException;
import io.smtpprobe.probe.step.ProbeDeadline;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A connected socket whose every read waits at most until the probe's deadline and counts against
 * the {@link ReplyLimits}. Angus Mail and, after STARTTLS, the JDK's TLS layer read through it, so the
 * deadline and the caps hold whatever sits on top. Per-read timeouts alone would let a peer that
 * sends one byte just inside each timeout keep us forever.
 */
public final class DeadlineSocket extends DelegatingSocket {
    private final Socket raw;
    private final ProbeDeadline deadline;
    private final ReplyLimits limits;

    public DeadlineSocket(Socket raw, ProbeDeadline deadline, ReplyLimits limits) {
        super(raw);
        this.raw = raw;
        this.deadline = deadline;
        this.limits = limits;
    }

    @Override
    InputStream wrap(InputStream in) {
        return new GuardedInput(in);
    }

    @Override
    OutputStream wrap(OutputStream out) {
        return new GuardedOutput(out);
    }

    private final class GuardedInput extends ChunkedInput {
        GuardedInput(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int left = deadline.remainingMillis();
            if (left <= 0) {
                throw new DeadlineExceededException();
            }
            raw.setSoTimeout(left);
            int n = in.read(buffer, offset, length);
            if (n > 0 && deadline.passed()) {
                // Bytes that arrive once the deadline has passed decide nothing: the watchdog's close
                // half-closes first (FIN, then the descriptor), and a peer can answer that FIN inside
                // the gap, as a TLS server waiting for our hello does with a handshake_failure alert.
                // Counted, that alert would turn a silent server into "speaks TLS here".
                throw new DeadlineExceededException();
            }
            if (n > 0) {
                limits.count(buffer, offset, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            return read(new byte[(int) Math.min(n, 512)], 0, (int) Math.min(n, 512));
        }
    }

    /** Nothing leaves after the deadline: a late QUIT or TLS alert could only provoke the peer. */
    private final class GuardedOutput extends FilterOutputStream {
        GuardedOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            if (deadline.passed()) {
                throw new DeadlineExceededException();
            }
            out.write(buffer, offset, length);
        }
    }

    /** Read timeouts come from the deadline; a caller's own setting is accepted and superseded. */
    @Override
    public void setSoTimeout(int timeout) {}
}
