package io.smtpprobe.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** An output stream that collects lines, for a log a test waits on without sleeping. */
public final class LineQueue extends OutputStream {
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            lines.add(current.toString(StandardCharsets.UTF_8));
            current.reset();
            notifyAll();
        } else {
            current.write(b);
        }
    }

    /** Waits up to {@code seconds} until {@code count} lines, of all written so far, match. */
    public synchronized List<String> await(Predicate<String> wanted, int count, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            List<String> matching = lines.stream().filter(wanted).toList();
            if (matching.size() >= count) {
                return matching;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(count + " matching lines did not come within " + seconds + " s; log:\n"
                        + String.join("\n", lines));
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    public String text() {
        return String.join("\n", lines);
    }
}
