package io.smtpprobe.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.AuthConfig;
import io.smtpprobe.config.AuthMechanism;
import io.smtpprobe.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The second line of defence behind Angus Mail's own trace suppression: transcripts recorded with
 * the AUTH exchange visible (as a server-side log or a future Angus default would show it).
 */
class TranscriptRedactorTest {
    private static final String USER = "relay-user";
    private static final String PASSWORD = "s3cret-Pa55word";
    private static final AuthConfig AUTH = new AuthConfig(USER, new Secret(PASSWORD), "test", AuthMechanism.AUTO);
    private final TranscriptRedactor redactor = new TranscriptRedactor();

    @Test
    void redactsAnAuthPlainInitialResponse() {
        String plain = b64(USER + "\0" + USER + "\0" + PASSWORD);
        String transcript = "EHLO probe.test\n250-relay.test\n250 AUTH PLAIN LOGIN\nAUTH PLAIN " + plain
                + "\n235 2.7.0 Authentication successful\nQUIT\n221 bye";

        String redacted = redactor.redact(transcript, AUTH);

        assertThat(redacted).contains("AUTH <redacted>", "235 2.7.0 Authentication successful", "QUIT", "221 bye")
                .doesNotContain(plain).doesNotContain(PASSWORD);
    }

    @Test
    void redactsTheContinuationLinesOfAuthLogin() {
        String transcript = "AUTH LOGIN\n334 VXNlcm5hbWU6\n" + b64(USER) + "\n334 UGFzc3dvcmQ6\n" + b64(PASSWORD)
                + "\n535 5.7.8 Authentication credentials invalid\nQUIT\n221 bye";

        String redacted = redactor.redact(transcript, AUTH);

        assertThat(redacted.split("\n")).containsExactly("AUTH <redacted>", "334 VXNlcm5hbWU6", "AUTH <redacted>",
                "334 UGFzc3dvcmQ6", "AUTH <redacted>", "535 5.7.8 Authentication credentials invalid", "QUIT", "221 bye");
    }

    @Test
    void masksThePasswordWhereverElseItAppears() {
        String transcript = "DEBUG SMTP: something echoed " + PASSWORD + " and " + b64("\0" + USER + "\0" + PASSWORD);

        assertThat(redactor.redact(transcript, AUTH)).doesNotContain(PASSWORD)
                .doesNotContain(b64("\0" + USER + "\0" + PASSWORD)).contains("<redacted>");
    }

    @Test
    void redactsTheXoauth2InitialResponseAndMasksTheTokenAndTheAppSecret() {
        String token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlMzY1LmNvbSJ9.c2ln";
        String secret = "app-Secret~4f9Q";
        AuthConfig oauth = new AuthConfig("alerts@contoso.com", new Secret(token), "oauth", AuthMechanism.XOAUTH2,
                new io.smtpprobe.config.OAuthConfig("contoso.onmicrosoft.com", "11111111-2222-3333-4444-555555555555",
                        new Secret(secret), "test", "https://outlook.office365.com/.default",
                        java.net.URI.create("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"),
                        false));
        String initial = b64("user=alerts@contoso.com\u0001auth=Bearer " + token + "\u0001\u0001");
        String transcript = "AUTH XOAUTH2 " + initial + "\n334 eyJzdGF0dXMiOiI0MDEifQ==\n\n535 5.7.3 Authentication"
                + " unsuccessful\nDEBUG SMTP: echoed " + initial + " " + token + " " + secret + "\nQUIT\n221 bye";

        String redacted = redactor.redact(transcript, oauth);

        assertThat(redacted).startsWith("AUTH <redacted>\n334 eyJzdGF0dXMiOiI0MDEifQ==\n\n535 5.7.3")
                .doesNotContain(initial).doesNotContain(token).doesNotContain(secret).contains("QUIT\n221 bye");
    }

    @Test
    void leavesAConversationWithoutAuthAlone() {
        String transcript = "220 mx.test ESMTP\nEHLO probe.test\n250 mx.test\nQUIT\n221 bye";

        assertThat(redactor.redact(transcript, null)).isEqualTo(transcript);
    }

    private static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
