package io.smtpprobe.probe.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.AuthConfig;
import io.smtpprobe.config.AuthMechanism;
import io.smtpprobe.config.Secret;
import io.smtpprobe.probe.net.Transcript;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Our secrets never come back out of server text, whatever form a hostile server echoes them in. */
class SecretMaskTest {
    private static final String USER = "relay-user";
    private static final String PASSWORD = "s3cret/Pa55+word=";
    private static final AuthConfig AUTH = new AuthConfig(USER, new Secret(PASSWORD), "test", AuthMechanism.AUTO);
    private final SecretMask mask = new SecretMask();

    private String masked(String echo) {
        return mask.redact("535 5.7.8 authentication failed for " + echo + " (try again)", AUTH);
    }

    @Test
    void masksThePasswordAsItIs() {
        assertThat(masked(PASSWORD)).isEqualTo("535 5.7.8 authentication failed for <redacted> (try again)");
    }

    @Test
    void masksTheAuthPlainPayloadAndTheBase64OfThePasswordWithAndWithoutPadding() {
        String plain = b64("\0" + USER + "\0" + PASSWORD);
        String password = b64(PASSWORD);
        String unpadded = password.replace("=", "");

        assertThat(masked(plain)).doesNotContain(plain).contains("<redacted>");
        assertThat(masked(unpadded)).isEqualTo("535 5.7.8 authentication failed for <redacted> (try again)");
        assertThat(masked(b64(USER + "\0" + USER + "\0" + PASSWORD).replace("=", ""))).doesNotContain(unpadded)
                .endsWith("<redacted> (try again)");
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));
        assertThat(masked(urlSafe)).isEqualTo("535 5.7.8 authentication failed for <redacted> (try again)");
    }

    /** Issue 23: the forms a hostile relay's 535 used to get through. */
    @Test
    void masksThePasswordInAnyCaseReversedAndSpacedApart() {
        String redacted = "535 5.7.8 authentication failed for <redacted> (try again)";
        assertThat(masked(PASSWORD.toUpperCase(java.util.Locale.ROOT))).isEqualTo(redacted);
        assertThat(masked(new StringBuilder(PASSWORD).reverse().toString())).isEqualTo(redacted);
        assertThat(masked(String.join(" ", PASSWORD.split("")))).isEqualTo(redacted);
        assertThat(masked(String.join("-", PASSWORD.split("")))).isEqualTo(redacted);
    }

    @Test
    void masksTheBase64OfUserColonPasswordAtEveryAlignment() {
        String userColonPassword = USER + ":" + PASSWORD;
        for (String before : java.util.List.of("", "x", "xy")) {
            String encoded = b64(before + userColonPassword);
            // The first group holds the bytes before; everything after it encodes the credentials.
            String credentials = encoded.substring(4);
            assertThat(masked(credentials)).as("after %d other bytes", before.length())
                    .isEqualTo("535 5.7.8 authentication failed for <redacted> (try again)");
        }
    }

    @Test
    void masksAPrefixOfThePasswordOrOfItsBase64() {
        assertThat(masked(PASSWORD.substring(0, 8))).isEqualTo("535 5.7.8 authentication failed for <redacted> (try again)");
        String plain = b64("\0" + USER + "\0" + PASSWORD);
        assertThat(masked(plain.substring(0, plain.length() - 5))).doesNotContain(plain.substring(0, 12));
    }

    @Test
    void masksTheUrlEncodedPassword() {
        String encoded = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
        assertThat(encoded).isNotEqualTo(PASSWORD);

        assertThat(masked(encoded)).isEqualTo("535 5.7.8 authentication failed for <redacted> (try again)");
        assertThat(masked("%73%33%63%72%65%74%2F%50")).isEqualTo(
                "535 5.7.8 authentication failed for <redacted> (try again)");
    }

    @Test
    void masksTheHexEncodedPasswordInEitherCase() {
        String hex = HexFormat.of().formatHex(PASSWORD.getBytes(StandardCharsets.UTF_8));

        assertThat(masked(hex)).isEqualTo("535 5.7.8 authentication failed for <redacted> (try again)");
        assertThat(masked(hex.toUpperCase())).isEqualTo("535 5.7.8 authentication failed for <redacted> (try again)");
    }

    @Test
    void masksTheSecondLineOfAMultiLineReply() {
        String reply = "535-5.7.8 authentication failed\n535-5.7.8 you sent " + PASSWORD + "\n535 5.7.8 bye";

        assertThat(mask.redact(reply, AUTH)).isEqualTo(
                "535-5.7.8 authentication failed\n535-5.7.8 you sent <redacted>\n535 5.7.8 bye");
    }

    @Test
    void masksTheXoauth2InitialResponseTheTokenAndTheAppSecret() {
        String token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlMzY1LmNvbSJ9.c2ln";
        String secret = "app-Secret~4f9Q";
        AuthConfig oauth = new AuthConfig("alerts@contoso.com", new Secret(token), "oauth", AuthMechanism.XOAUTH2,
                new io.smtpprobe.config.OAuthConfig("contoso.onmicrosoft.com", "11111111-2222-3333-4444-555555555555",
                        new Secret(secret), "test", "https://outlook.office365.com/.default",
                        java.net.URI.create("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"),
                        false));
        String initial = b64("user=alerts@contoso.com\u0001auth=Bearer " + token + "\u0001\u0001");

        String redacted = mask.redact("535 5.7.3 echoed " + initial + " " + token + " " + secret, oauth);

        assertThat(redacted).isEqualTo("535 5.7.3 echoed <redacted> <redacted> <redacted>");
    }

    @Test
    void masksAPasswordOfBackslashesAndControlCharactersInTheEscapedFormATranscriptShowsIt() {
        // Every run of six characters of the escaped form holds a backslash the raw password lacks there.
        String password = "a\\b\tc\\d\u001be\\f";
        AuthConfig auth = new AuthConfig(USER, new Secret(password), "test", AuthMechanism.AUTO);
        String transcript = "S: 535 5.7.8 bad password " + Transcript.printable(password) + "\n";

        assertThat(mask.redact(transcript, auth)).isEqualTo("S: 535 5.7.8 bad password <redacted>\n");
    }

    @Test
    void leavesTextWithoutSecretsAlone() {
        String transcript = "S: 220 mx.test ESMTP\nC: EHLO probe.test\nS: 250 mx.test\nC: QUIT\nS: 221 bye\n";

        assertThat(mask.redact(transcript, AUTH)).isEqualTo(transcript);
        assertThat(mask.redact(transcript, null)).isEqualTo(transcript);
    }

    private static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
