package io.smtpprobe.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one exposition from two sources: the registry's few process-level series (JVM, diagnosis, policy,
 * build and reload gauges), scraped into a small buffer, then the per-target families, each as its header
 * followed by every target's pre-rendered lines. Nothing per target is formatted here: a scrape copies bytes
 * rendered when the targets' results changed.
 *
 * <p>OpenMetrics ends with exactly one {@code # EOF}: the registry's is cut and written after ours.
 */
final class ExpositionWriter {
    private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);

    private final PrometheusMeterRegistry registry;

    ExpositionWriter(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** @param targets the targets' series by name, a snapshot no one modifies */
    void write(ExpositionFormat format, TargetSeries[] targets, OutputStream out) throws IOException {
        ByteArrayOutputStream small = new ByteArrayOutputStream(32 * 1024);
        registry.scrape(small, format.contentType());
        byte[] head = small.toByteArray();
        int length = head.length;
        if (format == ExpositionFormat.OPENMETRICS) {
            length = withoutEof(head);
        }
        out.write(head, 0, length);
        // One reference per target, read once: each target's families come from the same render, even when
        // a probe finishes during the scrape.
        RenderedTarget[] rendered = new RenderedTarget[targets.length];
        for (int i = 0; i < targets.length; i++) {
            rendered[i] = targets[i].rendered();
        }
        for (TargetFamily family : TargetFamily.ALL) {
            if (anyHas(rendered, family)) {
                out.write(family.header(format));
                for (RenderedTarget target : rendered) {
                    target.writeTo(family, out);
                }
            }
        }
        if (format == ExpositionFormat.OPENMETRICS) {
            out.write(EOF);
        }
    }

    /** Families with no series at all (no known expectation, no target with TLS) get no header either. */
    private static boolean anyHas(RenderedTarget[] targets, TargetFamily family) {
        for (RenderedTarget target : targets) {
            if (target.has(family)) {
                return true;
            }
        }
        return false;
    }

    /** The length of an OpenMetrics exposition without its final {@code # EOF} line. */
    static int withoutEof(byte[] exposition) {
        int start = exposition.length - EOF.length;
        if (start < 0 || !Arrays.equals(exposition, start, exposition.length, EOF, 0, EOF.length)) {
            throw new IllegalStateException("the registry's OpenMetrics exposition does not end with \"# EOF\\n\""
                    + " (a Micrometer upgrade changed it?); cannot append the per-target series after it");
        }
        return start;
    }
}
