package io.smtpprobe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TargetSpecTest {
    private static final String PASSWORD = "spec-Secret-5d1e";
    private static final Map<String, String> ENV = Map.of("SMTP_PROBE_PASSWORD", PASSWORD);

    @Test
    void readsAnMxDomainWithTheMxDefaults() throws Exception {
        assertThat(TargetSpec.parse("mx:gmail.com", Map.of())).isEqualTo(new TargetConfig("gmail.com", null,
                "gmail.com", 2, 25, Mode.SMTP, null, ExpectSetting.AUTO, Route.AUTO, StartTls.OPPORTUNISTIC,
                TlsConfig.DEFAULT, null, null));
    }

    @Test
    void readsANamedMxWithQueryKeys() throws Exception {
        TargetConfig target = TargetSpec.parse("google=mx:gmail.com?mx_hosts=3&expect=blocked&route=internet",
                Map.of());

        assertThat(target).isEqualTo(new TargetConfig("google", null, "gmail.com", 3, 25, Mode.SMTP, null,
                ExpectSetting.BLOCKED, Route.INTERNET, StartTls.OPPORTUNISTIC, TlsConfig.DEFAULT, null, null));
    }

    @Test
    void readsASubmissionRelayWithAUserWhosePasswordComesFromTheEnvironment() throws Exception {
        TargetConfig target = TargetSpec.parse(
                "relay=submission://alerts@example.com@smtp.example.net:2587?mail_from=alerts@example.com"
                        + "&rcpt_to=postmaster@example.com&starttls=opportunistic", ENV);

        assertThat(target).isEqualTo(new TargetConfig("relay", "smtp.example.net", null, 0, 2587, Mode.SUBMISSION,
                new AuthConfig("alerts@example.com", new Secret(PASSWORD), "env:SMTP_PROBE_PASSWORD",
                        AuthMechanism.AUTO),
                ExpectSetting.AUTO, Route.AUTO, StartTls.OPPORTUNISTIC, TlsConfig.DEFAULT, "alerts@example.com",
                "postmaster@example.com"));
    }

    @Test
    void decodesAPercentEncodedUser() throws Exception {
        TargetConfig target = TargetSpec.parse("smtps://my%40user@smtp.example.net", ENV);

        assertThat(target.auth().username()).isEqualTo("my@user");
        assertThat(target.port()).isEqualTo(465);
        assertThat(target.name()).isEqualTo("smtp.example.net");
    }

    @Test
    void readsAnIpv6HostInBracketsWithAPort() throws Exception {
        TargetConfig target = TargetSpec.parse("smtp://[2001:db8::25]:2525?route=private", Map.of());

        assertThat(target.host()).isEqualTo("2001:db8::25");
        assertThat(target.port()).isEqualTo(2525);
        assertThat(target.route()).isEqualTo(Route.PRIVATE);
    }

    @Test
    void readsTheRoleOfASmarthostOnAPublicAddress() throws Exception {
        assertThat(TargetSpec.parse("smtp://smarthost.example.com?role=relay", Map.of()).role())
                .isEqualTo(RoleSetting.RELAY);
        assertThat(TargetSpec.parse("smtp://smarthost.example.com", Map.of()).role()).isEqualTo(RoleSetting.AUTO);
    }

    @Test
    void readsATcpControl() throws Exception {
        assertThat(TargetSpec.parse("https=tcp://www.example.com:443", Map.of())).isEqualTo(new TargetConfig(
                "https", "www.example.com", null, 0, 443, Mode.TCP, null, ExpectSetting.AUTO, Route.AUTO,
                StartTls.OFF, TlsConfig.DEFAULT, null, null));
    }

    @Test
    void readsTlsKeysAndWarnsAboutSkippedVerification(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");

        TargetConfig trusted = TargetSpec.parse("submission://relay.example.net?ca_file=" + ca, Map.of());
        TargetConfig insecure = TargetSpec.parse("smtps://relay.example.net?insecure_skip_verify=true", Map.of());

        assertThat(trusted.tls()).isEqualTo(new TlsConfig(ca, false));
        assertThat(insecure.tls()).isEqualTo(new TlsConfig(null, true));
        assertThat(ConfigLoader.builtInDefault().withTargets(List.of(insecure)).warnings()).containsExactly(
                "targets[0].tls.insecure_skip_verify: the certificate of relay.example.net is not verified, so anyone"
                        + " on the path can pose as relay.example.net; use tls.ca_file to trust a private CA instead");
    }

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                Arguments.of("smpt://mx.example.com",
                        "--target \"smpt://mx.example.com\": unknown mode \"smpt\"; use tcp, smtp, submission or smtps"),
                Arguments.of("mx.example.com",
                        "--target \"mx.example.com\": expected MODE://HOST[:PORT] or mx:DOMAIN, where MODE is tcp,"
                                + " smtp, submission or smtps"),
                Arguments.of("tcp://www.example.com",
                        "--target \"tcp://www.example.com\": port: missing; a tcp target needs a port"),
                Arguments.of("smtp://mx.example.com:0",
                        "--target \"smtp://mx.example.com:0\": port: must be between 1 and 65535, found 0"),
                Arguments.of("smtp://mx.example.com:smtp",
                        "--target \"smtp://mx.example.com:smtp\": PORT must be a number, found \"smtp\""),
                Arguments.of("smtp://",
                        "--target \"smtp://\": the host is missing"),
                Arguments.of("smtp://mx..example.com",
                        "--target \"smtp://mx..example.com\": host: not a host name or IP address, found"
                                + " \"mx..example.com\""),
                Arguments.of("smtp://[2001:db8::25:25",
                        "--target \"smtp://[2001:db8::25:25\": an IPv6 address in brackets needs its closing ]"),
                Arguments.of("mx:example..com",
                        "--target \"mx:example..com\": mx: not a domain name, found \"example..com\""),
                Arguments.of("mx:example.com?mx_hosts=many",
                        "--target \"mx:example.com?mx_hosts=many\": mx_hosts: must be a whole number, found \"many\""),
                Arguments.of("mx:example.com?mx_hosts=0",
                        "--target \"mx:example.com?mx_hosts=0\": mx_hosts: must be between 1 and 10, found 0"),
                Arguments.of("mx:example.com?expect=open",
                        "--target \"mx:example.com?expect=open\": expect: must be one of auto, reachable, blocked,"
                                + " found \"open\""),
                Arguments.of("mx:example.com?port=2525",
                        "--target \"mx:example.com?port=2525\": unknown key \"port\"; use ca_file, expect,"
                                + " insecure_skip_verify, mail_from, mx_hosts, rcpt_to, role, route, starttls"),
                Arguments.of("mx:example.com?route=private&route=internet",
                        "--target \"mx:example.com?route=private&route=internet\": route is given twice"),
                Arguments.of("smtps://relay.example.net?insecure_skip_verify=yes",
                        "--target \"smtps://relay.example.net?insecure_skip_verify=yes\": tls.insecure_skip_verify:"
                                + " must be true or false, found \"yes\""),
                Arguments.of("submission://relay.example.net?ca_file=/nonexistent/ca.pem",
                        "--target \"submission://relay.example.net?ca_file=/nonexistent/ca.pem\": tls.ca_file:"
                                + " /nonexistent/ca.pem does not exist"),
                Arguments.of("my relay=submission://relay.example.net",
                        "--target \"my relay=submission://relay.example.net\": NAME must be letters, digits, '.',"
                                + " '-' or '_', found \"my relay\""),
                Arguments.of("submission://probe@relay.example.net",
                        "--target \"submission://probe@relay.example.net\": user \"probe\" needs a password in the"
                                + " environment variable SMTP_PROBE_PASSWORD, which is not set"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSpecs")
    void rejectsABadSpecWithAMessageNamingIt(String spec, String message) {
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> TargetSpec.parse(spec, Map.of()));

        assertThat(error).as(spec).isNotNull();
        assertThat(error.errors()).containsExactly(message);
        assertThat(error.getMessage()).isEqualTo(message);
    }

    @Test
    void refusesAuthOnAnSmtpTargetWithoutShowingThePassword() {
        ConfigException error = catchThrowableOfType(ConfigException.class,
                () -> TargetSpec.parse("smtp://probe@mx.example.com", ENV));

        assertThat(error.errors()).containsExactly("--target \"smtp://probe@mx.example.com\": auth: only submission"
                + " and smtps targets authenticate, found mode smtp");
        assertThat(error.getMessage()).doesNotContain(PASSWORD);
    }

    @Test
    void reportsEveryBadSpecAndANameUsedTwice() {
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> TargetSpec.parseAll(
                List.of("mx:gmail.com", "smtp://mx.example.com:0", "mx:gmail.com?mx_hosts=1"), Map.of()));

        assertThat(error.errors()).containsExactly(
                "--target \"smtp://mx.example.com:0\": port: must be between 1 and 65535, found 0",
                "--target \"mx:gmail.com?mx_hosts=1\": the name gmail.com is already used by --target"
                        + " \"mx:gmail.com\"; give one NAME=");
    }

    @Test
    void parsesSeveralSpecsInOrder() throws Exception {
        List<TargetConfig> targets = TargetSpec.parseAll(List.of("mx:gmail.com", "relay=submission://relay.example.net"),
                Map.of());

        assertThat(targets).extracting(TargetConfig::name).containsExactly("gmail.com", "relay");
    }
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"submission://alice:Secret@smtp.example.net",
        "relay=smtps://alice:Se?cret@smtp.example.net:465", "submission://alice:p@ss:Secret@smtp.example.net?expect=x"})
    void refusesAPasswordInTheUserPartWithoutEverPrintingIt(String spec) {
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> TargetSpec.parse(spec, ENV));

        assertThat(error).isNotNull();
        assertThat(error.errors()).singleElement().asString()
                .contains("a password in USER:PASSWORD@ is never taken from the command line")
                .contains("SMTP_PROBE_PASSWORD")
                .contains(":******@");
        assertThat(error.getMessage()).doesNotContain("Secret").doesNotContain("cret").doesNotContain("ss:");
    }

    @Test
    void namesABracketedIpv6TargetWithoutANamePrefix() throws Exception {
        TargetConfig loopback = TargetSpec.parse("smtp://[::1]:2525", Map.of());
        TargetConfig documentation = TargetSpec.parse("smtp://[2001:db8::25]", Map.of());

        assertThat(loopback.name()).isEqualTo("0::1");
        assertThat(loopback.host()).isEqualTo("::1");
        assertThat(loopback.port()).isEqualTo(2525);
        assertThat(documentation.name()).isEqualTo("2001:db8::25");
    }

    @Test
    void reportsAMalformedPercentEscapeAsAnError() {
        ConfigException error = catchThrowableOfType(ConfigException.class,
                () -> TargetSpec.parse("submission://bad%zzuser@smtp.example.net?mail_from=a%", ENV));

        assertThat(error.errors()).containsExactly(
                "--target \"submission://bad%zzuser@smtp.example.net?mail_from=a%\": USER has a malformed percent"
                        + " escape (write % as %25), found \"bad%zzuser\"",
                "--target \"submission://bad%zzuser@smtp.example.net?mail_from=a%\": the value of \"mail_from\" has a"
                        + " malformed percent escape (write % as %25), found \"a%\"");
    }

    @Test
    void escapesControlCharactersOfASpecInItsErrors() {
        ConfigException error = catchThrowableOfType(ConfigException.class,
                () -> TargetSpec.parse("smtp://mx.example.com\r\nFAKE: \u001b[2J?expect=x", Map.of()));

        assertThat(error.getMessage()).doesNotContain("\r").doesNotContain("\u001b")
                .startsWith("--target \"smtp://mx.example.com\\r\\nFAKE: \\x1b[2J?expect=x\": ");
    }

    @Test
    void refusesABareIpv6HostWhosePortCannotBeToldApart() {
        ConfigException error = catchThrowableOfType(ConfigException.class,
                () -> TargetSpec.parse("smtps://alice@::1:25", ENV));

        assertThat(error.errors()).containsExactly("--target \"smtps://alice@::1:25\": an IPv6 address goes in"
                + " brackets, so that a port can follow it: [2001:db8::25] or [2001:db8::25]:25");
    }
}
