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
