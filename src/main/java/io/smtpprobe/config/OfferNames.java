package io.smtpprobe.config;

/**
 * The offer vocabulary that {@code subscription.offer} is checked against. The policy package owns
 * the table and supplies it ({@code PolicyTable.NAMES}), so that config depends on nothing above it.
 */
public interface OfferNames {
    /** Whether the text names an offer by key, alias or quotaId. */
    boolean isKnown(String offer);

    /** The valid key closest to the text, for "did you mean". */
    String nearest(String offer);
}
