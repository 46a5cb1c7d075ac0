package io.smtpprobe.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One target's sample lines in the exposition's UTF-8, all families in one array: family {@code f} is
 * {@code text[start(f), end(f))}. Immutable once built (nothing writes the arrays after the renderer hands
 * them over), so scrapes on any thread copy it without a lock. Sample lines are the same in both formats.
 */
final class RenderedTarget {
    private final byte[] text;
    /** Where each family's lines end, indexed by {@link TargetFamily#ordinal()}. */
    private final int[] ends;

    RenderedTarget(byte[] text, int[] ends) {
        this.text = text;
        this.ends = ends;
    }

    /** Every family's lines, one after the other. */
    byte[] text() {
        return text;
    }

    /** Where the family's lines begin in {@link #text()}. */
    int start(TargetFamily family) {
        return family.ordinal() == 0 ? 0 : ends[family.ordinal() - 1];
    }

    /** Bytes of the family's lines; 0 when this target has no series of it (unknown expectation, no TLS). */
    int length(TargetFamily family) {
        return ends[family.ordinal()] - start(family);
    }

    void writeTo(TargetFamily family, OutputStream out) throws IOException {
        int start = start(family);
        out.write(text, start, ends[family.ordinal()] - start);
    }

    /** The lines of one family as text, for tests. */
    String lines(TargetFamily family) {
        int start = start(family);
        return new String(text, start, ends[family.ordinal()] - start, StandardCharsets.UTF_8);
    }
}
