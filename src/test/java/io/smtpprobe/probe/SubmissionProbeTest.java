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
import java.time.Instant;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Submission on 587 against SubEthaSMTP: STARTTLS, the second EHLO, AUTH, MAIL FROM and RCPT TO. */
class SubmissionProbeTest {
    /** No test here waits for the deadline: a budget CPU starvation on a loaded machine cannot use up. */
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    static TestCertificates authority;
    static Path caFile;
    static SSLContext goodServer;

    private final ProberFixture fixture = new ProberFixture(TIMEOUT, true);

    @BeforeAll
    static void certificates() throws Exception {
        authority = TestCertificates.authority("smtp-probe test CA");
        caFile = authority.writeCaPem(dir.resolve("ca.pem"));
        goodServer = authority.serverContext("localhost");
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private static Targets submission(SubethaRelay relay) {
        return Targets.host("localhost", relay.port(), Mode.SUBMISSION).caFile(caFile);
    }

    private static SubethaRelay relay(SSLContext tls) {
        return SubethaRelay.start(b -> b.startTlsSocketFactory(tls).enableTLS().requireTLS()
                .authenticationHandlerFactory(SubethaRelay.passwordAuth()));
    }

    @Nested
    class Succeeds {
        @Test
        void authenticatesWithPlainOverStartTlsAndTimesEveryPhase() throws Exception {
            try (SubethaRelay relay = relay(goodServer)) {
                ProbeResult result = fixture.probe(submission(relay).auth(USER, PASSWORD, AuthMechanism.PLAIN)
                        .mailFrom("probe@vm.test").rcptTo("postmaster@relay.test").build());

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.phases()).containsKeys(Phase.DNS, Phase.CONNECT, Phase.GREETING, Phase.EHLO,
                        Phase.STARTTLS, Phase.AUTH, Phase.MAIL, Phase.TOTAL);
                Duration sum = result.phases().entrySet().stream().filter(e -> e.getKey() != Phase.TOTAL)
                        .map(java.util.Map.Entry::getValue).reduce(Duration.ZERO, Duration::plus);
                assertThat(sum).isLessThanOrEqualTo(result.total());
                assertThat(result.tls()).isNotNull();
                assertThat(result.tls().version()).startsWith("TLSv1.");
                assertThat(result.tls().certificateSubject()).isEqualTo("CN=localhost");
                assertThat(result.tls().certificateExpiry()).isAfter(Instant.now());
                assertThat(result.reply()).startsWith("250");
                assertNoSecret(result.transcript());
                assertThat(result.transcript()).contains("STARTTLS").contains("MAIL FROM:<probe@vm.test>");
            }
        }

        @Test
        void authenticatesWithLoginAndKeepsThePasswordOutOfTheTranscript() throws Exception {
            try (SubethaRelay relay = relay(goodServer)) {
                ProbeResult result = fixture.probe(submission(relay).auth(USER, PASSWORD, AuthMechanism.LOGIN).build());

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.phases()).containsKey(Phase.AUTH).doesNotContainKey(Phase.MAIL);
                assertThat(result.transcript()).contains("AUTH LOGIN");
                assertNoSecret(result.transcript());
            }
        }

        @Test
        void connectsWithoutAuthWhenNoCredentialsAreConfigured() throws Exception {
            try (SubethaRelay relay = relay(goodServer)) {
                ProbeResult result = fixture.probe(submission(relay).build());

                assertThat(result.outcome()).isEqualTo(Outcome.OK);
                assertThat(result.phases()).containsKey(Phase.STARTTLS).doesNotContainKey(Phase.AUTH);
            }
        }
    }

    @Nested
    class Refuses {
        @Test
        void reportsAuthRejectedOn535() throws Exception {
            try (SubethaRelay relay = relay(goodServer)) {
                ProbeResult result = fixture.probe(submission(relay).auth(USER, "wrong-password", AuthMechanism.AUTO).build());

                assertThat(result.outcome()).isEqualTo(Outcome.AUTH_REJECTED);
                assertThat(result.reply()).startsWith("535");
                assertThat(result.detail()).doesNotContain("wrong-password");
                assertThat(result.transcript()).doesNotContain("wrong-password");
            }
        }

        @Test
        void reportsAuthTempfailOn454() throws Exception {
            try (SubethaRelay relay = SubethaRelay.start(b -> b.startTlsSocketFactory(goodServer).enableTLS().requireTLS()
                    .authenticationHandlerFactory(
                            SubethaRelay.authFailing(454, "4.7.0 Temporary authentication failure", "PLAIN", "LOGIN")))) {
                ProbeResult result = fixture.probe(submission(relay).auth(USER, PASSWORD, AuthMechanism.AUTO).build());

                assertThat(result.outcome()).isEqualTo(Outcome.AUTH_TEMPFAIL);
                assertThat(result.reply()).startsWith("454");
            }
        }

        @Test
        void reportsAuthUnavailableWhenNoAuthIsOfferedAfterTls() throws Exception {
            try (SubethaRelay relay = SubethaRelay.start(b -> b.startTlsSocketFactory(goodServer).enableTLS().requireTLS())) {
                ProbeResult result = fixture.probe(submission(relay).auth(USER, PASSWORD, AuthMechanism.AUTO).build());

                assertThat(result.outcome()).isEqualTo(Outcome.AUTH_UNAVAILABLE);
                assertThat(result.phases()).containsKey(Phase.STARTTLS).doesNotContainKey(Phase.AUTH);
            }
        }

        @Test
        void reportsAuthUnavailableWhenNoMechanismIsShared() throws Exception {
            try (SubethaRelay relay = SubethaRelay.start(b -> b.startTlsSocketFactory(goodServer).enableTLS().requireTLS()
                    .authenticationHandlerFactory(SubethaRelay.authFailing(535, "5.7.8 no", "CRAM-MD5")))) {
                ProbeResult result = fixture.probe(submission(relay).auth(USER, PASSWORD, AuthMechanism.AUTO).build());

                assertThat(result.outcome()).isEqualTo(Outcome.AUTH_UNAVAILABLE);
                assertThat(result.detail()).contains("PLAIN, LOGIN");
            }
        }

        @Test
        void reportsSenderRejected() throws Exception {
            try (SubethaRelay relay = SubethaRelay.start(b -> b.startTlsSocketFactory(goodServer).enableTLS().requireTLS()
                    .authenticationHandlerFactory(SubethaRelay.passwordAuth())
                    .fromAddressValidator(from -> !from.endsWith("@spoofed.test")))) {
                ProbeResult result = fixture.probe(submission(relay).auth(USER, PASSWORD, AuthMechanism.AUTO)
                        .mailFrom("someone@spoofed.test").rcptTo("postmaster@relay.test").build());

                assertThat(result.outcome()).isEqualTo(Outcome.SENDER_REJECTED);
                assertThat(result.reply()).startsWith("5");
                assertThat(result.phases()).containsKeys(Phase.AUTH, Phase.MAIL);
            }
        }

        @Test
        void reportsRecipientRejected() throws Exception {
            try (SubethaRelay relay = relay(goodServer)) {
                ProbeResult result = fixture.probe(submission(relay).auth(USER, PASSWORD, AuthMechanism.AUTO)
                        .mailFrom("probe@vm.test").rcptTo("nobody@relay.test").build());

                assertThat(result.outcome()).isEqualTo(Outcome.RECIPIENT_REJECTED);
                assertThat(result.reply()).startsWith("550 5.1.1");
            }
        }
    }

    @Nested
    class Certificates {
        @Test
        void reportsCertificateInvalidWhenExpired() throws Exception {
            try (SubethaRelay relay = relay(authority.expiredServerContext("localhost"))) {
                ProbeResult result = fixture.probe(submission(relay).auth(USER, PASSWORD, AuthMechanism.AUTO).build());

                assertThat(result.outcome()).isEqualTo(Outcome.TLS_CERTIFICATE_INVALID);
                assertThat(result.detail()).containsIgnoringCase("expired");
                assertThat(result.phases()).containsKey(Phase.STARTTLS).doesNotContainKey(Phase.AUTH);
            }
        }

        @Test
        void reportsCertificateInvalidWhenTheNameDoesNotMatch() throws Exception {
            try (SubethaRelay relay = relay(authority.serverContext("wrong-name.test"))) {
                ProbeResult result = fixture.probe(submission(relay).auth(USER, PASSWORD, AuthMechanism.AUTO).build());

                assertThat(result.outcome()).isEqualTo(Outcome.TLS_CERTIFICATE_INVALID);
                assertThat(result.detail()).contains("localhost");
            }
        }

        @Test
        void reportsCertificateInvalidWhenTheCaIsNotTrusted() throws Exception {
            SSLContext otherCa = TestCertificates.authority("some other CA").serverContext("localhost");
            try (SubethaRelay relay = relay(otherCa)) {
                ProbeResult result = fixture.probe(submission(relay).auth(USER, PASSWORD, AuthMechanism.AUTO).build());

                assertThat(result.outcome()).isEqualTo(Outcome.TLS_CERTIFICATE_INVALID);
                assertThat(result.detail()).containsIgnoringCase("path");
            }
        }

        @Test
        void acceptsAnyCertificateWithInsecureSkipVerify() throws Exception {
            SSLContext otherCa = TestCertificates.authority("some other CA").serverContext("wrong-name.test");
            try (SubethaRelay relay = relay(otherCa)) {
                ProbeResult result = fixture.probe(Targets.host("localhost", relay.port(), Mode.SUBMISSION)
                        .insecureSkipVerify().auth(USER, PASSWORD, AuthMechanism.AUTO).build());

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.tls().certificateSubject()).isEqualTo("CN=wrong-name.test");
            }
        }

        @Test
        void reportsErrorForAnUnreadableCaFileWithoutConnecting() throws Exception {
            try (SubethaRelay relay = relay(goodServer)) {
                ProbeResult result = fixture.probe(Targets.host("localhost", relay.port(), Mode.SUBMISSION)
                        .caFile(dir.resolve("missing-ca.pem")).build());

                assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
                assertThat(result.detail()).contains("tls.ca_file").contains("missing-ca.pem");
                assertThat(result.phases()).doesNotContainKey(Phase.CONNECT);
            }
        }

        @Test
        void aProbeWhoseCaFileIsMissingEndsAsALocalErrorBeforeItConnects() throws Exception {
            Path missing = dir.resolve("missing-ca.pem");
            try (ProberFixture fixture = new ProberFixture(Duration.ofSeconds(5));
                    ScriptedSmtpServer server = ScriptedSmtpServer.start(peer -> peer.send("220 mail.test ESMTP"))) {
                ProbeResult result = fixture.probe(
                        Targets.host("localhost", server.port(), Mode.SUBMISSION).caFile(missing).build());

                // The trust is loaded in setup even though the TLS context is made only when TLS starts:
                // a bad CA file is our fault, never the relay's.
                assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
                assertThat(result.detail()).contains("cannot read tls.ca_file " + missing);
                assertThat(server.accepted()).isZero();
            }
        }
    }

    @Nested
    class WithoutTls {
        @Test
        void reportsStarttlsUnavailableAndNeverSendsThePasswordWhenAuthIsOfferedInPlainText() throws Exception {
            try (ScriptedSmtpServer server = ScriptedSmtpServer.start(peer -> {
                peer.send("220 relay.test ESMTP");
                peer.expect("EHLO");
                for (String line : ScriptedSmtpServer.ehloReply("AUTH PLAIN LOGIN", "AUTH=PLAIN LOGIN", "8BITMIME")) {
                    peer.send(line);
                }
                peer.answerEverything("221 bye");
            })) {
                ProbeResult result = fixture.probe(Targets.host("localhost", server.port(), Mode.SUBMISSION)
                        .auth(USER, PASSWORD, AuthMechanism.AUTO).build());

                assertThat(result.outcome()).isEqualTo(Outcome.STARTTLS_UNAVAILABLE);
                assertThat(result.phases()).doesNotContainKeys(Phase.STARTTLS, Phase.AUTH);
                assertThat(server.received()).noneMatch(line -> line.toUpperCase().startsWith("AUTH"));
                assertNoSecret(server.receivedText());
                assertNoSecret(result.transcript());
            }
        }

        @Test
        void reportsStarttlsUnavailableWhenTheServerOnlySpeaksHelo() throws Exception {
            try (ScriptedSmtpServer server = ScriptedSmtpServer.start(peer -> {
                peer.send("220 relay.test SMTP");
                peer.expect("EHLO");
                peer.send("500 unrecognized command");
                peer.expect("HELO");
                peer.send("250 relay.test");
                peer.answerEverything("221 bye");
            })) {
                ProbeResult result = fixture.probe(Targets.host("localhost", server.port(), Mode.SUBMISSION)
                        .auth(USER, PASSWORD, AuthMechanism.AUTO).build());

                assertThat(result.outcome()).isEqualTo(Outcome.STARTTLS_UNAVAILABLE);
                assertNoSecret(server.receivedText());
            }
        }

        @Test
        void reportsTlsHandshakeFailedWhenThePeerAnswersTheHelloWithPlainText() throws Exception {
            try (ScriptedSmtpServer server = ScriptedSmtpServer.start(peer -> {
                peer.send("220 relay.test ESMTP");
                peer.expect("EHLO");
                for (String line : ScriptedSmtpServer.ehloReply("STARTTLS", "AUTH PLAIN")) {
                    peer.send(line);
                }
                peer.expect("STARTTLS");
                peer.send("220 2.0.0 Ready to start TLS");
                peer.send("421 4.7.0 sorry, TLS is broken here");
                peer.awaitClose();
            })) {
                ProbeResult result = fixture.probe(Targets.host("localhost", server.port(), Mode.SUBMISSION)
                        .caFile(caFile).auth(USER, PASSWORD, AuthMechanism.AUTO).build());

                assertThat(result.outcome()).isEqualTo(Outcome.TLS_HANDSHAKE_FAILED);
                assertThat(result.phases()).containsKey(Phase.STARTTLS);
                assertNoSecret(server.receivedText());
            }
        }

        @Test
        void reportsTlsHandshakeFailedWhenTheServerOnlySpeaksRetiredTlsVersions() throws Exception {
            try (SubethaRelay relay = SubethaRelay.start(b -> b.enableTLS().requireTLS()
                    .startTlsSocketFactory(socket -> {
                        javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) goodServer.getSocketFactory()
                                .createSocket(socket, null, socket.getPort(), true);
                        ssl.setUseClientMode(false);
                        // TLS 1.1 is disabled in every current JDK (jdk.tls.disabledAlgorithms).
                        ssl.setEnabledProtocols(new String[] {"TLSv1.1"});
                        return ssl;
                    }))) {
                ProbeResult result = fixture.probe(submission(relay).build());

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.TLS_HANDSHAKE_FAILED);
            }
        }
    }

    /** Neither the password nor any base64 form of it that PLAIN or LOGIN would send. */
    static void assertNoSecret(String text) {
        assertThat(text).isNotNull();
        assertThat(text)
                .doesNotContain(PASSWORD)
                .doesNotContain(b64(PASSWORD))
                .doesNotContain(b64("\0" + USER + "\0" + PASSWORD))
                .doesNotContain(b64(USER + "\0" + USER + "\0" + PASSWORD));
    }

    private static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
