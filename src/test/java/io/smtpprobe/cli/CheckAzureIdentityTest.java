package io.smtpprobe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smtpprobe.testing.FakeEntraTokenEndpoint;
import io.smtpprobe.testing.FakeMetadataService;
import io.smtpprobe.testing.FakeResourceManager;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.SubethaRelay;
import io.smtpprobe.testing.TestCertificates;
import io.smtpprobe.testing.XOAuth2Relay;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code smtp-probe check} with {@code subscription.offer: auto} and with an XOAUTH2 relay, end to
 * end in-process against loopback fakes of the metadata service, Resource Manager and Entra.
 */
class CheckAzureIdentityTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SUBSCRIPTION = "5f1c7a2e-93d4-4b8e-a1f0-2c6d8e9b7a31";
    static final String ARM_TOKEN = "arm-token-never-printed";

    @TempDir
    Path dir;

    FakeMetadataService imds;
    FakeResourceManager arm;
    ScriptedSmtpServer control;

    @BeforeEach
    void start() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/io/smtpprobe/azure/imds-instance.json")) {
            imds = new FakeMetadataService(in.readAllBytes());
        }
        imds.answerToken(200, FakeMetadataService.tokenAnswer(ARM_TOKEN, "https://management.azure.com/",
                Instant.now().plusSeconds(3600).getEpochSecond()));
        arm = new FakeResourceManager(SUBSCRIPTION, ARM_TOKEN);
        control = ScriptedSmtpServer.start(peer -> peer.awaitClose());
    }

    @AfterEach
    void stop() throws Exception {
        imds.close();
        arm.close();
        control.close();
    }

    Path config(String offer, String extraTargets) throws Exception {
        return Files.writeString(dir.resolve("smtp-probe.yml"), "subscription:\n  offer: " + offer + "\n"
                + "azure:\n  metadata_endpoint: " + imds.endpoint() + "\n  management_endpoint: " + arm.endpoint() + "\n"
                + "probe:\n  timeout: 3s\n"
                + "targets:\n  - name: control\n    host: 127.0.0.1\n    mode: tcp\n    port: " + control.port() + "\n"
                + extraTargets);
    }

    Path dmi(String vendor) throws Exception {
        Path dmi = Files.createDirectories(dir.resolve("dmi"));
        Files.writeString(dmi.resolve("sys_vendor"), vendor + "\n");
        return dmi;
    }

    record Run(int exitCode, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    static Run check(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(environment, new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void offerAutoOnAMachineThatIsNotAzureAsksNothingAndSaysWhy() throws Exception {
        Run run = check(Map.of(), "check", "--config", config("auto", "").toString(), "--dmi-directory",
                dmi("QEMU").toString(), "--output", "json");

        assertThat(imds.requests()).isEmpty();
        assertThat(arm.requests()).isEmpty();
        JsonNode policy = run.json().get("policy");
        assertThat(policy.get("offer").asText()).isEqualTo("unknown");
        assertThat(policy.get("source").asText()).isEqualTo("azure");
        assertThat(policy.get("warnings").get(0).asText())
                .startsWith("subscription.offer: auto needs an Azure VM: this machine does not look like one");
        assertThat(run.exitCode()).isZero(); // the control connects: probing went on
    }

    @Test
    void offerAutoOnAzureTakesTheOfferFromResourceManager() throws Exception {
        arm.quotaId("EnterpriseAgreement_2014-09-01");
        arm.billing("MicrosoftCustomerAgreement", "Individual", "Production");

        Run run = check(Map.of(), "check", "--config", config("auto", "").toString(), "--dmi-directory",
                dmi("Microsoft Corporation").toString(), "--output", "json");

        JsonNode policy = run.json().get("policy");
        assertThat(policy.get("offer").asText()).isEqualTo("mca-individual");
        assertThat(policy.get("source").asText()).isEqualTo("azure");
        assertThat(policy.get("port25_expected").asText()).isEqualTo("blocked");
        assertThat(policy.get("reason").asText()).startsWith("Azure Resource Manager reports quotaId"
                + " EnterpriseAgreement_2014-09-01 (agreement MicrosoftCustomerAgreement, account type Individual,");
        assertThat(run.out() + run.err()).doesNotContain(ARM_TOKEN);
    }

    @Test
    void offerAutoWithoutReaderSaysHowToGrantItAndKeepsProbing() throws Exception {
        arm.failSubscription(403, "AuthorizationFailed", FakeResourceManager.authorizationFailed(
                "11111111-2222-3333-4444-555555555555", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                "/subscriptions/" + SUBSCRIPTION, "Microsoft.Resources/subscriptions/read"));

        Run run = check(Map.of(), "check", "--config", config("auto", "").toString(), "--dmi-directory",
                dmi("Microsoft Corporation").toString());

        assertThat(run.out()).contains("Subscription: unknown").contains("(from azure)")
                .contains("warning: the VM's managed identity (principal 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) may not"
                        + " read subscription " + SUBSCRIPTION)
                .contains("az role assignment create --assignee 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d --role \"Reader\""
                        + " --scope /subscriptions/" + SUBSCRIPTION)
                .contains("control");
        assertThat(run.out() + run.err()).doesNotContain(ARM_TOKEN);
    }

    @Test
    void anXoauth2RelayAuthenticatesWithAnEntraAppAndNoSecretIsPrinted() throws Exception {
        String tenant = "contoso.onmicrosoft.com";
        String clientId = "11111111-2222-3333-4444-555555555555";
        String secret = "app-Secret~cli.never-shown";
        TestCertificates authority = TestCertificates.authority("check xoauth2 CA");
        Path ca = authority.writeCaPem(dir.resolve("ca.pem"));
        javax.net.ssl.SSLContext serverTls = authority.serverContext("127.0.0.1");
        Path secretFile = Files.writeString(dir.resolve("app-secret"), secret + "\n");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        try (FakeEntraTokenEndpoint entra = new FakeEntraTokenEndpoint(tenant, clientId, secret, Clock.systemUTC());
                SubethaRelay relay = SubethaRelay.start(b -> b.startTlsSocketFactory(serverTls)
                        .enableTLS().requireTLS().authenticationHandlerFactory(new XOAuth2Relay(
                                (user, token) -> entra.valid(token), XOAuth2Relay.Refusal.MICROSOFT_535)))) {
            Path config = config("pay-as-you-go", "  - name: m365\n    host: 127.0.0.1\n    mode: submission\n"
                    + "    port: " + relay.port() + "\n    tls:\n      ca_file: " + ca + "\n    auth:\n"
                    + "      username: alerts@contoso.com\n      mechanism: xoauth2\n      oauth:\n"
                    + "        tenant: " + tenant + "\n        client_id: " + clientId + "\n"
                    + "        client_secret_file: app-secret\n        token_endpoint: " + entra.tokenEndpointTemplate() + "\n");

            Run run = check(Map.of(), "check", "--config", config.toString(), "--dmi-directory",
                    dmi("QEMU").toString(), "--output", "json", "--transcript");

            JsonNode m365 = run.json().get("results").get(1);
            assertThat(m365.get("outcome").asText()).isEqualTo("ok");
            assertThat(m365.get("verdict").asText()).isEqualTo("as_expected");
            assertThat(run.exitCode()).isZero();
            assertThat(run.out() + run.err()).doesNotContain(secret).doesNotContain("token-1");
            assertThat(imds.requests()).isEmpty();
        }
    }

    @Test
    void offerAutoOnTheCommandLineIsDetectedToo() throws Exception {
        Run run = check(Map.of(), "check", "--offer", "auto", "--dmi-directory", dmi("QEMU").toString(), "--target",
                "tcp://127.0.0.1:" + control.port(), "--output", "json");

        assertThat(run.exitCode()).isZero();
        assertThat(run.json().at("/policy/source").asText()).isEqualTo("azure");
        assertThat(run.json().at("/policy/warnings/0").asText()).contains("needs an Azure VM");
    }
}
