package io.smtpprobe.policy;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The offer {@code subscription.offer: auto} found, and how: Resource Manager's quotaId, the billing
 * property when it could be read, and what the operator should know about the match.
 *
 * @param offer the offer matched, {@link Offer#UNKNOWN} when Azure could not be asked or the quotaId is not in the table
 * @param quotaId {@code subscriptionPolicies.quotaId}, or null when it could not be read
 * @param billing the billing property, or null when it could not be read
 * @param explanation one sentence of where the offer came from, for people
 * @param warnings what could not be read or told apart, each with how to fix it
 */
public record OfferDetection(
        Offer offer, String quotaId, BillingProperty billing, String explanation, List<String> warnings) {

    public OfferDetection {
        warnings = List.copyOf(warnings);
    }

    /** Azure could not be asked (no identity, no Reader role, not an Azure VM): the offer stays unknown. */
    public static OfferDetection failed(String why) {
        return new OfferDetection(Offer.UNKNOWN, null, null,
                "subscription.offer is auto, but the offer could not be read from Azure.", List.of(why));
    }

    /** The port-25 policy for the detected offer, with source {@code azure}. */
    public Port25Policy policy(LocalDate created, boolean exemption) {
        Port25Policy policy = PolicyTable.evaluate(offer.key(), created, exemption, "azure");
        List<String> all = new ArrayList<>(warnings);
        all.addAll(policy.warnings());
        return new Port25Policy(policy.offer(), policy.created(), policy.exemption(), policy.port25(),
                explanation + " " + policy.reason(), all, policy.source());
    }
}
