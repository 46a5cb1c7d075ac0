package io.smtpprobe.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.ExpectSetting;
import io.smtpprobe.config.Route;
import java.net.InetAddress;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyTableTest {
    private static final LocalDate BEFORE = LocalDate.of(2017, 11, 14);
    private static final LocalDate ON_CUTOFF = LocalDate.of(2017, 11, 15);
    private static final LocalDate AFTER = LocalDate.of(2021, 6, 1);

    /** offer key, port 25 before the cutoff, on/after it, with an exemption recorded after it, warns on exemption. */
    static Stream<Arguments> offerTable() {
        return Stream.of(
                Arguments.of("enterprise-agreement", "REACHABLE", "REACHABLE", "REACHABLE", false),
                Arguments.of("mca-enterprise", "REACHABLE", "REACHABLE", "REACHABLE", false),
                Arguments.of("mca-individual", "BLOCKED", "BLOCKED", "REACHABLE", false),
                Arguments.of("enterprise-devtest", "REACHABLE", "BLOCKED", "REACHABLE", false),
                Arguments.of("pay-as-you-go", "REACHABLE", "BLOCKED", "REACHABLE", false),
                Arguments.of("payg-devtest", "REACHABLE", "BLOCKED", "REACHABLE", false),
                Arguments.of("azure-in-open", "REACHABLE", "BLOCKED", "REACHABLE", false),
                Arguments.of("msdn", "REACHABLE", "BLOCKED", "REACHABLE", true),
                Arguments.of("azure-pass", "REACHABLE", "BLOCKED", "REACHABLE", true),
                Arguments.of("education", "REACHABLE", "BLOCKED", "REACHABLE", true),
                Arguments.of("bizspark", "REACHABLE", "BLOCKED", "REACHABLE", false),
                Arguments.of("free-trial", "REACHABLE", "BLOCKED", "REACHABLE", true),
                Arguments.of("csp", "REACHABLE", "BLOCKED", "REACHABLE", false),
                Arguments.of("mpn", "REACHABLE", "BLOCKED", "REACHABLE", false),
                Arguments.of("sponsorship", "REACHABLE", "BLOCKED", "REACHABLE", false),
                Arguments.of("unknown", "UNKNOWN", "UNKNOWN", "REACHABLE", false));
    }

    @Test
    void tableCoversEveryOffer() {
        assertThat(offerTable().map(a -> (String) a.get()[0]))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Offer.values()).map(Offer::key).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("offerTable")
    void appliesCreationDateAndExemptionRules(
            String key, String before, String since, String withExemption, boolean warnsOnExemption) {
        assertThat(PolicyTable.evaluate(key, BEFORE, false, "config").port25())
                .as("%s created before 2017-11-15", key).isEqualTo(Expectation.valueOf(before));
        assertThat(PolicyTable.evaluate(key, ON_CUTOFF, false, "config").port25())
                .as("%s created on 2017-11-15", key).isEqualTo(Expectation.valueOf(since));
        assertThat(PolicyTable.evaluate(key, AFTER, false, "config").port25())
                .as("%s created after", key).isEqualTo(Expectation.valueOf(since));
        assertThat(PolicyTable.evaluate(key, null, false, "config").port25())
                .as("%s without a creation date assumes on/after", key).isEqualTo(Expectation.valueOf(since));
        Port25Policy exempt = PolicyTable.evaluate(key, AFTER, true, "config");
        assertThat(exempt.port25()).as("%s with exemption", key).isEqualTo(Expectation.valueOf(withExemption));
        assertThat(exempt.warnings().stream().anyMatch(w -> w.contains("never granted")))
                .as("%s warns that an exemption was never granted", key).isEqualTo(warnsOnExemption);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "EnterpriseAgreement_2014-09-01, enterprise-agreement",
        "MSDNDevTest_2014-09-01, enterprise-devtest",
        "PayAsYouGo_2014-09-01, pay-as-you-go",
        "AzureInOpen_2014-09-01, azure-in-open",
        "MSDN_2014-09-01, msdn",
        "AzurePass_2014-09-01, azure-pass",
        "AzureForStudents_2018-01-01, education",
        "DreamSpark_2015-02-01, education",
        "BizSpark_2014-09-01, bizspark",
        "BizSparkPlus_2014-09-01, bizspark",
        "FreeTrial_2014-09-01, free-trial",
        "LightweightTrial_2016-09-01, free-trial",
        "CSP_2015-05-01, csp",
        "CSP_MG_2017-12-01, csp",
        "CSPDEVTEST_2018-05-01, csp",
        "MPN_2014-09-01, mpn",
        "Sponsored_2016-01-01, sponsorship",
        "payasyougo_2014-09-01, pay-as-you-go",
    })
    void resolvesOffersByQuotaId(String quotaId, String key) {
        assertThat(PolicyTable.evaluate(quotaId, AFTER, false, "config").offer().key()).isEqualTo(key);
    }

    @ParameterizedTest
    @EnumSource(Offer.class)
    void everyQuotaIdOfTheTableResolvesToAnOfferCarryingIt(Offer offer) {
        for (String quotaId : offer.quotaIds()) {
            Offer resolved = PolicyTable.evaluate(quotaId, AFTER, false, "config").offer();
            assertThat(resolved.quotaIds()).contains(quotaId);
        }
    }

    @Test
    void sharedQuotaIdWarnsThatEnterpriseAgreementCannotBeToldFromMcaIndividual() {
        Port25Policy policy = PolicyTable.evaluate("EnterpriseAgreement_2014-09-01", AFTER, false, "config");
        assertThat(policy.offer()).isEqualTo(Offer.ENTERPRISE_AGREEMENT);
        assertThat(policy.warnings()).singleElement().asString()
                .contains("shared by enterprise-agreement, mca-enterprise, mca-individual");
    }

    @Test
    void aliasesAndCaseAreAccepted() {
        assertThat(PolicyTable.byKey("Visual-Studio")).contains(Offer.MSDN);
        assertThat(PolicyTable.byKey("azure-for-students")).contains(Offer.EDUCATION);
        assertThat(PolicyTable.byKey("PAYG")).contains(Offer.PAY_AS_YOU_GO);
    }

    @Test
    void unrecognisedOfferIsUnknownWithTheNearestKeySuggested() {
        Port25Policy policy = PolicyTable.evaluate("pay-as-you-og", AFTER, false, "config");
        assertThat(policy.offer()).isEqualTo(Offer.UNKNOWN);
        assertThat(policy.port25()).isEqualTo(Expectation.UNKNOWN);
        assertThat(policy.warnings()).singleElement().asString().contains("did you mean pay-as-you-go?");
    }

    @Test
    void mcaCreatedBeforeTheCutoffIsFlaggedAndJudgedByTheCurrentRule() {
        Port25Policy policy = PolicyTable.evaluate("mca-individual", BEFORE, false, "config");
        assertThat(policy.port25()).isEqualTo(Expectation.BLOCKED);
        assertThat(policy.warnings()).singleElement().asString().contains("did not exist then");
    }

    @Test
    void missingCreationDateIsSaidInTheReason() {
        assertThat(PolicyTable.evaluate("pay-as-you-go", null, false, "config").reason())
                .contains("assumed to be created on or after 2017-11-15");
    }

    @Nested
    class Destinations {
        private final Port25Policy blocked = PolicyTable.evaluate("pay-as-you-go", AFTER, false, "config");

        @ParameterizedTest(name = "{0} is private")
        @CsvSource({"10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.1", "100.64.0.1", "100.127.255.254",
            "127.0.0.1", "169.254.10.10", "fd00::1", "fc00::1", "fe80::1", "::1"})
        void privateDestinationsAreNotSubjectToTheBlock(String address) throws Exception {
            InetAddress ip = InetAddress.getByName(address);
            assertThat(DestinationScope.isPrivate(ip)).isTrue();
            assertThat(PolicyTable.expectationFor(blocked, ExpectSetting.AUTO, Route.AUTO, 25, ip))
                    .isEqualTo(Expectation.REACHABLE);
        }

        @ParameterizedTest(name = "{0} is public")
        @CsvSource({"8.8.8.8", "20.1.2.3", "100.63.255.255", "100.128.0.1", "172.32.0.1", "2001:4860::8888"})
        void publicDestinationsOnPort25FollowThePolicy(String address) throws Exception {
            InetAddress ip = InetAddress.getByName(address);
            assertThat(DestinationScope.isPrivate(ip)).isFalse();
            assertThat(PolicyTable.expectationFor(blocked, ExpectSetting.AUTO, Route.AUTO, 25, ip))
                    .isEqualTo(Expectation.BLOCKED);
        }

        @ParameterizedTest(name = "port {0}")
        @CsvSource({"587", "465", "443"})
        void otherPortsAreNeverBlocked(int port) throws Exception {
            InetAddress ip = InetAddress.getByName("20.1.2.3");
            assertThat(PolicyTable.expectationFor(blocked, ExpectSetting.AUTO, Route.AUTO, port, ip))
                    .isEqualTo(Expectation.REACHABLE);
        }

        @Test
        void routeOverridesTheAddressAndExpectOverridesEverything() throws Exception {
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            InetAddress publicIp = InetAddress.getByName("20.1.2.3");
            assertThat(PolicyTable.expectationFor(blocked, ExpectSetting.AUTO, Route.INTERNET, 25, loopback))
                    .isEqualTo(Expectation.BLOCKED);
            assertThat(PolicyTable.expectationFor(blocked, ExpectSetting.AUTO, Route.PRIVATE, 25, publicIp))
                    .isEqualTo(Expectation.REACHABLE);
            assertThat(PolicyTable.expectationFor(blocked, ExpectSetting.REACHABLE, Route.AUTO, 25, publicIp))
                    .isEqualTo(Expectation.REACHABLE);
            assertThat(PolicyTable.expectationFor(blocked, ExpectSetting.BLOCKED, Route.AUTO, 587, publicIp))
                    .isEqualTo(Expectation.BLOCKED);
        }

        @Test
        void unresolvedDestinationOnPort25FollowsThePolicy() {
            assertThat(PolicyTable.expectationFor(blocked, ExpectSetting.AUTO, Route.AUTO, 25, null))
                    .isEqualTo(Expectation.BLOCKED);
        }
    }
}
