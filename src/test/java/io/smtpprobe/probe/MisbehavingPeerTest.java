package io.smtpprobe.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.OAuthConfig;
import io.smtpprobe.config.Secret;
import io.smtpprobe.probe.target.TargetProber;
import io.smtpprobe.testing.LoopbackResolver;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.ScriptedSmtpServer.Script;
import io.smtpprobe.testing.Targets;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Peers that are not SMTP, or are SMTP gone wrong: every one ends in a precise outcome, in time. */
class MisbehavingPeerTest {
    private static final Duration TIMEOUT = Duration.ofMillis(1000);
    private static final Duration MARGIN = Duration.ofMillis(300);
    /**
     * For peers whose outcome does not depend on the deadline (they answer, or close, at once): on a
     * loaded machine a 1 s budget can go on CPU starvation alone, and the outcome must not hinge on it.
     */
    private static final Duration PATIENT = Duration.ofSeconds(10);
    private final ProberFixture fixture = new ProberFixture(TIMEOUT);
    private final ProberFixture patient = new ProberFixture(PATIENT);

    @AfterEach
    void close() {
        fixture.close();
        patient.close();
    }

    /** A probe with the 1 s deadline, for peers that make the probe wait for it. */
    private ProbeResult probe(Script script) throws Exception {
        return probe(fixture, script);
    }

    /** A probe with a deadline it should never reach: the peer ends the conversation itself. */
    private ProbeResult probePatiently(Script script) throws Exception {
        return probe(patient, script);
    }

    private static ProbeResult probe(ProberFixture prober, Script script) throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(script)) {
            return prober.probe(Targets.host("localhost", server.port(), Mode.SMTP).build());
        }
    }

    @Nested
    class Greeting {
        @Test
        void reportsGreetingTimeoutWhenTheServerAcceptsButNeverGreets() throws Exception {
            ProbeResult result = probe(ScriptedSmtpServer.Peer::awaitClose);

            assertThat(result.outcome()).isEqualTo(Outcome.GREETING_TIMEOUT);
            assertThat(result.phases()).containsKeys(Phase.CONNECT, Phase.GREETING).doesNotContainKey(Phase.EHLO);
            // It waited out the whole deadline (no shorter per-read timeout ended it) and ended there. Not
            // pinned: how much of the deadline the greeting phase got, which is what setup and connect
            // left, and CPU load stretches those.
            assertThat(fixture.lastElapsed()).isGreaterThanOrEqualTo(TIMEOUT).isLessThan(TIMEOUT.plus(MARGIN));
        }

        @Test
        void reportsGreetingRejectedOnA554Blocklist() throws Exception {
            ProbeResult result = probePatiently(peer -> {
                peer.send("554 5.7.1 Service unavailable; client host [127.0.0.1] blocked using zen.spamhaus.org");
                peer.awaitClose();
            });

            assertThat(result.outcome()).isEqualTo(Outcome.GREETING_REJECTED);
            assertThat(result.reply()).startsWith("554 5.7.1 Service unavailable");
            assertThat(result.detail()).contains("554");
        }

        @Test
        void reportsDeadlineExceededWhenTheBannerTricklesInOneByteAtATime() throws Exception {
            byte[] banner = "220 mail.test ESMTP slow but never silent for long\r\n".getBytes(StandardCharsets.US_ASCII);
            ProbeResult result = probe(peer -> {
                for (byte b : banner) {
                    peer.sendRaw(new byte[] {b});
                    Thread.sleep(100); // each byte well inside any per-read timeout
                }
                peer.awaitClose();
            });

            assertThat(result.outcome()).isEqualTo(Outcome.DEADLINE_EXCEEDED);
            assertThat(result.detail()).contains("greeting");
            assertThat(fixture.lastElapsed()).isLessThan(TIMEOUT.plus(MARGIN));
        }
    }

    @Nested
    class NotSmtp {
        @Test
        void reportsProtocolErrorForAnHttpServer() throws Exception {
            ProbeResult result = probePatiently(peer -> {
                peer.send("HTTP/1.1 400 Bad Request").send("Content-Length: 0").send("Connection: close").send("");
            });

            assertThat(result.outcome()).isEqualTo(Outcome.PROTOCOL_ERROR);
            assertThat(result.detail()).contains("HTTP");
        }

        @Test
        void reportsProtocolErrorForRandomBytes() throws Exception {
            byte[] noise = new byte[4096];
            new Random(25).nextBytes(noise);
            ProbeResult result = probePatiently(peer -> {
                peer.sendRaw(noise);
                peer.awaitClose();
            });

            assertThat(result.outcome()).isEqualTo(Outcome.PROTOCOL_ERROR);
            assertThat(patient.lastElapsed()).isLessThan(TIMEOUT.plus(MARGIN));
        }

        @Test
        void reportsProtocolErrorNamingTlsWhenATlsServerAlertsOnAPlainPort() throws Exception {
            // A TLS alert record (RFC 8446 section 5.1): content type 21, version 3.3, fatal, handshake_failure.
            byte[] alert = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
            ProbeResult silentAfter = probe(peer -> {
                peer.sendRaw(alert);
                peer.awaitClose();
            });
            ProbeResult closedAfter = probe(peer -> peer.sendRaw(alert));

            assertThat(silentAfter.outcome()).isEqualTo(Outcome.PROTOCOL_ERROR);
            assertThat(silentAfter.detail()).contains("speaks TLS");
            assertThat(closedAfter.outcome()).isEqualTo(Outcome.PROTOCOL_ERROR);
            assertThat(closedAfter.detail()).contains("speaks TLS");
        }

        @Test
        void reportsProtocolErrorWhenTheServerClosesImmediately() throws Exception {
            ProbeResult result = probePatiently(peer -> {});

            assertThat(result.outcome()).isEqualTo(Outcome.PROTOCOL_ERROR);
            assertThat(result.detail()).contains("closed").contains("greeting");
        }
    }

    @Nested
    class Oversized {
        @Test
        void reportsProtocolErrorForAReplyLineLongerThanTheCap() throws Exception {
            ProbeResult result = probePatiently(peer -> {
                peer.sendRaw(("220 " + "x".repeat(10_000)).getBytes(StandardCharsets.US_ASCII));
                peer.awaitClose();
            });

            assertThat(result.outcome()).isEqualTo(Outcome.PROTOCOL_ERROR);
            assertThat(result.detail()).contains("longer than 2048 bytes");
        }

        @Test
        void reportsProtocolErrorForAnEndlessMultiLineReply() throws Exception {
            ProbeResult result = probePatiently(peer -> {
                peer.send("220 mail.test ESMTP");
                peer.expect("EHLO");
                for (int i = 0; i < 100_000; i++) {
                    peer.send("250-PADDING " + i);
                }
            });

            assertThat(result.outcome()).isEqualTo(Outcome.PROTOCOL_ERROR);
            assertThat(result.detail()).contains("64 KiB").contains("EHLO");
        }

        @Test
        void reportsDeadlineExceededForAnEndlessReplySlowerThanTheDeadline() throws Exception {
            ProbeResult result = probe(peer -> {
                peer.send("220 mail.test ESMTP");
                peer.expect("EHLO");
                for (int i = 0; i < 1000; i++) {
                    peer.send("250-STILL-GOING " + i);
                    Thread.sleep(50);
                }
            });

            assertThat(result.outcome()).isEqualTo(Outcome.DEADLINE_EXCEEDED);
            assertThat(result.detail()).contains("EHLO");
            assertThat(result.phases()).containsKeys(Phase.GREETING, Phase.EHLO);
            assertThat(fixture.lastElapsed()).isLessThan(TIMEOUT.plus(MARGIN));
        }
    }

    @Nested
    class SlowTls {
        @Test
        void reportsDeadlineExceededWhenAnImplicitTlsServerNeverAnswersTheHello() throws Exception {
            try (ScriptedSmtpServer server = ScriptedSmtpServer.start(ScriptedSmtpServer.Peer::awaitClose)) {
                ProbeResult result = fixture.probe(Targets.host("localhost", server.port(), Mode.SMTPS).build());

                assertThat(result.outcome()).isEqualTo(Outcome.DEADLINE_EXCEEDED);
                assertThat(result.detail()).contains("TLS handshake");
                assertThat(result.phases()).containsKey(Phase.STARTTLS).doesNotContainKey(Phase.GREETING);
                assertThat(fixture.lastElapsed()).isLessThan(TIMEOUT.plus(MARGIN));
            }
        }

        @Test
        void reportsDeadlineExceededWhenTheStarttlsHandshakeStalls() throws Exception {
            ProbeResult result = probe(peer -> {
                peer.greetAndAcceptStarttls("220 mail.test ESMTP", "STARTTLS");
                peer.awaitClose();
            });

            assertThat(result.outcome()).isEqualTo(Outcome.DEADLINE_EXCEEDED);
            assertThat(result.detail()).contains("STARTTLS");
            assertThat(fixture.lastElapsed()).isLessThan(TIMEOUT.plus(MARGIN));
        }

        @Test
        void reportsGreetingTimeoutWhenPlainSmtpMeetsAnImplicitTlsPort() throws Exception {
            // An smtps server waits for our ClientHello while we wait for its greeting: silence both ways.
            javax.net.ssl.SSLContext tls = io.smtpprobe.testing.TestCertificates.authority("test CA")
                    .serverContext("localhost");
            ProbeResult result = probe(peer -> peer.startTls(tls));

            assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.GREETING_TIMEOUT);
            assertThat(fixture.lastElapsed()).isLessThan(TIMEOUT.plus(MARGIN));
        }
    }

    @Nested
    class LateBytes {
        @Test
        void ignoresBytesThatArriveAfterTheDeadlineHasPassed() throws Exception {
            // At the deadline the watchdog's close sends FIN before it drops the descriptor, and an smtps
            // server waiting for our ClientHello answers that FIN with a fatal alert (seen on loopback
            // under load: FIN, then 15 03 03 00 02 02 28 read 1 ms later). Here the probe's clock is moved
            // past the deadline and the alert sent into the read still waiting: late, it decides nothing.
            AtomicLong shift = new AtomicLong();
            Ticker ticker = () -> System.nanoTime() + shift.get();
            byte[] alert = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
            ProbeOptions options =
                    new ProbeOptions(Duration.ofSeconds(5), "probe.test", new DnsConfig(List.of(), IpFamily.IPV4), false);
            LoopbackResolver resolver = new LoopbackResolver().host("localhost", "127.0.0.1");
            try (TargetProber prober = new TargetProber(options, resolver, Clock.systemUTC(), ticker);
                    ScriptedSmtpServer server = ScriptedSmtpServer.start(peer -> {
                        peer.awaitSilence(Duration.ofMillis(300)); // the probe waits for a greeting by now
                        shift.set(Duration.ofSeconds(10).toNanos());
                        peer.sendRaw(alert);
                        peer.awaitClose();
                    })) {
                ProbeResult result = prober.probe(Targets.host("localhost", server.port(), Mode.SMTP).build()).get(0);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.GREETING_TIMEOUT);
                assertThat(result.detail()).doesNotContain("TLS");
            }
        }
    }

    @Nested
    class Setup {
        @Test
        void reportsErrorNotTcpTimeoutWhenSetupUsesUpTheDeadline() throws Exception {
            // A token source as slow as the whole deadline (the probe's clock moves 10 s while it answers):
            // the probe must blame its setup, not an unanswered SYN it never sent.
            AtomicLong shift = new AtomicLong();
            Ticker ticker = () -> System.nanoTime() + shift.get();
            BearerTokens slowTokens = auth -> {
                shift.addAndGet(Duration.ofSeconds(10).toNanos());
                return new Secret("token-from-a-slow-endpoint");
            };
            OAuthConfig oauth = new OAuthConfig("tenant.test", "client", new Secret("app-secret"), "test",
                    OAuthConfig.DEFAULT_SCOPE, URI.create("http://127.0.0.1:9/token"), false);
            ProbeOptions options =
                    new ProbeOptions(TIMEOUT, "probe.test", new DnsConfig(List.of(), IpFamily.IPV4), false);
            LoopbackResolver resolver = new LoopbackResolver().host("localhost", "127.0.0.1");
            try (TargetProber prober = new TargetProber(options, resolver, Clock.systemUTC(), ticker, slowTokens);
                    ScriptedSmtpServer server = ScriptedSmtpServer.start(ScriptedSmtpServer.Peer::awaitClose)) {
                ProbeResult result = prober.probe(
                        Targets.host("localhost", server.port(), Mode.SUBMISSION).oauth("user@test", oauth).build())
                        .get(0);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.ERROR);
                assertThat(result.detail()).contains("local setup used up the probe deadline");
                assertThat(server.accepted()).isZero();
            }
        }
    }

    @Nested
    class Ehlo {
        @Test
        void reportsEhloRejectedWhenEhloAndHeloAreBothRefused() throws Exception {
            ProbeResult result = probePatiently(peer -> {
                peer.send("220 mail.test ESMTP");
                peer.expect("EHLO");
                peer.send("502 5.5.2 EHLO not implemented");
                peer.expect("HELO");
                peer.send("550 5.7.1 go away");
                peer.answerEverything("221 bye");
            });

            assertThat(result.outcome()).isEqualTo(Outcome.EHLO_REJECTED);
            assertThat(result.reply()).isEqualTo("550 5.7.1 go away");
            assertThat(result.phases()).containsKeys(Phase.GREETING, Phase.EHLO);
        }

        @Test
        void fallsBackToHeloWhenEhloIsRefused() throws Exception {
            ProbeResult result = probePatiently(peer -> {
                peer.send("220 mail.test SMTP");
                peer.expect("EHLO probe.test");
                peer.send("500 5.5.1 what?");
                peer.expect("HELO probe.test");
                peer.send("250 mail.test");
                peer.expect("QUIT");
                peer.send("221 bye");
            });

            assertThat(result.outcome()).isEqualTo(Outcome.OK);
            assertThat(result.reply()).isEqualTo("250 mail.test");
        }
    }
}
