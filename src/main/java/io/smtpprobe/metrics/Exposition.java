package io.smtpprobe.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One scrape, fixed when it is taken: the registry's few process-level series (JVM, diagnosis, policy,
 * build and reload gauges), scraped into a small buffer, then the per-target families, each as its header
 * followed by every target's pre-rendered lines. Nothing per target is formatted here: a scrape copies bytes
 * rendered when the targets' results changed.
 *
 * <p>Its {@link #length()} is known before a byte is written, so that /metrics can answer with a
 * Content-Length: the JDK's HTTP server cuts a chunked answer into 4 KiB chunks, and writing and parsing a
 * thousand targets' megabytes that way cost more than everything else in a scrape.
 *
 * <p>OpenMetrics ends with exactly one {@code # EOF}: the registry's is cut and written after ours.
 */
public final class Exposition {
    private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);

    private final ExpositionFormat format;
    private final byte[] registryPart;
    private final int registryLength;
    /** One reference per target, read once: all of a target's families come from the same render. */
    private final RenderedTarget[] targets;
    private final long length;

    private Exposition(ExpositionFormat format, byte[] registryPart, RenderedTarget[] targets) {
        this.format = format;
        this.registryPart = registryPart;
        this.registryLength = format == ExpositionFormat.OPENMETRICS ? withoutEof(registryPart) : registryPart.length;
        this.targets = targets;
        long total = registryLength;
        for (TargetFamily family : TargetFamily.ALL) {
            long lines = 0;
            for (RenderedTarget target : targets) {
                lines += target.length(family);
            }
            // Families with no series at all (no known expectation, no target with TLS) get no header either.
            total += lines == 0 ? 0 : family.header(format).length + lines;
        }
        this.length = total + (format == ExpositionFormat.OPENMETRICS ? EOF.length : 0);
    }

    /** @param series the targets' series by name, a snapshot no one modifies */
    static Exposition take(PrometheusMeterRegistry registry, ExpositionFormat format, TargetSeries[] series)
            throws IOException {
        ByteArrayOutputStream small = new ByteArrayOutputStream(32 * 1024);
        registry.scrape(small, format.contentType());
        RenderedTarget[] targets = new RenderedTarget[series.length];
        for (int i = 0; i < series.length; i++) {
            targets[i] = series[i].rendered();
        }
        return new Exposition(format, small.toByteArray(), targets);
    }

    /** How many bytes {@link #writeTo} writes. */
    public long length() {
        return length;
    }

    public void writeTo(OutputStream out) throws IOException {
        out.write(registryPart, 0, registryLength);
        for (TargetFamily family : TargetFamily.ALL) {
            if (anyHas(family)) {
                out.write(family.header(format));
                for (RenderedTarget target : targets) {
                    target.writeTo(family, out);
                }
            }
        }
        if (format == ExpositionFormat.OPENMETRICS) {
            out.write(EOF);
        }
    }

    /**
     * Reads the exposition in pieces, for a writer that must not block on a slow client: each
     * {@link Reader#read} copies as much as fits into a buffer and remembers where it stopped.
     */
    public Reader reader() {
        return new Reader();
    }

    /** A position in the exposition: the registry's part, then each family's header and targets' lines, then EOF. */
    public final class Reader {
        /** -1: the registry's part; 0 to families-1: a family; families: the EOF line; beyond: the end. */
        private int part = -1;
        /** Within a family: -1 for its header, else the index of a target. */
        private int target = -1;
        /** Bytes of the current piece already copied. */
        private int done;

        private Reader() {}

        /**
         * Copies the next bytes into {@code dest}.
         *
         * @return how many bytes were copied, or -1 when the whole exposition has been read
         */
        public int read(byte[] dest, int offset, int length) {
            int copied = 0;
            while (copied < length) {
                byte[] array = pieceArray();
                if (array == null) {
                    return copied == 0 ? -1 : copied;
                }
                int start = pieceStart();
                int remaining = pieceLength() - done;
                int n = Math.min(remaining, length - copied);
                System.arraycopy(array, start + done, dest, offset + copied, n);
                copied += n;
                done += n;
                if (done == pieceLength()) {
                    advance();
                }
            }
            return copied;
        }

        private void advance() {
            done = 0;
            int families = TargetFamily.ALL.length;
            if (part >= 0 && part < families && target + 1 < targets.length) {
                target++;
                return;
            }
            target = -1;
            part++;
            while (part < families && !anyHas(TargetFamily.ALL[part])) {
                part++;
            }
            if (part == families && format != ExpositionFormat.OPENMETRICS) {
                part++;
            }
        }

        /** The array of the current piece, or null at the end. Pieces of length 0 are passed over by read. */
        private byte[] pieceArray() {
            int families = TargetFamily.ALL.length;
            if (part == -1) {
                return registryPart;
            }
            if (part < families) {
                return target < 0 ? TargetFamily.ALL[part].header(format) : targets[target].text();
            }
            return part == families ? EOF : null;
        }

        private int pieceStart() {
            return part >= 0 && part < TargetFamily.ALL.length && target >= 0
                    ? targets[target].start(TargetFamily.ALL[part]) : 0;
        }

        private int pieceLength() {
            int families = TargetFamily.ALL.length;
            if (part == -1) {
                return registryLength;
            }
            if (part < families) {
                TargetFamily family = TargetFamily.ALL[part];
                return target < 0 ? family.header(format).length : targets[target].length(family);
            }
            return EOF.length;
        }
    }

    private boolean anyHas(TargetFamily family) {
        for (RenderedTarget target : targets) {
            if (target.length(family) > 0) {
                return true;
            }
        }
        return false;
    }

    /** The length of an OpenMetrics exposition without its final {@code # EOF} line. */
    private static int withoutEof(byte[] exposition) {
        int start = exposition.length - EOF.length;
        if (start < 0 || !Arrays.equals(exposition, start, exposition.length, EOF, 0, EOF.length)) {
            throw new IllegalStateException("the registry's OpenMetrics exposition does not end with \"# EOF\\n\""
                    + " (a Micrometer upgrade changed it?); cannot append the per-target series after it");
        }
        return start;
    }
}
