package io.smtpprobe.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps what Resource Manager reports (the subscription's quotaId and its billing property) to an
 * offer of the table (README.md "Azure's policy, as smtp-probe applies it"). Pure: the calls themselves
 * live in the agent.
 *
 * <p>Two quotaIds are shared. {@code EnterpriseAgreement_2014-09-01} is EA, MCA enterprise and MCA
 * individual alike, told apart by the billing agreement and account type; {@code MSDNDevTest_2014-09-01}
 * is Enterprise Dev/Test (EA or MCA enterprise) or Pay-As-You-Go Dev/Test (MOSP). Without the billing
 * property the table's first offer for the quotaId is taken, with a warning.
 */
public final class AzureOfferMapping {
    static final String EA_QUOTA = "EnterpriseAgreement_2014-09-01";
    static final String DEVTEST_QUOTA = "MSDNDevTest_2014-09-01";

    private AzureOfferMapping() {}

    /**
     * @param quotaId {@code subscriptionPolicies.quotaId}
     * @param billing the billing property, or null when it could not be read
     * @param billingProblem why the billing property could not be read (with how to fix it), or null
     */
    public static OfferDetection map(String quotaId, BillingProperty billing, String billingProblem) {
        List<String> warnings = new ArrayList<>();
        if (billingProblem != null) {
            warnings.add(billingProblem);
        }
        String id = quotaId == null ? "" : quotaId.trim();
        Offer offer = byBilling(id, billing);
        if (offer == null) {
            List<Offer> candidates = PolicyTable.byQuotaId(id);
            if (candidates.isEmpty()) {
                warnings.add("quotaId " + id + " is not in the offer table, so the port-25 policy is unknown; set"
                        + " subscription.offer to the offer key (see `smtp-probe policy`)");
                offer = Offer.UNKNOWN;
            } else {
                offer = candidates.get(0);
                if (candidates.size() > 1) {
                    warnings.add("quotaId " + id + " is shared by " + String.join(", ",
                            candidates.stream().map(Offer::key).toList()) + (billing == null
                            ? " and the billing property could not be read" : " and the billing property ("
                            + billing.describe() + ") does not tell them apart") + "; assuming " + offer.key()
                            + " (set subscription.offer to the exact key if that is wrong)");
                }
            }
        }
        String explanation = "Azure Resource Manager reports quotaId " + id
                + (billing == null ? "" : " (" + billing.describe() + ")") + ", so the offer is " + offer.key() + ".";
        return new OfferDetection(offer, id, billing, explanation, warnings);
    }

    /** The offer a shared quotaId stands for, by the billing property; null when it does not say. */
    private static Offer byBilling(String quotaId, BillingProperty billing) {
        if (billing == null) {
            return null;
        }
        boolean ea = billing.agreementIs(BillingProperty.ENTERPRISE_AGREEMENT);
        boolean mca = billing.agreementIs(BillingProperty.MICROSOFT_CUSTOMER_AGREEMENT);
        boolean mosp = billing.agreementIs(BillingProperty.MICROSOFT_ONLINE_SERVICES_PROGRAM);
        if (quotaId.equalsIgnoreCase(EA_QUOTA)) {
            if (ea) {
                return Offer.ENTERPRISE_AGREEMENT;
            }
            if (mca) {
                return billing.individual() ? Offer.MCA_INDIVIDUAL : Offer.MCA_ENTERPRISE;
            }
            return null;
        }
        if (quotaId.equalsIgnoreCase(DEVTEST_QUOTA)) {
            if (ea || (mca && !billing.individual())) {
                return Offer.ENTERPRISE_DEVTEST;
            }
            if (mosp || (mca && billing.individual())) {
                return Offer.PAYG_DEVTEST;
            }
            return null;
        }
        return null;
    }
}
