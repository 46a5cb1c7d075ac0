package io.smtpprobe.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AzureOfferMappingTest {

    /** Every quotaId of the table that belongs to one offer only maps to it, billing property or not. */
    static Stream<Arguments> unsharedQuotaIds() {
        return PolicyTable.offers().stream()
                .flatMap(offer -> offer.quotaIds().stream().map(q -> Arguments.of(q, offer)))
                .filter(a -> PolicyTable.byQuotaId((String) a.get()[0]).size() == 1);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("unsharedQuotaIds")
    void mapsEveryUnsharedQuotaIdToItsOffer(String quotaId, Offer offer) {
        OfferDetection plain = AzureOfferMapping.map(quotaId, null, null);
        OfferDetection withBilling = AzureOfferMapping.map(quotaId,
                new BillingProperty("MicrosoftOnlineServicesProgram", "Individual", "Production"), null);

        assertThat(plain.offer()).isEqualTo(offer);
        assertThat(plain.warnings()).isEmpty();
        assertThat(withBilling.offer()).isEqualTo(offer);
        assertThat(plain.explanation()).isEqualTo("Azure Resource Manager reports quotaId " + quotaId
                + ", so the offer is " + offer.key() + ".");
    }

    @ParameterizedTest(name = "{0} / {1} / {2} -> {3}")
    @CsvSource({
        "EnterpriseAgreement_2014-09-01, EnterpriseAgreement,            Enterprise, Production, enterprise-agreement",
        "EnterpriseAgreement_2014-09-01, MicrosoftCustomerAgreement,     Enterprise, Production, mca-enterprise",
        "EnterpriseAgreement_2014-09-01, MicrosoftCustomerAgreement,     Business,   Production, mca-enterprise",
        "EnterpriseAgreement_2014-09-01, MicrosoftCustomerAgreement,     Individual, Production, mca-individual",
        "MSDNDevTest_2014-09-01,         EnterpriseAgreement,            Enterprise, DevTest,    enterprise-devtest",
        "MSDNDevTest_2014-09-01,         MicrosoftCustomerAgreement,     Enterprise, DevTest,    enterprise-devtest",
        "MSDNDevTest_2014-09-01,         MicrosoftOnlineServicesProgram, Individual, DevTest,    payg-devtest",
        "MSDNDevTest_2014-09-01,         MicrosoftCustomerAgreement,     Individual, DevTest,    payg-devtest",
    })
    void tellsTheSharedQuotaIdsApartByTheBillingProperty(
            String quotaId, String agreement, String account, String workload, String expected) {
        OfferDetection detection = AzureOfferMapping.map(quotaId, new BillingProperty(agreement, account, workload), null);

        assertThat(detection.offer().key()).isEqualTo(expected);
        assertThat(detection.warnings()).isEmpty();
        assertThat(detection.explanation()).isEqualTo("Azure Resource Manager reports quotaId " + quotaId
                + " (agreement " + agreement + ", account type " + account + ", workload " + workload
                + "), so the offer is " + expected + ".");
    }

    @Test
    void fallsBackToTheQuotaIdWithAWarningWhenTheBillingPropertyCannotBeRead() {
        OfferDetection detection = AzureOfferMapping.map("EnterpriseAgreement_2014-09-01", null,
                "the billing property could not be read (HTTP 403)");

        assertThat(detection.offer()).isEqualTo(Offer.ENTERPRISE_AGREEMENT);
        assertThat(detection.warnings()).containsExactly("the billing property could not be read (HTTP 403)",
                "quotaId EnterpriseAgreement_2014-09-01 is shared by enterprise-agreement, mca-enterprise,"
                        + " mca-individual and the billing property could not be read; assuming enterprise-agreement"
                        + " (set subscription.offer to the exact key if that is wrong)");
    }

    @Test
    void warnsWhenTheBillingPropertyDoesNotTellASharedQuotaIdApart() {
        OfferDetection detection = AzureOfferMapping.map("MSDNDevTest_2014-09-01",
                new BillingProperty("MicrosoftPartnerAgreement", "Partner", "DevTest"), null);

        assertThat(detection.offer()).isEqualTo(Offer.ENTERPRISE_DEVTEST);
        assertThat(detection.warnings()).singleElement().asString()
                .contains("does not tell them apart").contains("assuming enterprise-devtest");
    }

    @Test
    void aQuotaIdOutsideTheTableIsUnknownWithAHint() {
        OfferDetection detection = AzureOfferMapping.map("Internal_2014-09-01", null, null);

        assertThat(detection.offer()).isEqualTo(Offer.UNKNOWN);
        assertThat(detection.warnings()).containsExactly("quotaId Internal_2014-09-01 is not in the offer table, so"
                + " the port-25 policy is unknown; set subscription.offer to the offer key (see `smtp-probe policy`)");
    }

    @Test
    void thePolicyOfADetectionComesFromAzureAndSaysWhy() {
        Port25Policy policy = AzureOfferMapping.map("EnterpriseAgreement_2014-09-01",
                new BillingProperty("MicrosoftCustomerAgreement", "Individual", "Production"), null).policy(null, false);

        assertThat(policy.source()).isEqualTo("azure");
        assertThat(policy.offer()).isEqualTo(Offer.MCA_INDIVIDUAL);
        assertThat(policy.port25()).isEqualTo(Expectation.BLOCKED);
        assertThat(policy.reason()).startsWith("Azure Resource Manager reports quotaId EnterpriseAgreement_2014-09-01"
                + " (agreement MicrosoftCustomerAgreement, account type Individual, workload Production), so the"
                + " offer is mca-individual. ");
    }

    @Test
    void aFailedDetectionIsUnknownAndKeepsTheCreationDateRule() {
        Port25Policy policy = OfferDetection.failed("no managed identity").policy(LocalDate.of(2016, 1, 1), false);

        assertThat(policy.offer()).isEqualTo(Offer.UNKNOWN);
        assertThat(policy.port25()).isEqualTo(Expectation.UNKNOWN);
        assertThat(policy.source()).isEqualTo("azure");
        assertThat(policy.warnings()).containsExactly("no managed identity");
    }
}
