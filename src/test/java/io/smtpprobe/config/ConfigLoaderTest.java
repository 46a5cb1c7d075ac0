package io.smtpprobe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.smtpprobe.policy.PolicyTable;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
    private static final Clock TODAY = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);
    private static final String ENV_PASSWORD = "env-Secret-7f3a";
    private static final String FILE_PASSWORD = "file-Secret-91c2";
    private static final Map<String, String> ENV = Map.of("SMTP_PASSWORD", ENV_PASSWORD, "EMPTY_PASSWORD", "");
    private static final String EXPECT = "# expect: ";

    private final ConfigLoader loader = new ConfigLoader(ENV, TODAY, PolicyTable.NAMES);

    @TempDir
    Path dir;

    static Stream<Path> invalidFiles() throws IOException, URISyntaxException {
        Path folder = Path.of(ConfigLoaderTest.class.getResource("/config/invalid").toURI());
        return Files.list(folder).filter(p -> p.toString().endsWith(".yml")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFiles")
    void rejectsEachInvalidFileWithItsExactMessages(Path file) throws IOException {
        List<String> expected = Files.readAllLines(file).stream()
                .filter(line -> line.startsWith(EXPECT))
                .map(line -> line.substring(EXPECT.length()).replace("${DIR}", file.getParent().toString()))
                .toList();
        assertThat(expected).as("the file states the messages it must produce").isNotEmpty();

        ConfigException error = catchThrowableOfType(ConfigException.class, () -> loader.load(file));

        assertThat(error).as("%s must not load", file.getFileName()).isNotNull();
        assertThat(error.errors()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(error.source()).isEqualTo(file.toString());
    }

    @Test
    void reportsEveryErrorOfAFileTogetherEachPrefixedWithTheFileName() throws Exception {
        Path file = Path.of(ConfigLoaderTest.class.getResource("/config/invalid/several-errors.yml").toURI());

        ConfigException error = catchThrowableOfType(ConfigException.class, () -> loader.load(file));

        assertThat(error.errors()).hasSize(6);
        assertThat(error.getMessage().lines()).hasSize(6).allMatch(line -> line.startsWith(file + ": "));
        assertThat(error.getMessage()).contains(file + ": targets[0].port: must be between 1 and 65535, found 70000");
    }

    @Test
    void loadsAFullFileIntoTheExpectedRecords() throws Exception {
        Path credentials = Files.createDirectory(dir.resolve("credentials"));
        Path passwordFile = ownerOnlyFile(credentials.resolve("relay-password"), FILE_PASSWORD + "\n");
        Path ca = Files.writeString(dir.resolve("relay-ca.pem"),
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        Path file = Files.writeString(dir.resolve("full.yml"), """
                subscription:
                  offer: PayAsYouGo_2014-09-01
                  created: 2016-03-01
                  port25_exemption: true
                azure:
                  metadata: off
                  metadata_endpoint: http://127.0.0.1:18080
                  management_endpoint: https://127.0.0.1:18443/arm
                  identity_client_id: 6a1b2c3d-0000-4e5f-8a9b-123456789abc
                probe:
                  interval: 1h
                  jitter: 1m30s
                  timeout: 500ms
                  concurrency: 256
                  helo_name: vm1.example.com
                dns:
                  servers: [127.0.0.53, "127.0.0.1:5353", "[::1]:53"]
                  ip_family: any
                web:
                  listen_address: 127.0.0.1:9925
                targets:
                  - name: gmail
                    mx: gmail.com
                    mx_hosts: 10
                    expect: blocked
                    route: internet
                    starttls: required
                  - name: relay
                    host: smtp.example.net
                    mode: submission
                    port: 2587
                    starttls: opportunistic
                    tls:
                      ca_file: relay-ca.pem
                    auth:
                      username: alerts@example.com
                      password_file: ${CREDENTIALS_DIRECTORY}/relay-password
                      mechanism: login
                    mail_from: alerts@example.com
                    rcpt_to: postmaster@example.com
                  - name: relay-tls
                    host: 2001:db8::465
                    mode: smtps
                    tls:
                      insecure_skip_verify: true
                    auth:
                      username: probe
                      password_env: SMTP_PASSWORD
                  - name: control
                    host: 192.0.2.80
                    mode: tcp
                    port: 443
                    expect: reachable
                    route: private
                """);
        ConfigLoader withCredentials = new ConfigLoader(
                Map.of("CREDENTIALS_DIRECTORY", credentials.toString(), "SMTP_PASSWORD", ENV_PASSWORD),
                TODAY, PolicyTable.NAMES);

        Config config = withCredentials.load(file);

        assertThat(config).isEqualTo(new Config(
                new SubscriptionConfig("PayAsYouGo_2014-09-01", LocalDate.of(2016, 3, 1), true),
                new AzureConfig(MetadataMode.OFF, URI.create("http://127.0.0.1:18080"),
                        URI.create("https://127.0.0.1:18443/arm"), "6a1b2c3d-0000-4e5f-8a9b-123456789abc"),
                new ProbeConfig(Duration.ofHours(1), Duration.ofSeconds(90), Duration.ofMillis(500), 256,
                        "vm1.example.com"),
                new DnsConfig(List.of("127.0.0.53", "127.0.0.1:5353", "[::1]:53"), IpFamily.ANY),
                new WebConfig("127.0.0.1:9925"),
                List.of(
                        new TargetConfig("gmail", null, "gmail.com", 10, 25, Mode.SMTP, null, ExpectSetting.BLOCKED,
                                Route.INTERNET, StartTls.REQUIRED, TlsConfig.DEFAULT, null, null),
                        new TargetConfig("relay", "smtp.example.net", null, 0, 2587, Mode.SUBMISSION,
                                new AuthConfig("alerts@example.com", new Secret(FILE_PASSWORD),
                                        passwordFile.toString(), AuthMechanism.LOGIN),
                                ExpectSetting.AUTO, Route.AUTO, StartTls.OPPORTUNISTIC, new TlsConfig(ca, false),
                                "alerts@example.com", "postmaster@example.com"),
                        new TargetConfig("relay-tls", "2001:db8::465", null, 0, 465, Mode.SMTPS,
                                new AuthConfig("probe", new Secret(ENV_PASSWORD), "env:SMTP_PASSWORD",
                                        AuthMechanism.AUTO),
                                ExpectSetting.AUTO, Route.AUTO, StartTls.OFF, new TlsConfig(null, true), null, null),
                        new TargetConfig("control", "192.0.2.80", null, 0, 443, Mode.TCP, null,
                                ExpectSetting.REACHABLE, Route.PRIVATE, StartTls.OFF, TlsConfig.DEFAULT, null,
                                null))));
        assertThat(config.warnings()).containsExactly("targets[2].tls.insecure_skip_verify: the certificate of"
                + " relay-tls is not verified, so anyone on the path can pose as 2001:db8::465 and take its"
                + " credentials; use tls.ca_file to trust a private CA instead");
    }

    @Test
    void appliesTheDocumentedDefaultsWhenKeysAreAbsent() throws Exception {
        Config config = loader.parse("targets:\n  - mx: example.com\n", "minimal.yml");

        assertThat(config).isEqualTo(new Config(
                new SubscriptionConfig("unknown", null, false),
                new AzureConfig(MetadataMode.AUTO, URI.create("http://169.254.169.254"), null, ""),
                new ProbeConfig(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(15), 8, "auto"),
                new DnsConfig(List.of(), IpFamily.IPV4),
                new WebConfig(":9925"),
                List.of(new TargetConfig("example.com", null, "example.com", 2, 25, Mode.SMTP, null,
                        ExpectSetting.AUTO, Route.AUTO, StartTls.OPPORTUNISTIC, TlsConfig.DEFAULT, null, null))));
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void takesPortAndStarttlsDefaultsFromTheMode() throws Exception {
        Config config = loader.parse("""
                targets:
                  - {host: mx.example.com}
                  - {host: relay.example.com, mode: submission}
                  - {host: tls.example.com, mode: smtps}
                """, "modes.yml");

        assertThat(config.targets()).extracting(TargetConfig::port, TargetConfig::starttls).containsExactly(
                org.assertj.core.groups.Tuple.tuple(25, StartTls.OPPORTUNISTIC),
                org.assertj.core.groups.Tuple.tuple(587, StartTls.REQUIRED),
                org.assertj.core.groups.Tuple.tuple(465, StartTls.OFF));
    }

    @Test
    void expandsCredentialsDirectoryInPasswordFile() throws Exception {
        ownerOnlyFile(dir.resolve("relay-password"), FILE_PASSWORD);
        ConfigLoader systemd = new ConfigLoader(Map.of("CREDENTIALS_DIRECTORY", dir.toString()), TODAY, PolicyTable.NAMES);

        Config config = systemd.parse(relayWithPasswordFile("${CREDENTIALS_DIRECTORY}/relay-password"), "unit.yml");

        AuthConfig auth = config.targets().get(0).auth();
        assertThat(auth.password().reveal()).isEqualTo(FILE_PASSWORD);
        assertThat(auth.passwordSource()).isEqualTo(dir.resolve("relay-password").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-r--r--", "rw-r-----", "r-----r--"})
    void refusesPasswordFileOthersCanRead(String permissions) throws Exception {
        Path file = Files.writeString(dir.resolve("relay-password"), FILE_PASSWORD);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));

        assertThatThrownBy(() -> loader.parse(relayWithPasswordFile(file.toString()), "perm.yml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
                        "targets[0].auth.password_file: " + file + " is readable by other users (permissions "
                                + permissions + "); run chmod 600 " + file + ", or pass it with systemd"
                                + " LoadCredential="));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", ""})
    void readsOwnerOnlyPasswordFileDroppingOneTrailingNewline(String ending) throws Exception {
        Path file = ownerOnlyFile(dir.resolve("relay-password"), FILE_PASSWORD + ending);

        Config config = loader.parse(relayWithPasswordFile(file.toString()), "ok.yml");

        assertThat(config.targets().get(0).auth().password()).isEqualTo(new Secret(FILE_PASSWORD));
    }

    @Test
    void refusesEmptyMultiLineAndOversizedPasswordFiles() throws Exception {
        Path empty = ownerOnlyFile(dir.resolve("empty"), "\n");
        Path twoLines = ownerOnlyFile(dir.resolve("two-lines"), FILE_PASSWORD + "\nsecond\n");
        Path huge = ownerOnlyFile(dir.resolve("huge"), "x".repeat(LocalFiles.MAX_PASSWORD_BYTES + 1));
        String yaml = "targets:\n" + relayTarget("a", empty) + relayTarget("b", twoLines) + relayTarget("c", huge);

        ConfigException error = catchThrowableOfType(ConfigException.class, () -> loader.parse(yaml, "bad.yml"));

        assertThat(error.errors()).containsExactly(
                "targets[0].auth.password_file: " + empty + " is empty; it should hold the password",
                "targets[1].auth.password_file: " + twoLines + " holds more than one line; it should hold only the"
                        + " password",
                "targets[2].auth.password_file: " + huge + " is larger than 4096 bytes; it should hold only the"
                        + " password");
        assertThat(error.getMessage()).doesNotContain(FILE_PASSWORD);
    }

    @Test
    void neverPutsAPasswordInAnErrorOrAString() throws Exception {
        Path file = ownerOnlyFile(dir.resolve("relay-password"), FILE_PASSWORD);
        String yaml = """
                targets:
                  - name: relay
                    host: relay.example.com
                    mode: submission
                    port: 0
                    auth: {username: probe, password_file: %s}
                  - name: relay2
                    host: relay.example.com
                    mode: smtp
                    auth: {username: probe, password_env: SMTP_PASSWORD}
                """.formatted(file);

        ConfigException error = catchThrowableOfType(ConfigException.class, () -> loader.parse(yaml, "leak.yml"));
        Config loaded = loader.parse(relayWithPasswordFile(file.toString()), "ok.yml");

        assertThat(error.errors()).hasSize(2);
        assertThat(error.getMessage()).doesNotContain(FILE_PASSWORD).doesNotContain(ENV_PASSWORD);
        assertThat(loaded.toString()).doesNotContain(FILE_PASSWORD).contains("******");
    }

    @Test
    void keepsAPastedPasswordOutOfSyntaxAndUnknownKeyErrors() {
        String broken = "targets:\n  - host: relay.example.com\n    password: \"" + FILE_PASSWORD + "\n";
        String unknownKey = "targets:\n  - host: relay.example.com\n    password: " + FILE_PASSWORD + "\n";

        ConfigException syntax = catchThrowableOfType(ConfigException.class, () -> loader.parse(broken, "a.yml"));
        ConfigException key = catchThrowableOfType(ConfigException.class, () -> loader.parse(unknownKey, "b.yml"));

        assertThat(syntax.getMessage()).startsWith("a.yml: line 4, column 1: not valid YAML").doesNotContain(FILE_PASSWORD);
        assertThat(key.errors()).singleElement().asString().startsWith("targets[0].password: unknown key");
        assertThat(key.getMessage()).doesNotContain(FILE_PASSWORD);
    }

    @Test
    void readsBareOnAndOffAsMetadataModesAlthoughYamlCallsThemBooleans() throws Exception {
        assertThat(loader.parse("azure: {metadata: on}\ntargets: [{mx: example.com}]", "on.yml").azure().metadata())
                .isEqualTo(MetadataMode.ON);
        assertThat(loader.parse("azure: {metadata: off}\ntargets: [{mx: example.com}]", "off.yml").azure().metadata())
                .isEqualTo(MetadataMode.OFF);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pay-as-you-go", "payg", "PAY-AS-YOU-GO", "PayAsYouGo_2014-09-01", "visual-studio",
            "EnterpriseAgreement_2014-09-01", "auto", "unknown"})
    void acceptsOfferKeysAliasesQuotaIdsAutoAndUnknown(String offer) throws Exception {
        Config config = loader.parse("subscription: {offer: " + offer + "}\ntargets: [{mx: example.com}]", "o.yml");

        assertThat(config.subscription().offer()).isEqualTo(offer);
    }

    @Test
    void acceptsMailFromAndRcptToOnSmtpTargetsSoARcptTimeRefusalCanShow() throws Exception {
        Config config = loader.parse("""
                targets:
                  - mx: example.com
                    mail_from: probe@vm.example.net
                    rcpt_to: postmaster@example.com
                  - host: smarthost.corp.example
                    mail_from: probe@vm.example.net
                """, "smtp-envelope.yml");

        assertThat(config.targets().get(0).mode()).isEqualTo(Mode.SMTP);
        assertThat(config.targets().get(0).mailFrom()).isEqualTo("probe@vm.example.net");
        assertThat(config.targets().get(0).rcptTo()).isEqualTo("postmaster@example.com");
        assertThat(config.targets().get(1).mailFrom()).isEqualTo("probe@vm.example.net");
        assertThat(config.targets().get(1).rcptTo()).isNull();
    }

    @Test
    void acceptsACreationDateOfToday() throws Exception {
        Config config = loader.parse("subscription: {created: 2026-11-27}\ntargets: [{mx: example.com}]", "d.yml");

        assertThat(config.subscription().created()).isEqualTo(LocalDate.of(2026, 11, 27));
    }

    @Test
    void acceptsHostAndMxNamesWithoutResolvingThem() throws Exception {
        Config config = loader.parse("targets:\n  - host: nothing-here.invalid\n  - mx: nowhere.invalid\n", "n.yml");

        assertThat(config.targets()).extracting(TargetConfig::destination)
                .containsExactly("nothing-here.invalid", "mx:nowhere.invalid");
    }

    @Test
    void readsTheRoleKeyAndLeavesItToTheGuessWhenAbsent() throws Exception {
        Config config = loader.parse("""
                targets:
                  - {host: 10.0.0.5, role: relay}
                  - {host: 192.0.2.9, mode: tcp, port: 443, role: MX}
                  - {mx: example.com}
                """, "r.yml");

        assertThat(config.targets()).extracting(TargetConfig::role)
                .containsExactly(RoleSetting.RELAY, RoleSetting.MX, RoleSetting.AUTO);
    }

    @Test
    void reportsAConfigFileThatDoesNotExist() {
        Path missing = dir.resolve("nowhere.yml");

        assertThatThrownBy(() -> loader.load(missing)).isInstanceOf(ConfigException.class)
                .hasMessage(missing + ": does not exist");
    }

    @Test
    void readsXoauth2CredentialsFromAnEntraAppOrTheManagedIdentity() throws Exception {
        ownerOnlyFile(dir.resolve("m365-app-secret"), FILE_PASSWORD + "\n");
        Config config = new ConfigLoader(Map.of("CREDENTIALS_DIRECTORY", dir.toString()), TODAY, PolicyTable.NAMES)
                .load(Path.of("config/examples/microsoft-365-xoauth2.yml"));

        AuthConfig app = config.targets().get(0).auth();
        assertThat(app).isEqualTo(new AuthConfig("alerts@contoso.com", null, null, AuthMechanism.XOAUTH2,
                new OAuthConfig("contoso.onmicrosoft.com", "11111111-2222-3333-4444-555555555555",
                        new Secret(FILE_PASSWORD), dir.resolve("m365-app-secret").toString(),
                        "https://outlook.office365.com/.default",
                        URI.create("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"), false)));
        assertThat(config.targets().get(1).auth().oauth()).isEqualTo(OAuthConfig.managedIdentity(""));
        assertThat(config.toString()).doesNotContain(FILE_PASSWORD);
    }

    @Test
    void loadsEveryShippedFileUnderConfig() throws Exception {
        ownerOnlyFile(dir.resolve("relay-password"), FILE_PASSWORD);
        ownerOnlyFile(dir.resolve("m365-app-secret"), FILE_PASSWORD);
        ownerOnlyFile(dir.resolve("acs-app-secret"), FILE_PASSWORD);
        ConfigLoader installed = new ConfigLoader(
                Map.of("CREDENTIALS_DIRECTORY", dir.toString(), "SMTP_RELAY_PASSWORD", ENV_PASSWORD),
                TODAY, PolicyTable.NAMES);
        List<Path> shipped;
        try (Stream<Path> files = Files.walk(Path.of("config"))) {
            shipped = files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }

        assertThat(shipped).contains(Path.of("config/smtp-probe.yml"),
                Path.of("config/examples/relay-with-credentials.yml"), Path.of("config/examples/mx-only.yml"),
                Path.of("config/examples/enterprise-agreement.yml"), Path.of("config/examples/microsoft-365-xoauth2.yml"),
                Path.of("config/examples/azure-communication-services.yml"));
        for (Path file : shipped) {
            assertThat(installed.load(file).targets()).as("%s", file).isNotEmpty();
        }
    }

    @Test
    void referenceConfigWritesOutExactlyTheDefaults() throws Exception {
        Config reference = loader.load(Path.of("config/smtp-probe.yml"));
        Config defaults = loader.parse("targets: [{mx: example.com}]", "minimal.yml");

        assertThat(reference.withTargets(defaults.targets())).isEqualTo(defaults);
    }

    @Test
    void builtInDefaultProbesGmailOutlookTheAzureRelayAndAControlWithinAMinute() {
        Config config = ConfigLoader.builtInDefault();

        assertThat(config.targets()).extracting(TargetConfig::destination, TargetConfig::port, TargetConfig::mode)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("mx:gmail.com", 25, Mode.SMTP),
                        org.assertj.core.groups.Tuple.tuple("mx:outlook.com", 25, Mode.SMTP),
                        org.assertj.core.groups.Tuple.tuple("smtp.azurecomm.net", 587, Mode.SUBMISSION),
                        org.assertj.core.groups.Tuple.tuple("www.microsoft.com", 443, Mode.TCP));
        assertThat(config.targets()).allSatisfy(t -> assertThat(t.auth()).isNull());
        assertThat(config.subscription().offer()).isEqualTo("unknown");
        assertThat(config.probe().timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.warnings()).isEmpty();
    }

    private static Path ownerOnlyFile(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static String relayWithPasswordFile(String passwordFile) {
        return "targets:\n" + relayTarget("relay", passwordFile);
    }

    private static String relayTarget(String name, Object passwordFile) {
        return """
                  - name: %s
                    host: relay.example.com
                    mode: submission
                    auth:
                      username: probe
                      password_file: %s
                """.formatted(name, passwordFile);
    }
}
