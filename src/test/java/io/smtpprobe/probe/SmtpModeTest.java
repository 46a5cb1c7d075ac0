package io.smtpprobe.probe;

import static io.smtpprobe.testing.SubethaRelay.PASSWORD;
import static io.smtpprobe.testing.SubethaRelay.USER;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.smtpprobe.config.AuthMechanism;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.testing.GreenMailSetups;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.SubethaRelay;
import io.smtpprobe.testing.Targets;
import io.smtpprobe.testing.TestCertificates;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The smtp (port 25) and smtps (implicit TLS, RFC 8314) modes against GreenMail and SubEthaSMTP. */
class SmtpModeTest {
    /** No test here waits for the deadline: a budget CPU starvation on a loaded machine cannot use up. */
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(
            GreenMailSetups.loopback(ServerSetupTest.SMTP, ServerSetupTest.SMTPS));

    @TempDir
    static Path dir;

    static TestCertificates authority;
    static Path caFile;
    static javax.net.ssl.SSLContext localhostServer;

    private final ProberFixture fixture = new ProberFixture(TIMEOUT, true);

    @BeforeAll
    static void certificates() throws Exception {
        authority = TestCertificates.authority("smtp-probe test CA");
        caFile = authority.writeCaPem(dir.resolve("ca.pem"));
        localhostServer = authority.serverContext("localhost");
    }

    @BeforeEach
    void users() {
        greenMail.setUser("relay-user@relay.test", USER, PASSWORD);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    @Nested
    class Smtp {
        @Test
        void greetsAndSaysEhloToGreenMail() {
            ProbeResult result = fixture.probe(
                    Targets.host("localhost", greenMail.getSmtp().getPort(), Mode.SMTP).build());

            assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
            assertThat(result.phases()).containsKeys(Phase.DNS, Phase.CONNECT, Phase.GREETING, Phase.EHLO, Phase.TOTAL)
                    .doesNotContainKeys(Phase.STARTTLS, Phase.AUTH, Phase.MAIL);
            assertThat(result.tls()).isNull();
            assertThat(result.reply()).startsWith("250");
            assertThat(result.transcript()).contains("EHLO probe.test").contains("QUIT");
            assertThat(greenMail.getReceivedMessages()).isEmpty();
        }

        @Test
        void reportsStarttlsUnavailableWhenRequiredAndNotOffered() {
            ProbeResult result = fixture.probe(Targets.host("localhost", greenMail.getSmtp().getPort(), Mode.SMTP)
                    .starttls(StartTls.REQUIRED).build());

            assertThat(result.outcome()).isEqualTo(Outcome.STARTTLS_UNAVAILABLE);
        }

        @Test
        void upgradesWithStarttlsWhenOfferedAndVerifiesTheCertificate() throws Exception {
            try (SubethaRelay mx = SubethaRelay.start(b -> b.startTlsSocketFactory(localhostServer)
                    .enableTLS())) {
                ProbeResult result = fixture.probe(Targets.host("localhost", mx.port(), Mode.SMTP).caFile(caFile).build());

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.phases()).containsKeys(Phase.GREETING, Phase.EHLO, Phase.STARTTLS);
                assertThat(result.tls().certificateSubject()).isEqualTo("CN=localhost");
            }
        }

        @Test
        void staysInPlainTextWhenStarttlsIsOff() throws Exception {
            try (SubethaRelay mx = SubethaRelay.start(b -> b.startTlsSocketFactory(localhostServer)
                    .enableTLS())) {
                ProbeResult result = fixture.probe(Targets.host("localhost", mx.port(), Mode.SMTP)
                        .starttls(StartTls.OFF).build());

                assertThat(result.outcome()).isEqualTo(Outcome.OK);
                assertThat(result.phases()).doesNotContainKey(Phase.STARTTLS);
                assertThat(result.tls()).isNull();
            }
        }

        @Test
        void usesPort25WhenTheTargetNamesNoPort() throws Exception {
            InetAddress mxAddress = InetAddress.getByName("127.0.25.25");
            try (ScriptedSmtpServer mx = ScriptedSmtpServer.start(mxAddress, 25, peer -> {
                peer.send("220 mx.test ESMTP");
                peer.expect("EHLO");
                peer.send("250 mx.test");
                peer.expect("QUIT");
                peer.send("221 bye");
            })) {
                fixture.resolver.host("mx.test", "127.0.25.25");
                ProbeResult result = fixture.probe(Targets.host("mx.test", 0, Mode.SMTP).build());

                assertThat(result.outcome()).isEqualTo(Outcome.OK);
                assertThat(result.port()).isEqualTo(25);
                assertThat(result.address()).isEqualTo("127.0.25.25");
            }
        }
    }

    /** r2: an MX may accept the greeting and EHLO and refuse only at RCPT (Postfix's smtpd_delay_reject). */
    @Nested
    class Envelope {
        private ScriptedSmtpServer refusingAtRcpt(String refusal) throws Exception {
            return ScriptedSmtpServer.start(peer -> {
                peer.send("220 mx.test ESMTP Postfix");
                peer.expect("EHLO");
                for (String line : ScriptedSmtpServer.ehloReply("PIPELINING", "8BITMIME")) {
                    peer.send(line);
                }
                peer.expect("MAIL FROM:<probe@vm.test>");
                peer.send("250 2.1.0 Ok");
                peer.expect("RCPT TO:<postmaster@mx.test>");
                peer.send(refusal);
                peer.expect("QUIT");
                peer.send("221 2.0.0 Bye");
            });
        }

        @Test
        void reportsARecipientRefusedFor554WithTheReplyKept() throws Exception {
            String refusal = "554 5.7.1 <vm.test[203.0.113.7]>: Client host rejected: listed at zen.spamhaus.example";
            try (ScriptedSmtpServer mx = refusingAtRcpt(refusal)) {
                ProbeResult result = fixture.probe(Targets.host("127.0.0.1", mx.port(), Mode.SMTP)
                        .mailFrom("probe@vm.test").rcptTo("postmaster@mx.test").build());

                assertThat(result.outcome()).isEqualTo(Outcome.RECIPIENT_REJECTED);
                assertThat(result.reply()).isEqualTo(refusal);
                assertThat(result.detail()).contains("554");
                assertThat(result.phases()).containsKey(Phase.MAIL);
                assertThat(mx.received()).noneMatch(line -> line.equalsIgnoreCase("DATA"));
            }
        }

        @Test
        void saysTheSenderWasRefusedWhenPostfixDelaysThatToRcpt() throws Exception {
            String refusal = "553 5.7.1 <probe@vm.test>: Sender address rejected: not owned by user alice";
            try (ScriptedSmtpServer mx = refusingAtRcpt(refusal)) {
                ProbeResult result = fixture.probe(Targets.host("127.0.0.1", mx.port(), Mode.SMTP)
                        .mailFrom("probe@vm.test").rcptTo("postmaster@mx.test").build());

                assertThat(result.outcome()).isEqualTo(Outcome.RECIPIENT_REJECTED);
                assertThat(result.detail()).startsWith("the server refused the sender at RCPT TO")
                        .doesNotContain("refused the recipient");
            }
        }

        @Test
        void reportsARecipientRefusedFor450GreylistingWithTheReplyKept() throws Exception {
            String refusal = "450 4.2.0 <postmaster@mx.test>: Recipient address rejected: Greylisted, try again later";
            try (ScriptedSmtpServer mx = refusingAtRcpt(refusal)) {
                ProbeResult result = fixture.probe(Targets.host("127.0.0.1", mx.port(), Mode.SMTP)
                        .mailFrom("probe@vm.test").rcptTo("postmaster@mx.test").build());

                assertThat(result.outcome()).isEqualTo(Outcome.RECIPIENT_REJECTED);
                assertThat(result.reply()).isEqualTo(refusal);
                assertThat(result.reply()).startsWith("450");
                assertThat(mx.received()).noneMatch(line -> line.equalsIgnoreCase("DATA"));
            }
        }

        @Test
        void sendsTheEnvelopeAfterStarttlsOnPort25() throws Exception {
            try (SubethaRelay mx = SubethaRelay.start(b -> b.startTlsSocketFactory(localhostServer).enableTLS())) {
                ProbeResult result = fixture.probe(Targets.host("localhost", mx.port(), Mode.SMTP).caFile(caFile)
                        .mailFrom("probe@vm.test").rcptTo("postmaster@mx.test").build());

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.transcript()).containsSubsequence("C: STARTTLS", "-- TLS established",
                        "C: MAIL FROM:<probe@vm.test>", "S: 250", "C: RCPT TO:<postmaster@mx.test>", "S: 250",
                        "C: QUIT");
                assertThat(result.transcript()).doesNotContain("C: DATA");
            }
        }
    }

    @Nested
    class Smtps {
        @Test
        void authenticatesOverImplicitTlsOnGreenMail() {
            // GreenMail's built-in certificate is self-signed for another name: skipping verification is the point.
            ProbeResult result = fixture.probe(Targets.host("localhost", greenMail.getSmtps().getPort(), Mode.SMTPS)
                    .insecureSkipVerify().auth(USER, PASSWORD, AuthMechanism.AUTO)
                    .mailFrom("relay-user@relay.test").rcptTo("someone@elsewhere.test").build());

            assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
            assertThat(result.phases()).containsKeys(Phase.CONNECT, Phase.STARTTLS, Phase.GREETING, Phase.EHLO,
                    Phase.AUTH, Phase.MAIL, Phase.TOTAL);
            assertThat(result.tls()).isNotNull();
            assertThat(result.tls().cipher()).isNotBlank();
            SubmissionProbeTest.assertNoSecret(result.transcript());
            assertThat(greenMail.getReceivedMessages()).isEmpty();
        }

        @Test
        void reportsAuthRejectedOverImplicitTls() {
            ProbeResult result = fixture.probe(Targets.host("localhost", greenMail.getSmtps().getPort(), Mode.SMTPS)
                    .insecureSkipVerify().auth(USER, "not-the-password", AuthMechanism.PLAIN).build());

            assertThat(result.outcome()).isEqualTo(Outcome.AUTH_REJECTED);
            assertThat(result.reply()).startsWith("535");
        }

        @Test
        void reportsCertificateInvalidForGreenMailsSelfSignedCertificate() {
            ProbeResult result = fixture.probe(Targets.host("localhost", greenMail.getSmtps().getPort(), Mode.SMTPS)
                    .auth(USER, PASSWORD, AuthMechanism.AUTO).build());

            assertThat(result.outcome()).isEqualTo(Outcome.TLS_CERTIFICATE_INVALID);
            assertThat(result.phases()).containsKey(Phase.STARTTLS).doesNotContainKeys(Phase.GREETING, Phase.AUTH);
        }

        @Test
        void saysTheServerClosedAfterTheHandshakeAndBlamesNoMode() throws Exception {
            try (ScriptedSmtpServer closing = ScriptedSmtpServer.start(peer -> peer.startTls(localhostServer))) {
                ProbeResult result = fixture.probe(Targets.host("localhost", closing.port(), Mode.SMTPS).caFile(caFile)
                        .auth(USER, PASSWORD, AuthMechanism.AUTO).build());

                assertThat(result.outcome()).isEqualTo(Outcome.PROTOCOL_ERROR);
                assertThat(result.detail())
                        .isEqualTo("the server closed the connection after the TLS handshake, before its greeting");
                assertThat(result.tls()).isNotNull();
                assertThat(result.tls().verified()).isTrue();
            }
        }

        @Test
        void reportsTlsHandshakeFailedAgainstAPlainTextPort() {
            ProbeResult result = fixture.probe(Targets.host("localhost", greenMail.getSmtp().getPort(), Mode.SMTPS)
                    .auth(USER, PASSWORD, AuthMechanism.AUTO).build());

            assertThat(result.outcome()).isEqualTo(Outcome.TLS_HANDSHAKE_FAILED);
        }
    }
}
