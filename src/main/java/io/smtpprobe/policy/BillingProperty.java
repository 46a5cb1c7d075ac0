package io.smtpprobe.policy;

/**
 * What Resource Manager's billing-property call says about a subscription
 * ({@code GET /subscriptions/{id}/providers/Microsoft.Billing/billingProperty/default}, {@code properties}).
 * Any field may be null when the answer leaves it out.
 *
 * @param agreementType {@code billingAccountAgreementType}: EnterpriseAgreement, MicrosoftCustomerAgreement,
 *     MicrosoftOnlineServicesProgram or MicrosoftPartnerAgreement
 * @param accountType {@code billingAccountType}: Enterprise, Individual, Partner, Business, ...
 * @param workloadType {@code subscriptionWorkloadType}: Production, DevTest, Internal or None
 */
public record BillingProperty(String agreementType, String accountType, String workloadType) {
    public static final String ENTERPRISE_AGREEMENT = "EnterpriseAgreement";
    public static final String MICROSOFT_CUSTOMER_AGREEMENT = "MicrosoftCustomerAgreement";
    public static final String MICROSOFT_ONLINE_SERVICES_PROGRAM = "MicrosoftOnlineServicesProgram";
    public static final String INDIVIDUAL = "Individual";

    boolean agreementIs(String value) {
        return value.equalsIgnoreCase(agreementType);
    }

    boolean individual() {
        return INDIVIDUAL.equalsIgnoreCase(accountType);
    }

    /** The fields for people: {@code agreement MicrosoftCustomerAgreement, account type Individual, workload Production}. */
    String describe() {
        return "agreement " + orUnknown(agreementType) + ", account type " + orUnknown(accountType) + ", workload "
                + orUnknown(workloadType);
    }

    private static String orUnknown(String value) {
        return value == null || value.isBlank() ? "not given" : value;
    }
}
