package io.smtpprobe.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.AuthMechanism;
import io.smtpprobe.config.Mode;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.Targets;
import io.smtpprobe.testing.TestCertificates;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hostile relay that echoes what AUTH PLAIN sent, altered (issue 14 item 9): none of the forms gets
 * into the result's reply, detail or transcript.
 */
class EchoedSecretTest {
    private static final String USER = "relay-user";
    private static final String PASSWORD = "Zq7/never+shown=hunter2";

    static SSLContext tls;

    private final ProberFixture fixture = new ProberFixture(Duration.ofSeconds(10), true);

    @BeforeAll
    static void certificates() throws Exception {
        tls = TestCertificates.authority("echo CA").serverContext("127.0.0.1");
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    static Stream<Arguments> echoes() {
        return Stream.of(
                Arguments.of("base64 without padding", (UnaryOperator<String>) payload -> payload.replace("=", "")),
                Arguments.of("a prefix of the password", (UnaryOperator<String>) payload -> PASSWORD.substring(0, 9)),
                Arguments.of("a prefix of the payload", (UnaryOperator<String>) payload -> payload.substring(0, 24)),
                Arguments.of("URL-encoded", (UnaryOperator<String>) payload -> URLEncoder.encode(PASSWORD,
                        StandardCharsets.UTF_8)),
                Arguments.of("hex-encoded", (UnaryOperator<String>) payload -> HexFormat.of()
                        .formatHex(PASSWORD.getBytes(StandardCharsets.UTF_8))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("echoes")
    void anEchoedSecretReachesNoReplyDetailOrTranscript(String form, UnaryOperator<String> alter) throws Exception {
        String[] echoed = new String[1];
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start(peer -> {
            peer.greetAndAcceptStarttls("220 relay.test ESMTP", "STARTTLS");
            peer.startTls(tls);
            peer.expect("EHLO");
            for (String line : ScriptedSmtpServer.ehloReply("AUTH PLAIN")) {
                peer.send(line);
            }
            String auth = peer.expect("AUTH PLAIN");
            echoed[0] = alter.apply(auth.substring(auth.lastIndexOf(' ') + 1));
            // On the last line (the reply) and on the second line of a multi-line reply.
            peer.send("535-5.7.8 rejected");
            peer.send("535-5.7.8 you sent " + echoed[0]);
            peer.send("535 5.7.8 authentication failed for " + echoed[0]);
            peer.answerEverything("221 bye");
        })) {
            ProbeResult result = fixture.probe(Targets.host("127.0.0.1", relay.port(), Mode.SUBMISSION)
                    .insecureSkipVerify().auth(USER, PASSWORD, AuthMechanism.PLAIN).build());

            assertThat(result.outcome()).isEqualTo(Outcome.AUTH_REJECTED);
            assertThat(echoed[0]).isNotBlank();
            assertThat(result.reply()).isEqualTo("535 5.7.8 authentication failed for <redacted>");
            assertThat(result.transcript()).contains("S: 535-5.7.8 you sent <redacted>\n");
            for (String text : new String[] {result.reply(), result.detail(), result.transcript()}) {
                assertThat(text).doesNotContain(echoed[0]).doesNotContain(PASSWORD)
                        .doesNotContain(PASSWORD.substring(0, 9));
            }
        }
    }
}
