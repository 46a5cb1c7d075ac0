package io.smtpprobe.azure;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.AzureConfig;
import io.smtpprobe.config.MetadataMode;
import io.smtpprobe.policy.Offer;
import io.smtpprobe.policy.OfferDetection;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.testing.FakeMetadataService;
import io.smtpprobe.testing.FakeResourceManager;
import io.smtpprobe.testing.MutableClock;
import io.smtpprobe.testing.SilentHttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code subscription.offer: auto} against loopback fakes of the metadata service and Resource
 * Manager that answer in the real shapes.
 */
class OfferDetectorTest {
    static final String SUBSCRIPTION = "5f1c7a2e-93d4-4b8e-a1f0-2c6d8e9b7a31";
    static final String ARM_TOKEN = "eyJ0eXAiOiJKV1QifQ.eyJvaWQiOiI5OTk5OTk5OS04ODg4LTc3NzctNjY2Ni01NTU1NTU1NTU1NTUifQ.sig";
    static final String OBJECT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    @TempDir
    Path dmi;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    FakeMetadataService imds;
    FakeResourceManager arm;

    @BeforeEach
    void start() throws IOException {
        imds = new FakeMetadataService(instance());
        imds.answerToken(200, FakeMetadataService.tokenAnswer(ARM_TOKEN, "https://management.azure.com/",
                clock.instant().plusSeconds(86399).getEpochSecond()));
        arm = new FakeResourceManager(SUBSCRIPTION, ARM_TOKEN);
        Files.writeString(dmi.resolve("sys_vendor"), "Microsoft Corporation\n");
    }

    @AfterEach
    void stop() {
        imds.close();
        arm.close();
    }

    static byte[] instance() throws IOException {
        try (InputStream in = OfferDetectorTest.class.getResourceAsStream("imds-instance.json")) {
            return in.readAllBytes();
        }
    }

    OfferDetection detect(String identityClientId) throws InterruptedException {
        return detect(new AzureConfig(MetadataMode.AUTO, imds.endpoint(), arm.endpoint(), identityClientId));
    }

    OfferDetection detect(AzureConfig azure) throws InterruptedException {
        return new OfferDetector(dmi, Duration.ofMillis(500), Duration.ofMillis(500), clock).detect(azure);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "PayAsYouGo_2014-09-01,       pay-as-you-go",
        "AzureInOpen_2014-09-01,      azure-in-open",
        "MSDN_2014-09-01,             msdn",
        "AzurePass_2014-09-01,        azure-pass",
        "AzureForStudents_2018-01-01, education",
        "DreamSpark_2015-02-01,       education",
        "BizSpark_2014-09-01,         bizspark",
        "BizSparkPlus_2014-09-01,     bizspark",
        "FreeTrial_2014-09-01,        free-trial",
        "LightweightTrial_2016-09-01, free-trial",
        "CSP_2015-05-01,              csp",
        "CSP_MG_2017-12-01,           csp",
        "CSPDEVTEST_2018-05-01,       csp",
        "MPN_2014-09-01,              mpn",
        "Sponsored_2016-01-01,        sponsorship",
        "Internal_2014-09-01,         unknown",
    })
    void readsTheOfferOfEveryQuotaIdFromResourceManager(String quotaId, String offer) throws Exception {
        arm.quotaId(quotaId);

        OfferDetection detection = detect("");

        assertThat(detection.offer().key()).isEqualTo(offer);
        assertThat(detection.quotaId()).isEqualTo(quotaId);
    }

    @Test
    void theCaseListCoversEveryQuotaIdOfTheTable() {
        // The shared quotaIds are covered by tellsTheSharedQuotaIdsApart below.
        assertThat(PolicyTable.offers().stream().flatMap(o -> o.quotaIds().stream()).distinct().count()).isEqualTo(17);
    }

    @ParameterizedTest(name = "{0} / {1} / {2} -> {3}")
    @CsvSource({
        "EnterpriseAgreement_2014-09-01, EnterpriseAgreement,            Enterprise, enterprise-agreement",
        "EnterpriseAgreement_2014-09-01, MicrosoftCustomerAgreement,     Enterprise, mca-enterprise",
        "EnterpriseAgreement_2014-09-01, MicrosoftCustomerAgreement,     Individual, mca-individual",
        "MSDNDevTest_2014-09-01,         EnterpriseAgreement,            Enterprise, enterprise-devtest",
        "MSDNDevTest_2014-09-01,         MicrosoftOnlineServicesProgram, Individual, payg-devtest",
    })
    void tellsTheSharedQuotaIdsApartByTheBillingProperty(String quotaId, String agreement, String account,
            String offer) throws Exception {
        arm.quotaId(quotaId);
        arm.billing(agreement, account, offer.endsWith("devtest") ? "DevTest" : "Production");

        OfferDetection detection = detect("");

        assertThat(detection.offer().key()).isEqualTo(offer);
        assertThat(detection.warnings()).isEmpty();
        assertThat(detection.policy(null, false).source()).isEqualTo("azure");
    }

    @Test
    void asksTheMetadataServiceForAResourceManagerTokenAndPresentsIt() throws Exception {
        arm.quotaId("PayAsYouGo_2014-09-01");

        detect("");

        assertThat(imds.requests()).extracting(FakeMetadataService.Request::pathAndQuery).containsExactly(
                "/metadata/instance?api-version=2021-02-01",
                "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F");
        assertThat(imds.requests()).allMatch(r -> "true".equals(r.metadataHeader()));
        assertThat(arm.requests()).containsExactly(
                new FakeResourceManager.Request("/subscriptions/" + SUBSCRIPTION + "?api-version=2022-12-01", true),
                new FakeResourceManager.Request("/subscriptions/" + SUBSCRIPTION
                        + "/providers/Microsoft.Billing/billingProperty/default?api-version=2020-05-01", true));
    }

    @Test
    void asksForTheUserAssignedIdentityWhenOneIsConfigured() throws Exception {
        detect("11111111-2222-3333-4444-555555555555");

        assertThat(imds.requests().get(1).pathAndQuery())
                .endsWith("&resource=https%3A%2F%2Fmanagement.azure.com%2F&client_id=11111111-2222-3333-4444-555555555555");
    }

    @Test
    void asksForTheTokenOfTheVmsCloudWhateverResourceManagerEndpointIsConfigured() throws Exception {
        String gov = new String(instance(), StandardCharsets.UTF_8).replace("AzurePublicCloud", "AzureUSGovernmentCloud");
        imds.answer(200, gov.getBytes(StandardCharsets.UTF_8));

        detect("");

        assertThat(imds.requests().get(1).pathAndQuery()).endsWith("resource=https%3A%2F%2Fmanagement.usgovcloudapi.net%2F");
    }

    @Test
    void anUnknownCloudWithoutAManagementEndpointIsUnknownAndAsksResourceManagerNothing() throws Exception {
        String other = new String(instance(), StandardCharsets.UTF_8).replace("AzurePublicCloud", "AzureStackCloud");
        imds.answer(200, other.getBytes(StandardCharsets.UTF_8));

        OfferDetection detection = detect(new AzureConfig(MetadataMode.AUTO, imds.endpoint(), null, ""));

        assertThat(detection.offer()).isEqualTo(Offer.UNKNOWN);
        assertThat(detection.warnings()).containsExactly("the metadata service reports cloud AzureStackCloud, whose"
                + " Resource Manager is not known; set azure.management_endpoint");
        assertThat(imds.requests()).hasSize(1);
    }

    @Nested
    class WhenAzureRefuses {
        @Test
        void aVmWithoutAManagedIdentityIsUnknownWithHowToAssignOne() throws Exception {
            imds.answerToken(400, FakeMetadataService.IDENTITY_NOT_FOUND);

            OfferDetection detection = detect("");

            assertThat(detection.offer()).isEqualTo(Offer.UNKNOWN);
            assertThat(detection.warnings()).singleElement().asString()
                    .startsWith("the VM has no managed identity (" + imds.endpoint()
                            + "/metadata/identity/oauth2/token answered HTTP 400: invalid_request (Identity not found));"
                            + " turn on its system-assigned identity: az vm identity assign -g <resource-group> -n <vm-name>")
                    .endsWith("then grant it Reader: az role assignment create --assignee <principal-id> --role Reader"
                            + " --scope /subscriptions/" + SUBSCRIPTION);
            assertThat(arm.requests()).isEmpty();
        }

        @Test
        void aMissingUserAssignedIdentityIsNamedByItsClientId() throws Exception {
            imds.answerToken(400, FakeMetadataService.IDENTITY_NOT_FOUND);

            OfferDetection detection = detect("11111111-2222-3333-4444-555555555555");

            assertThat(detection.warnings()).singleElement().asString().startsWith(
                    "no user-assigned managed identity with client id 11111111-2222-3333-4444-555555555555 is attached"
                            + " to this VM");
        }

        @Test
        void anIdentityWithoutReaderIsUnknownWithTheRoleAssignmentThatFixesIt() throws Exception {
            arm.failSubscription(403, "AuthorizationFailed", FakeResourceManager.authorizationFailed(
                    "11111111-2222-3333-4444-555555555555", OBJECT_ID, "/subscriptions/" + SUBSCRIPTION,
                    "Microsoft.Resources/subscriptions/read"));

            OfferDetection detection = detect("");

            assertThat(detection.offer()).isEqualTo(Offer.UNKNOWN);
            assertThat(detection.warnings()).singleElement().asString()
                    .startsWith("the VM's managed identity (principal " + OBJECT_ID + ") may not read subscription "
                            + SUBSCRIPTION + " (" + arm.endpoint() + "/subscriptions/" + SUBSCRIPTION
                            + " answered HTTP 403 AuthorizationFailed: The client")
                    .endsWith("; grant it Reader: az role assignment create --assignee " + OBJECT_ID
                            + " --role \"Reader\" --scope /subscriptions/" + SUBSCRIPTION);
            assertThat(detection.policy(null, false).port25().label()).isEqualTo("unknown");
        }

        @Test
        void theTokensObjectIdNamesThePrincipalWhenResourceManagerDoesNot() throws Exception {
            arm.failSubscription(403, "AuthorizationFailed", "Access denied.");

            OfferDetection detection = detect("");

            assertThat(detection.warnings()).singleElement().asString()
                    .contains("--assignee 99999999-8888-7777-6666-555555555555 --role \"Reader\"");
        }

        @Test
        void aBillingPropertyRefusalFallsBackToTheQuotaIdWithAWarning() throws Exception {
            arm.quotaId("EnterpriseAgreement_2014-09-01");
            arm.failBilling(403, "AuthorizationFailed", FakeResourceManager.authorizationFailed(
                    "11111111-2222-3333-4444-555555555555", OBJECT_ID, "/subscriptions/" + SUBSCRIPTION,
                    "Microsoft.Billing/billingProperty/read"));

            OfferDetection detection = detect("");

            assertThat(detection.offer()).isEqualTo(Offer.ENTERPRISE_AGREEMENT);
            assertThat(detection.warnings()).hasSize(2);
            assertThat(detection.warnings().get(0)).startsWith("the VM's managed identity (principal " + OBJECT_ID
                    + ") may not read the billing property of subscription " + SUBSCRIPTION)
                    .contains("--role \"Billing Reader\"").endsWith("; until then the quotaId alone decides");
            assertThat(detection.warnings().get(1)).contains("assuming enterprise-agreement");
        }

        @Test
        void aMalformedBillingAnswerFallsBackToTheQuotaIdWithAWarning() throws Exception {
            arm.quotaId("MSDNDevTest_2014-09-01");
            arm.malformedBilling();

            OfferDetection detection = detect("");

            assertThat(detection.offer()).isEqualTo(Offer.ENTERPRISE_DEVTEST);
            assertThat(detection.warnings().get(0)).isEqualTo("cannot read the billing property (" + arm.endpoint()
                    + "/subscriptions/" + SUBSCRIPTION + "/providers/Microsoft.Billing/billingProperty/default answered"
                    + " HTTP 200 with a body that is not JSON); the quotaId alone decides");
        }

        @Test
        void malformedInstanceMetadataIsUnknown() throws Exception {
            imds.answer(200, "<html>captive portal</html>".getBytes(StandardCharsets.UTF_8));

            OfferDetection detection = detect("");

            assertThat(detection.offer()).isEqualTo(Offer.UNKNOWN);
            assertThat(detection.warnings()).singleElement().asString().startsWith("cannot read the instance metadata (")
                    .contains("answered HTTP 200 with a body that is not JSON");
        }
    }

    @Nested
    class WhenAzureHangs {
        @Test
        void aMetadataServiceThatNeverAnswersEndsAtOurTimeout() throws Exception {
            try (SilentHttpServer silent = new SilentHttpServer()) {
                long start = System.nanoTime();
                OfferDetection detection = detect(new AzureConfig(MetadataMode.ON, silent.endpoint(), arm.endpoint(), ""));
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                assertThat(detection.offer()).isEqualTo(Offer.UNKNOWN);
                assertThat(detection.warnings()).singleElement().asString()
                        .contains(silent.endpoint() + "/metadata/instance did not answer within 0.5s");
                assertThat(took).isLessThan(Duration.ofSeconds(3));
                assertThat(silent.connections()).isEqualTo(1);
            }
        }

        @Test
        void aResourceManagerThatNeverAnswersEndsAtOurTimeout() throws Exception {
            try (SilentHttpServer silent = new SilentHttpServer()) {
                OfferDetection detection = detect(new AzureConfig(MetadataMode.ON, imds.endpoint(), silent.endpoint(), ""));

                assertThat(detection.offer()).isEqualTo(Offer.UNKNOWN);
                assertThat(detection.warnings()).singleElement().asString().isEqualTo("cannot read subscription "
                        + SUBSCRIPTION + " (" + silent.endpoint() + "/subscriptions/" + SUBSCRIPTION
                        + " did not answer within 0.5s)");
            }
        }
    }

    @Nested
    class OffAzure {
        @Test
        void aMachineThatIsNotAzureAsksNothingAndSaysOfferAutoNeedsAnAzureVm() throws Exception {
            Files.writeString(dmi.resolve("sys_vendor"), "QEMU\n");

            OfferDetection detection = detect("");

            assertThat(detection.offer()).isEqualTo(Offer.UNKNOWN);
            assertThat(detection.warnings()).containsExactly("subscription.offer: auto needs an Azure VM: this machine"
                    + " does not look like one (DMI), so Azure was not asked; set subscription.offer to the offer key"
                    + " (see `smtp-probe policy`), or azure.metadata: on if this is an Azure VM");
            assertThat(imds.requests()).isEmpty();
            assertThat(arm.requests()).isEmpty();
        }

        @Test
        void metadataOffAsksNothingEvenOnAzure() throws Exception {
            OfferDetection detection = detect(new AzureConfig(MetadataMode.OFF, imds.endpoint(), arm.endpoint(), ""));

            assertThat(detection.warnings()).singleElement().asString().contains("azure.metadata is off");
            assertThat(imds.requests()).isEmpty();
        }
    }

    @Test
    void theBuiltInResourceManagersAreThoseOfTheThreeClouds() {
        assertThat(OfferDetector.MANAGEMENT).containsEntry("azurepubliccloud", URI.create("https://management.azure.com"))
                .containsEntry("azureusgovernmentcloud", URI.create("https://management.usgovcloudapi.net"))
                .containsEntry("azurechinacloud", URI.create("https://management.chinacloudapi.cn"));
    }
}
