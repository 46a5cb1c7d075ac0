package io.smtpprobe.azure;

import io.smtpprobe.engine.NetworkProbers;
import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.AzureConfig;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.config.MetadataMode;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.OAuthConfig;
import io.smtpprobe.config.Secret;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.BearerTokens;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeOptions;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.target.TargetProber;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.testing.DaemonFixtures;
import io.smtpprobe.testing.FakeEntraTokenEndpoint;
import io.smtpprobe.testing.FakeMetadataService;
import io.smtpprobe.testing.LoopbackResolver;
import io.smtpprobe.testing.MutableClock;
import io.smtpprobe.testing.SilentHttpServer;
import io.smtpprobe.testing.SubethaRelay;
import io.smtpprobe.testing.Targets;
import io.smtpprobe.testing.TestCertificates;
import io.smtpprobe.testing.XOAuth2Relay;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * XOAUTH2 submission probes against a real SMTP server on loopback (SubEthaSMTP with an XOAUTH2
 * handler that accepts only unexpired tokens of a loopback Entra token endpoint).
 */
class XOAuth2ProbeTest {
    static final String TENANT = "20000000-0000-0000-0000-000000000002";
    static final String CLIENT_ID = "11111111-2222-3333-4444-555555555555";
    static final String SECRET = "app-Secret~4f9Q.never-shown";
    static final String USER = "alerts@contoso.com";

    @TempDir
    static Path dir;

    static Path caFile;
    static SSLContext serverTls;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    final List<String> presented = new CopyOnWriteArrayList<>();
    FakeEntraTokenEndpoint entra;
    OAuthConfig app;

    @BeforeAll
    static void certificates() throws Exception {
        TestCertificates authority = TestCertificates.authority("xoauth2 test CA");
        caFile = authority.writeCaPem(dir.resolve("ca.pem"));
        serverTls = authority.serverContext("localhost");
    }

    @BeforeEach
    void startEntra() throws Exception {
        entra = new FakeEntraTokenEndpoint(TENANT, CLIENT_ID, SECRET, clock);
        app = new OAuthConfig(TENANT, CLIENT_ID, new Secret(SECRET), "test", OAuthConfig.DEFAULT_SCOPE,
                entra.tokenEndpoint(), false);
    }

    @AfterEach
    void stopEntra() {
        entra.close();
    }

    SubethaRelay relay(XOAuth2Relay.Refusal refusal) {
        return SubethaRelay.start(b -> b.startTlsSocketFactory(serverTls).enableTLS().requireTLS()
                .authenticationHandlerFactory(new XOAuth2Relay((user, token) -> {
                    presented.add(token);
                    return USER.equals(user) && entra.valid(token);
                }, refusal)));
    }

    static TargetConfig target(SubethaRelay relay, OAuthConfig oauth) {
        return Targets.host("localhost", relay.port(), Mode.SUBMISSION).caFile(caFile).oauth(USER, oauth).build();
    }

    ProbeResult probe(TargetConfig target, BearerTokens tokens) {
        ProbeOptions options = new ProbeOptions(Duration.ofSeconds(3), "probe.test",
                new DnsConfig(List.of(), IpFamily.IPV4), true);
        try (TargetProber prober = new TargetProber(options, new LoopbackResolver().host("localhost", "127.0.0.1"),
                Clock.systemUTC(), Ticker.SYSTEM, tokens)) {
            return prober.probe(target).get(0);
        }
    }

    CachedTokens appTokens() {
        return new CachedTokens(new EntraTokenClient(Duration.ofSeconds(2), clock), null, "", clock);
    }

    static String initialResponse(String token) {
        return Base64.getEncoder().encodeToString(("user=" + USER + "\u0001auth=Bearer " + token + "\u0001\u0001")
                .getBytes(StandardCharsets.UTF_8));
    }

    static void assertNoSecretIn(ProbeResult result, String... tokens) {
        String everything = result.detail() + "\n" + result.reply() + "\n" + result.transcript() + "\n" + result;
        assertThat(everything).doesNotContain(SECRET);
        for (String token : tokens) {
            assertThat(everything).doesNotContain(token).doesNotContain(initialResponse(token));
        }
    }

    @Nested
    class WithAnEntraApp {
        @Test
        void authenticatesWithATokenFromTheClientCredentialsGrant() {
            try (SubethaRelay relay = relay(XOAuth2Relay.Refusal.MICROSOFT_535)) {
                ProbeResult result = probe(target(relay, app), appTokens());

                assertThat(result.outcome()).isEqualTo(Outcome.OK);
                assertThat(result.phases()).containsKeys(Phase.STARTTLS, Phase.AUTH);
                assertThat(presented).containsExactly("token-1");
                assertThat(entra.requests()).singleElement().satisfies(r -> {
                    assertThat(r.path()).isEqualTo("/" + TENANT + "/oauth2/v2.0/token");
                    assertThat(r.form()).containsEntry("grant_type", "client_credentials")
                            .containsEntry("client_id", CLIENT_ID)
                            .containsEntry("scope", "https://outlook.office365.com/.default");
                });
                assertThat(result.transcript()).contains("C: STARTTLS").contains("C: AUTH XOAUTH2 <redacted>\nS: 235 ");
                assertNoSecretIn(result, "token-1");
            }
        }

        @Test
        void reusesTheTokenUntilShortlyBeforeItExpiresThenGetsANewOne() {
            CachedTokens tokens = appTokens();
            try (SubethaRelay relay = relay(XOAuth2Relay.Refusal.MICROSOFT_535)) {
                assertThat(probe(target(relay, app), tokens).outcome()).isEqualTo(Outcome.OK);
                clock.advance(Duration.ofMinutes(50));
                assertThat(probe(target(relay, app), tokens).outcome()).isEqualTo(Outcome.OK);
                assertThat(entra.requests()).hasSize(1);

                // token-1 lasts 59m59s; within five minutes of that a new one is fetched.
                clock.advance(Duration.ofMinutes(5));
                assertThat(probe(target(relay, app), tokens).outcome()).isEqualTo(Outcome.OK);
                assertThat(entra.requests()).hasSize(2);
                assertThat(presented).containsExactly("token-1", "token-1", "token-2");
            }
        }

        @Test
        void replacesAnExpiredCachedToken() {
            CachedTokens tokens = appTokens();
            entra.expiresIn(600);
            try (SubethaRelay relay = relay(XOAuth2Relay.Refusal.MICROSOFT_535)) {
                assertThat(probe(target(relay, app), tokens).outcome()).isEqualTo(Outcome.OK);
                clock.advance(Duration.ofMinutes(11));
                assertThat(entra.valid("token-1")).isFalse();

                ProbeResult result = probe(target(relay, app), tokens);

                assertThat(result.outcome()).isEqualTo(Outcome.OK);
                assertThat(presented).containsExactly("token-1", "token-2");
            }
        }

        @Test
        void aTokenTheServerDoesNotAcceptIsAuthRejected() {
            try (SubethaRelay relay = relay(XOAuth2Relay.Refusal.MICROSOFT_535)) {
                ProbeResult result = probe(target(relay, app), auth -> new Secret("forged-token"));

                assertThat(result.outcome()).isEqualTo(Outcome.AUTH_REJECTED);
                assertThat(result.reply()).startsWith("535 5.7.3");
                assertThat(result.detail()).isEqualTo("the server rejected the credentials (535)");
                assertNoSecretIn(result, "forged-token");
            }
        }

        @Test
        void anErrorChallengeInsteadOf235IsAuthRejectedWithItsStatus() {
            try (SubethaRelay relay = relay(XOAuth2Relay.Refusal.ERROR_CHALLENGE_334)) {
                ProbeResult result = probe(target(relay, app), auth -> new Secret("forged-token"));

                assertThat(result.outcome()).isEqualTo(Outcome.AUTH_REJECTED);
                assertThat(result.detail()).isEqualTo("the server rejected the bearer token (334, status 401)");
                assertNoSecretIn(result, "forged-token");
            }
        }

        @Test
        void aTokenEndpointThatIsDownIsAuthUnavailableAfterTlsWasChecked() {
            entra.close();
            try (SubethaRelay relay = relay(XOAuth2Relay.Refusal.MICROSOFT_535)) {
                ProbeResult result = probe(target(relay, app), appTokens());

                assertThat(result.outcome()).isEqualTo(Outcome.AUTH_UNAVAILABLE);
                assertThat(result.detail()).startsWith("could not get an OAuth token: cannot connect to "
                        + "http://127.0.0.1:" + entra.tokenEndpoint().getPort() + "/" + TENANT + "/oauth2/v2.0/token");
                assertThat(result.phases()).containsKey(Phase.STARTTLS).doesNotContainKey(Phase.AUTH);
                assertThat(presented).isEmpty();
                assertNoSecretIn(result);
            }
        }

        @Test
        void aTokenEndpointThatNeverAnswersEndsAtTheTokenTimeoutAsAuthUnavailable() throws Exception {
            try (SilentHttpServer silent = new SilentHttpServer();
                    SubethaRelay relay = relay(XOAuth2Relay.Refusal.MICROSOFT_535)) {
                OAuthConfig hanging = new OAuthConfig(TENANT, CLIENT_ID, new Secret(SECRET), "test",
                        OAuthConfig.DEFAULT_SCOPE, URI.create(silent.endpoint() + "/" + TENANT + "/oauth2/v2.0/token"),
                        false);
                CachedTokens tokens = new CachedTokens(new EntraTokenClient(Duration.ofMillis(500), clock), null, "",
                        clock);

                ProbeResult result = probe(target(relay, hanging), tokens);

                assertThat(result.outcome()).isEqualTo(Outcome.AUTH_UNAVAILABLE);
                assertThat(result.detail()).isEqualTo("could not get an OAuth token: " + silent.endpoint() + "/" + TENANT
                        + "/oauth2/v2.0/token did not answer within 0.5s");
                assertNoSecretIn(result);
            }
        }

        @Test
        void neverSendsTheTokenToARelayWithoutStarttls() {
            try (SubethaRelay relay = SubethaRelay.start(b -> b.authenticationHandlerFactory(new XOAuth2Relay(
                    (user, token) -> {
                        presented.add(token);
                        return true;
                    }, XOAuth2Relay.Refusal.MICROSOFT_535)))) {
                ProbeResult result = probe(target(relay, app), appTokens());

                assertThat(result.outcome()).isEqualTo(Outcome.STARTTLS_UNAVAILABLE);
                assertThat(presented).isEmpty();
                assertNoSecretIn(result, "token-1");
            }
        }

        @Test
        void aWrongSecretIsAuthUnavailableWithTheAadstsCodeAndNeverTheSecret() {
            OAuthConfig wrong = new OAuthConfig(TENANT, CLIENT_ID, new Secret("wrong-" + SECRET), "test",
                    OAuthConfig.DEFAULT_SCOPE, entra.tokenEndpoint(), false);
            try (SubethaRelay relay = relay(XOAuth2Relay.Refusal.MICROSOFT_535)) {
                ProbeResult result = probe(target(relay, wrong), appTokens());

                assertThat(result.outcome()).isEqualTo(Outcome.AUTH_UNAVAILABLE);
                assertThat(result.detail()).isEqualTo("could not get an OAuth token: " + entra.tokenEndpoint()
                        + " answered HTTP 401 invalid_client: AADSTS7000215: Invalid client secret provided. Ensure the"
                        + " secret being sent in the request is the client secret value, not the client secret ID, for"
                        + " a secret added to app '" + CLIENT_ID + "'.");
                assertNoSecretIn(result);
                assertThat(result.toString()).doesNotContain("wrong-");
            }
        }
    }

    @Test
    void theDaemonsProbersGetTokensToo() throws Exception {
        TestCertificates authority = TestCertificates.authority("daemon xoauth2 CA");
        Path ca = authority.writeCaPem(dir.resolve("daemon-ca.pem"));
        SSLContext tls = authority.serverContext("127.0.0.1");
        try (SubethaRelay relay = SubethaRelay.start(b -> b.startTlsSocketFactory(tls).enableTLS().requireTLS()
                        .authenticationHandlerFactory(new XOAuth2Relay((user, token) -> entra.valid(token),
                                XOAuth2Relay.Refusal.MICROSOFT_535)));
                NetworkProbers probers = new NetworkProbers(Clock.systemUTC(), Ticker.SYSTEM, dir)) {
            TargetConfig target = Targets.host("127.0.0.1", relay.port(), Mode.SUBMISSION).caFile(ca).oauth(USER, app)
                    .build();
            Config config = DaemonFixtures.config("pay-as-you-go", Duration.ofHours(1), Duration.ZERO,
                    Duration.ofSeconds(3), 1, List.of(target));

            ProbeResult result = probers.create(config).probe(target).get(0);

            assertThat(result.outcome()).isEqualTo(Outcome.OK);
            assertThat(entra.requests()).hasSize(1);
        }
    }

    @Nested
    class WithTheManagedIdentity {
        @TempDir
        Path dmi;

        @Test
        void getsTheTokenForExchangeOnlineFromTheMetadataService() throws Exception {
            Files.writeString(dmi.resolve("sys_vendor"), "Microsoft Corporation\n");
            try (FakeMetadataService imds = new FakeMetadataService(new byte[0]);
                    SubethaRelay relay = SubethaRelay.start(b -> b.startTlsSocketFactory(serverTls).enableTLS()
                            .requireTLS().authenticationHandlerFactory(new XOAuth2Relay(
                                    (user, token) -> token.equals("mi-token"), XOAuth2Relay.Refusal.MICROSOFT_535)))) {
                imds.answerToken(200, FakeMetadataService.tokenAnswer("mi-token", "https://outlook.office365.com/",
                        clock.instant().plusSeconds(3600).getEpochSecond()));
                CachedTokens tokens = CachedTokens.forConfig(new AzureConfig(MetadataMode.AUTO, imds.endpoint(), null,
                        "66666666-7777-8888-9999-000000000000"), dmi, Duration.ofSeconds(2), clock);

                ProbeResult result = probe(target(relay, OAuthConfig.managedIdentity("")), tokens);

                assertThat(result.outcome()).isEqualTo(Outcome.OK);
                assertThat(imds.requests()).singleElement().extracting(FakeMetadataService.Request::pathAndQuery)
                        .isEqualTo("/metadata/identity/oauth2/token?api-version=2018-02-01"
                                + "&resource=https%3A%2F%2Foutlook.office365.com%2F"
                                + "&client_id=66666666-7777-8888-9999-000000000000");
                assertNoSecretIn(result, "mi-token");
            }
        }

        @Test
        void aVmWithoutAManagedIdentityIsAuthUnavailableWithHowToAssignOne() throws Exception {
            Files.writeString(dmi.resolve("sys_vendor"), "Microsoft Corporation\n");
            try (FakeMetadataService imds = new FakeMetadataService(new byte[0]);
                    SubethaRelay relay = relay(XOAuth2Relay.Refusal.MICROSOFT_535)) {
                imds.answerToken(400, FakeMetadataService.IDENTITY_NOT_FOUND);
                CachedTokens tokens = CachedTokens.forConfig(new AzureConfig(MetadataMode.AUTO, imds.endpoint(), null,
                        ""), dmi, Duration.ofSeconds(2), clock);

                ProbeResult result = probe(target(relay, OAuthConfig.managedIdentity("")), tokens);

                assertThat(result.outcome()).isEqualTo(Outcome.AUTH_UNAVAILABLE);
                assertThat(result.detail()).isEqualTo("could not get an OAuth token: the VM has no managed identity ("
                        + imds.endpoint() + "/metadata/identity/oauth2/token answered HTTP 400: invalid_request"
                        + " (Identity not found)); turn on its system-assigned identity: az vm identity assign"
                        + " -g <resource-group> -n <vm-name>");
            }
        }

        @Test
        void offAzureTheManagedIdentityIsAuthUnavailableWithoutAskingTheMetadataService() throws Exception {
            Files.writeString(dmi.resolve("sys_vendor"), "QEMU\n");
            try (FakeMetadataService imds = new FakeMetadataService(new byte[0]);
                    SubethaRelay relay = relay(XOAuth2Relay.Refusal.MICROSOFT_535)) {
                CachedTokens tokens = CachedTokens.forConfig(new AzureConfig(MetadataMode.AUTO, imds.endpoint(), null,
                        ""), dmi, Duration.ofSeconds(2), clock);

                ProbeResult result = probe(target(relay, OAuthConfig.managedIdentity("")), tokens);

                assertThat(result.outcome()).isEqualTo(Outcome.AUTH_UNAVAILABLE);
                assertThat(result.detail()).startsWith("could not get an OAuth token: managed_identity needs an Azure VM");
                assertThat(imds.requests()).isEmpty();
            }
        }
    }
}
