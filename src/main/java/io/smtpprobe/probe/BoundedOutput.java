package io.smtpprobe.probe;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Collects a transcript up to a cap, so a chatty peer cannot grow it without bound. */
final class BoundedOutput extends OutputStream {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final int cap;
    private boolean truncated;

    BoundedOutput(int cap) {
        this.cap = cap;
    }

    @Override
    public synchronized void write(int b) {
        if (buffer.size() < cap) {
            buffer.write(b);
        } else {
            truncated = true;
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int room = Math.max(0, cap - buffer.size());
        buffer.write(b, off, Math.min(room, len));
        truncated |= len > room;
    }

    synchronized String text() {
        String text = buffer.toString(StandardCharsets.UTF_8);
        return truncated ? text + "\n[transcript truncated at " + cap / 1024 + " KiB]" : text;
    }
}
