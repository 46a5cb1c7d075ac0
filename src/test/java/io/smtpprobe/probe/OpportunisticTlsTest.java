package io.smtpprobe.probe;

import static io.smtpprobe.testing.SubethaRelay.PASSWORD;
import static io.smtpprobe.testing.SubethaRelay.USER;
import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.AuthMechanism;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.testing.SubethaRelay;
import io.smtpprobe.testing.Targets;
import io.smtpprobe.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Port 25 with {@code starttls: opportunistic} is RFC 7435 opportunistic TLS, as MTAs practise it: a
 * certificate that fails verification is recorded, and the session goes on. Enforced with
 * {@code starttls: required} and wherever credentials follow. Real SubEthaSMTP servers with STARTTLS.
 */
class OpportunisticTlsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String MX = "mx.example.test";

    @TempDir
    static Path dir;

    static TestCertificates authority;
    static Path caFile;

    private final ProberFixture fixture = new ProberFixture(TIMEOUT, true);

    @BeforeAll
    static void certificates() throws Exception {
        authority = TestCertificates.authority("smtp-probe test CA");
        caFile = authority.writeCaPem(dir.resolve("ca.pem"));
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private static SubethaRelay mx(SSLContext tls) {
        return SubethaRelay.start(b -> b.startTlsSocketFactory(tls).enableTLS());
    }

    private ProbeResult probeMx(SubethaRelay server, StartTls starttls) {
        fixture.resolver.host(MX, "127.0.0.1");
        return fixture.probe(Targets.host(MX, server.port(), Mode.SMTP).caFile(caFile).starttls(starttls).build());
    }

    @Nested
    class Opportunistic {
        @Test
        void recordsAVerifiedCertificate() throws Exception {
            try (SubethaRelay server = mx(authority.serverContext(MX))) {
                ProbeResult result = probeMx(server, StartTls.OPPORTUNISTIC);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.tls().verified()).isTrue();
                assertThat(result.tls().verifyError()).isNull();
                assertThat(result.detail()).isEqualTo("the conversation completed");
            }
        }

        @Test
        void goesOnWithASelfSignedCertificateAndSaysSo() throws Exception {
            try (SubethaRelay server = mx(TestCertificates.selfSignedServerContext(MX))) {
                ProbeResult result = probeMx(server, StartTls.OPPORTUNISTIC);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.phases()).containsKeys(Phase.STARTTLS, Phase.EHLO);
                assertThat(result.tls().verified()).isFalse();
                assertThat(result.tls().verifyError()).isEqualTo("self-signed");
                assertThat(result.tls().certificateSubject()).isEqualTo("CN=" + MX);
                assertThat(result.detail()).isEqualTo("the conversation completed; the TLS session continued"
                        + " unverified (self-signed), as opportunistic TLS on port 25 allows (RFC 7435)");
                // The second EHLO went over the unverified session, and QUIT ended it.
                assertThat(result.transcript()).contains("-- TLS established: TLSv1.")
                        .contains("certificate not verified (self-signed); the session continues")
                        .containsSubsequence("C: STARTTLS", "C: EHLO probe.test", "C: QUIT");
            }
        }

        @Test
        void goesOnWithACertificateFromAnUntrustedCa() throws Exception {
            SSLContext otherCa = TestCertificates.authority("Some Other CA").serverContext(MX);
            try (SubethaRelay server = mx(otherCa)) {
                ProbeResult result = probeMx(server, StartTls.OPPORTUNISTIC);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.tls().verified()).isFalse();
                assertThat(result.tls().verifyError()).isEqualTo("untrusted issuer (CN=Some Other CA)");
            }
        }

        @Test
        void goesOnWithACertificateForAnotherName() throws Exception {
            try (SubethaRelay server = mx(authority.serverContext("other.example.test"))) {
                ProbeResult result = probeMx(server, StartTls.OPPORTUNISTIC);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.tls().verified()).isFalse();
                assertThat(result.tls().verifyError()).isEqualTo("certificate name does not match " + MX);
            }
        }

        @Test
        void goesOnWithAnExpiredCertificate() throws Exception {
            try (SubethaRelay server = mx(authority.expiredServerContext(MX))) {
                ProbeResult result = probeMx(server, StartTls.OPPORTUNISTIC);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.tls().verified()).isFalse();
                LocalDate expired = result.tls().certificateExpiry().atZone(ZoneOffset.UTC).toLocalDate();
                assertThat(result.tls().verifyError()).isEqualTo("expired on " + expired);
            }
        }

        @Test
        void lateOutcomesFollowTheConversationAndStillSayTheSessionWasUnverified() throws Exception {
            try (SubethaRelay server = mx(TestCertificates.selfSignedServerContext(MX))) {
                fixture.resolver.host(MX, "127.0.0.1");
                ProbeResult result = fixture.probe(Targets.host(MX, server.port(), Mode.SMTP).caFile(caFile)
                        .mailFrom("probe@vm.test").rcptTo("nobody@example.test").build());

                assertThat(result.outcome()).isEqualTo(Outcome.RECIPIENT_REJECTED);
                assertThat(result.reply()).startsWith("550 5.1.1");
                assertThat(result.detail()).contains("the TLS session continued unverified (self-signed)");
            }
        }
    }

    @Nested
    class Enforced {
        @Test
        void failsASelfSignedCertificateWhenStarttlsIsRequired() throws Exception {
            try (SubethaRelay server = mx(TestCertificates.selfSignedServerContext(MX))) {
                ProbeResult result = probeMx(server, StartTls.REQUIRED);

                assertThat(result.outcome()).isEqualTo(Outcome.TLS_CERTIFICATE_INVALID);
                assertThat(result.tls()).isNull();
                assertThat(result.phases()).containsKey(Phase.STARTTLS);
                assertThat(result.transcript()).endsWith("C: STARTTLS\nS: 220 Ready to start TLS\n"
                        + "-- TLS handshake failed: certificate rejected (self-signed)\n");
            }
        }

        @Test
        void failsACertificateForAnotherNameWhenStarttlsIsRequired() throws Exception {
            try (SubethaRelay server = mx(authority.serverContext("other.example.test"))) {
                ProbeResult result = probeMx(server, StartTls.REQUIRED);

                assertThat(result.outcome()).isEqualTo(Outcome.TLS_CERTIFICATE_INVALID);
                assertThat(result.detail()).contains(MX);
            }
        }

        @Test
        void failsAnUnverifiedCertificateOnSubmissionBeforeAnyCredentialLeaves() throws Exception {
            SSLContext selfSigned = TestCertificates.selfSignedServerContext(MX);
            try (SubethaRelay relay = SubethaRelay.start(b -> b.startTlsSocketFactory(selfSigned).enableTLS().requireTLS()
                    .authenticationHandlerFactory(SubethaRelay.passwordAuth()))) {
                fixture.resolver.host(MX, "127.0.0.1");
                ProbeResult result = fixture.probe(Targets.host(MX, relay.port(), Mode.SUBMISSION).caFile(caFile)
                        .auth(USER, PASSWORD, AuthMechanism.AUTO).build());

                assertThat(result.outcome()).isEqualTo(Outcome.TLS_CERTIFICATE_INVALID);
                assertThat(result.phases()).doesNotContainKey(Phase.AUTH);
            }
        }

        @Test
        void recordsAnInsecureSkipVerifySessionAsNotVerified() throws Exception {
            try (SubethaRelay server = mx(TestCertificates.selfSignedServerContext(MX))) {
                fixture.resolver.host(MX, "127.0.0.1");
                ProbeResult result = fixture.probe(Targets.host(MX, server.port(), Mode.SMTP)
                        .insecureSkipVerify().starttls(StartTls.REQUIRED).build());

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.tls().verified()).isFalse();
                assertThat(result.tls().verifyError()).isEqualTo("not checked: tls.insecure_skip_verify is set");
                assertThat(result.detail()).isEqualTo("the conversation completed");
            }
        }
    }
}
