package io.smtpprobe.policy;

import static io.smtpprobe.policy.ExemptionStatus.NEVER;
import static io.smtpprobe.policy.ExemptionStatus.NO;
import static io.smtpprobe.policy.ExemptionStatus.NOT_NEEDED;
import static io.smtpprobe.policy.ExemptionStatus.NO_LONGER;
import static io.smtpprobe.policy.ExemptionStatus.SELF_SERVICE;
import static io.smtpprobe.policy.Expectation.BLOCKED;
import static io.smtpprobe.policy.Expectation.REACHABLE;

import java.util.List;

/**
 * Azure offer types and what Azure documents for outbound TCP/25 from their VMs. This table is the
 * one place that policy lives (README.md "Azure's policy, as smtp-probe applies it").
 *
 * <p>Sources: Microsoft Learn "Troubleshoot outbound SMTP connectivity issues in Azure" (ms.date
 * 2025-07-28); "Network security groups overview", section "Sending outbound email" (ms.date
 * 2025-07-15); the November 2017 announcement and the Japanese Azure support blog's copy of it,
 * updated 2018-04-06 (CSP), 2018-08-06 (Azure in Open) and 2023-04-18 (no more exemption requests
 * outside EA; the English documentation made that change in spring 2022).
 */
public enum Offer {
    ENTERPRISE_AGREEMENT("enterprise-agreement", List.of(), List.of("EnterpriseAgreement_2014-09-01"),
            true, REACHABLE, REACHABLE, NOT_NEEDED,
            "Enterprise Agreement subscriptions may send mail directly on port 25."),
    MCA_ENTERPRISE("mca-enterprise", List.of(), List.of("EnterpriseAgreement_2014-09-01"),
            false, REACHABLE, REACHABLE, NOT_NEEDED,
            "Microsoft Customer Agreement (enterprise) subscriptions are treated like EA and may send on port 25."),
    MCA_INDIVIDUAL("mca-individual", List.of(), List.of("EnterpriseAgreement_2014-09-01"),
            false, BLOCKED, BLOCKED, NO,
            "Microsoft Customer Agreement subscriptions with billing type Individual are blocked on port 25."),
    ENTERPRISE_DEVTEST("enterprise-devtest", List.of(), List.of("MSDNDevTest_2014-09-01"),
            true, REACHABLE, BLOCKED, SELF_SERVICE,
            "Enterprise Dev/Test subscriptions are blocked by default; the block can be lifted self-service in the"
                    + " portal (Diagnose and solve > Cannot send email (SMTP-Port 25)), after which each VM must be"
                    + " deallocated and started."),
    PAY_AS_YOU_GO("pay-as-you-go", List.of("payg"), List.of("PayAsYouGo_2014-09-01"),
            true, REACHABLE, BLOCKED, NO_LONGER,
            "Pay-As-You-Go subscriptions created since 2017-11-15 are blocked on port 25. Exemptions could be"
                    + " requested until spring 2022; those granted still hold, no new ones are granted."),
    PAYG_DEVTEST("payg-devtest", List.of(), List.of("MSDNDevTest_2014-09-01"),
            true, REACHABLE, BLOCKED, NO,
            "Pay-As-You-Go Dev/Test subscriptions created since 2017-11-15 are blocked on port 25."),
    AZURE_IN_OPEN("azure-in-open", List.of(), List.of("AzureInOpen_2014-09-01"),
            true, REACHABLE, BLOCKED, NO_LONGER,
            "Azure in Open subscriptions are blocked on port 25; from 2018-08 exemption requests were accepted as"
                    + " for Pay-As-You-Go, and those granted still hold."),
    MSDN("msdn", List.of("visual-studio"), List.of("MSDN_2014-09-01"),
            true, REACHABLE, BLOCKED, NEVER,
            "Visual Studio (MSDN) subscriptions are blocked on port 25 and no exemption is ever granted."),
    AZURE_PASS("azure-pass", List.of(), List.of("AzurePass_2014-09-01"),
            true, REACHABLE, BLOCKED, NEVER,
            "Azure Pass subscriptions are blocked on port 25 and no exemption is ever granted."),
    EDUCATION("education", List.of("azure-for-students"), List.of("AzureForStudents_2018-01-01", "DreamSpark_2015-02-01"),
            true, REACHABLE, BLOCKED, NEVER,
            "Education and Azure for Students subscriptions are blocked on port 25 and no exemption is ever granted."),
    BIZSPARK("bizspark", List.of(), List.of("BizSpark_2014-09-01", "BizSparkPlus_2014-09-01"),
            true, REACHABLE, BLOCKED, NO,
            "BizSpark subscriptions are blocked on port 25; no exemption can be requested."),
    FREE_TRIAL("free-trial", List.of(), List.of("FreeTrial_2014-09-01", "LightweightTrial_2016-09-01"),
            true, REACHABLE, BLOCKED, NEVER,
            "Free Trial subscriptions are blocked on port 25 and no exemption is ever granted."),
    CSP("csp", List.of(), List.of("CSP_2015-05-01", "CSP_MG_2017-12-01", "CSPDEVTEST_2018-05-01"),
            true, REACHABLE, BLOCKED, NO_LONGER,
            "Cloud Solution Provider subscriptions are blocked on port 25. Exemptions were possible from 2017 to"
                    + " spring 2022; those granted still hold."),
    MPN("mpn", List.of(), List.of("MPN_2014-09-01"),
            true, REACHABLE, BLOCKED, NO_LONGER,
            "Microsoft Partner Network subscriptions are blocked on port 25. Exemptions were possible from 2017 to"
                    + " spring 2022; those granted still hold."),
    SPONSORSHIP("sponsorship", List.of(), List.of("Sponsored_2016-01-01"),
            true, REACHABLE, BLOCKED, NO_LONGER,
            "Azure Sponsorship subscriptions are blocked on port 25. Exemptions were possible from about 2020 to"
                    + " spring 2022; those granted still hold."),
    UNKNOWN("unknown", List.of(), List.of(),
            false, Expectation.UNKNOWN, Expectation.UNKNOWN, NO,
            "The offer type is not known, so whether port 25 should be open cannot be judged.");

    private final String key;
    private final List<String> aliases;
    private final List<String> quotaIds;
    private final boolean existedBeforeCutoff;
    private final Expectation beforeCutoff;
    private final Expectation sinceCutoff;
    private final ExemptionStatus exemption;
    private final String summary;

    Offer(String key, List<String> aliases, List<String> quotaIds, boolean existedBeforeCutoff,
            Expectation beforeCutoff, Expectation sinceCutoff, ExemptionStatus exemption, String summary) {
        this.key = key;
        this.aliases = aliases;
        this.quotaIds = quotaIds;
        this.existedBeforeCutoff = existedBeforeCutoff;
        this.beforeCutoff = beforeCutoff;
        this.sinceCutoff = sinceCutoff;
        this.exemption = exemption;
        this.summary = summary;
    }

    /** The key used in config, on the command line and in the {@code offer} label. */
    public String key() {
        return key;
    }

    public List<String> aliases() {
        return aliases;
    }

    /** Resource Manager's {@code subscriptionPolicies.quotaId} values for this offer; some are shared. */
    public List<String> quotaIds() {
        return quotaIds;
    }

    /** False for offers that did not exist before the 2017-11-15 cutoff (MCA). */
    public boolean existedBeforeCutoff() {
        return existedBeforeCutoff;
    }

    /** Port 25 for subscriptions created before 2017-11-15. */
    public Expectation beforeCutoff() {
        return beforeCutoff;
    }

    /** Port 25 for subscriptions created on or after 2017-11-15. */
    public Expectation sinceCutoff() {
        return sinceCutoff;
    }

    public ExemptionStatus exemption() {
        return exemption;
    }

    /** One paragraph of what Azure documents for this offer. */
    public String summary() {
        return summary;
    }
}
