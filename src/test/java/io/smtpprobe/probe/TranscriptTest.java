package io.smtpprobe.probe;

import static io.smtpprobe.testing.SubethaRelay.PASSWORD;
import static io.smtpprobe.testing.SubethaRelay.USER;
import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.AuthMechanism;
import io.smtpprobe.config.Mode;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.SubethaRelay;
import io.smtpprobe.testing.Targets;
import io.smtpprobe.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --transcript} shows the conversation as {@code C:}/{@code S:} lines and {@code --} notes only:
 * AUTH with its payload redacted, every server reply line, control characters escaped, no library
 * debug lines and no stack traces.
 */
class TranscriptTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    static Path caFile;
    static SSLContext relayTls;

    private final ProberFixture fixture = new ProberFixture(TIMEOUT, true);

    @BeforeAll
    static void certificates() throws Exception {
        TestCertificates authority = TestCertificates.authority("transcript CA");
        caFile = authority.writeCaPem(dir.resolve("ca.pem"));
        relayTls = authority.serverContext("localhost");
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private static SubethaRelay relay() {
        return SubethaRelay.start(b -> b.startTlsSocketFactory(relayTls).enableTLS().requireTLS()
                .authenticationHandlerFactory(SubethaRelay.passwordAuth()));
    }

    private ProbeResult submit(SubethaRelay relay, String password, AuthMechanism mechanism) {
        return fixture.probe(Targets.host("localhost", relay.port(), Mode.SUBMISSION).caFile(caFile)
                .auth(USER, password, mechanism).build());
    }

    @Test
    void showsAuthPlainWithItsPayloadRedactedAndThe535ThatAnsweredIt() {
        try (SubethaRelay relay = relay()) {
            ProbeResult result = submit(relay, "not-the-password", AuthMechanism.PLAIN);

            assertThat(result.outcome()).isEqualTo(Outcome.AUTH_REJECTED);
            List<String> lines = result.transcript().lines().toList();
            assertThat(lines).contains("C: AUTH PLAIN <redacted>").anyMatch(l -> l.startsWith("S: 535 "));
            assertThat(result.transcript()).doesNotContain("not-the-password")
                    .doesNotContain(b64("\0" + USER + "\0not-the-password"))
                    .doesNotContain(b64(USER + "\0" + USER + "\0not-the-password"));
            assertOnlyConversationLines(result.transcript());
        }
    }

    @Test
    void showsAuthLoginChallengesAndRedactsEachAnswer() {
        try (SubethaRelay relay = relay()) {
            ProbeResult result = submit(relay, PASSWORD, AuthMechanism.LOGIN);

            assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
            assertThat(result.transcript()).containsSubsequence("C: AUTH LOGIN\n", "S: 334 VXNlcm5hbWU6\n",
                    "C: <redacted>\n", "S: 334 UGFzc3dvcmQ6\n", "C: <redacted>\n", "S: 235 ");
            assertThat(result.transcript()).doesNotContain(b64(PASSWORD)).doesNotContain(b64(USER))
                    .doesNotContain(PASSWORD);
            assertOnlyConversationLines(result.transcript());
        }
    }

    @Test
    void showsEveryLineOfAMultiLineReplyAndTheTlsSession() {
        try (SubethaRelay relay = relay()) {
            ProbeResult result = submit(relay, PASSWORD, AuthMechanism.PLAIN);

            // Both EHLO replies, line by line, around the TLS session.
            assertThat(result.transcript()).containsSubsequence("S: 220 ", "C: EHLO probe.test", "S: 250-",
                    "S: 250 ", "C: STARTTLS", "S: 220 ", "-- TLS established: TLSv1.", "certificate verified",
                    "C: EHLO probe.test", "S: 250-", "AUTH", "C: QUIT", "S: 221 ");
            assertOnlyConversationLines(result.transcript());
        }
    }

    @Test
    void escapesAnsiEscapesAndOtherControlCharactersTheServerSends() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(peer -> {
            peer.send("220 mx.test \u001b[31mred\u001b[0m ESMTP \u0007bell\rreturn \u009b2J");
            peer.expect("EHLO");
            peer.send("250-mx.test \u001b]0;owned\u0007");
            peer.send("250 8BITMIME");
            peer.expect("QUIT");
            peer.send("221 bye");
        })) {
            ProbeResult result = fixture.probe(Targets.host("127.0.0.1", server.port(), Mode.SMTP).build());

            assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
            assertThat(result.transcript()).contains(
                    "S: 220 mx.test \\x1b[31mred\\x1b[0m ESMTP \\x07bell\\x0dreturn \\x9b2J\n",
                    "S: 250-mx.test \\x1b]0;owned\\x07\n");
            assertThat(result.transcript().chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
            assertThat(result.transcript()).doesNotContain("\u009b");
        }
    }

    @Test
    void saysTheConnectionWasResetInsteadOfAStackTrace() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(peer -> {
            peer.send("220 mx.test ESMTP");
            peer.expect("EHLO");
            peer.reset();
        })) {
            ProbeResult result = fixture.probe(Targets.host("127.0.0.1", server.port(), Mode.SMTP).build());

            assertThat(result.outcome()).isEqualTo(Outcome.PROTOCOL_ERROR);
            assertThat(result.transcript()).isEqualTo("S: 220 mx.test ESMTP\nC: EHLO probe.test\n"
                    + "-- connection reset by peer\n");
            assertThat(result.detail()).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void saysTheServerClosedTheConnection() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(peer -> {
            peer.send("220 mx.test ESMTP");
            peer.expect("EHLO");
        })) {
            ProbeResult result = fixture.probe(Targets.host("127.0.0.1", server.port(), Mode.SMTP).build());

            assertThat(result.outcome()).isEqualTo(Outcome.PROTOCOL_ERROR);
            // Angus tries HELO on the half-closed connection; the transcript shows what went on the wire.
            assertThat(result.transcript()).startsWith("S: 220 mx.test ESMTP\nC: EHLO probe.test\n"
                    + "-- the server closed the connection\n");
            assertOnlyConversationLines(result.transcript());
        }
    }

    /** No library debug output, no stack trace: every line is C:, S: or a -- note. */
    static void assertOnlyConversationLines(String transcript) {
        assertThat(transcript.lines()).isNotEmpty().allSatisfy(line -> assertThat(line).matches("(C: |S: |-- ).*"));
        assertThat(transcript).doesNotContain("DEBUG").doesNotContain("\tat ").doesNotContain("Exception");
    }

    private static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
