package io.smtpprobe.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Mode;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.Targets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Revision 3: on port 25 with opportunistic TLS a failed STARTTLS handshake is retried once on a new connection
 * without STARTTLS, as Postfix does at its default {@code may} level ("When TLS handshakes fail, the connection
 * is retried with TLS disabled", postconf(5)); where TLS is enforced the failure stands. The server here offers
 * STARTTLS and then answers the client's hello with bytes that are not TLS: a server whose TLS is broken.
 */
class PlaintextRetryTest {
    private final ProberFixture fixture = new ProberFixture(Duration.ofSeconds(10), true);
    private final AtomicInteger connections = new AtomicInteger();

    @AfterEach
    void close() {
        fixture.close();
    }

    /** Offers STARTTLS on every connection; breaks the handshake; takes the session of a client that skips it. */
    private ScriptedSmtpServer brokenTls() throws IOException {
        return ScriptedSmtpServer.start(peer -> {
            connections.incrementAndGet();
            peer.send("220 mx.example.test ESMTP");
            peer.expect("EHLO");
            for (String line : ScriptedSmtpServer.ehloReply("STARTTLS", "8BITMIME")) {
                peer.send(line);
            }
            String command = peer.readLine();
            if (command != null && command.equalsIgnoreCase("STARTTLS")) {
                peer.send("220 2.0.0 go ahead");
                peer.sendRaw("this is not a TLS record\r\n".getBytes(StandardCharsets.US_ASCII));
                peer.awaitClose();
                return;
            }
            while (command != null) {
                peer.send(command.toUpperCase(java.util.Locale.ROOT).startsWith("QUIT") ? "221 2.0.0 bye" : "250 ok");
                command = peer.readLine();
            }
        });
    }

    @Test
    void retriesWithoutTlsAfterAFailedOpportunisticHandshakeAndRecordsTheFallback() throws Exception {
        try (ScriptedSmtpServer server = brokenTls()) {
            ProbeResult result = fixture.probe(Targets.host("127.0.0.1", server.port(), Mode.SMTP)
                    .starttls(StartTls.OPPORTUNISTIC).build());

            assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
            assertThat(connections.get()).as("connections: the handshake, then the retry").isEqualTo(2);
            assertThat(result.tls()).isNotNull();
            assertThat(result.tls().fallback()).isEqualTo("plaintext");
            assertThat(result.tls().verified()).isFalse();
            assertThat(result.tls().handshakeError()).startsWith("TLS failed: ");
            assertThat(result.detail()).contains("a retry without TLS");
            assertThat(result.transcript()).as("the retry's conversation").doesNotContain("C: STARTTLS");
        }
    }

    @Test
    void keepsTheHandshakeFailureWhenTheRetryGetsNoConnection() throws Exception {
        java.util.concurrent.atomic.AtomicReference<ScriptedSmtpServer> self = new java.util.concurrent.atomic.AtomicReference<>();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(peer -> {
            connections.incrementAndGet();
            self.get().stopListening(); // no second connection: the retry is refused (a connection-rate limit, say)
            peer.send("220 mx.example.test ESMTP");
            peer.expect("EHLO");
            for (String line : ScriptedSmtpServer.ehloReply("STARTTLS")) {
                peer.send(line);
            }
            peer.expect("STARTTLS");
            peer.send("220 2.0.0 go ahead");
            peer.sendRaw("this is not a TLS record\r\n".getBytes(StandardCharsets.US_ASCII));
            peer.awaitClose();
        })) {
            self.set(server);
            ProbeResult result = fixture.probe(Targets.host("127.0.0.1", server.port(), Mode.SMTP)
                    .starttls(StartTls.OPPORTUNISTIC).build());

            assertThat(result.outcome()).as("the host answered; the refused retry says nothing of the path")
                    .isEqualTo(Outcome.TLS_HANDSHAKE_FAILED);
            assertThat(connections.get()).isEqualTo(1);
        }
    }

    @Test
    void keepsTheHandshakeFailureWhereStarttlsIsRequired() throws Exception {
        try (ScriptedSmtpServer server = brokenTls()) {
            ProbeResult result = fixture.probe(Targets.host("127.0.0.1", server.port(), Mode.SMTP)
                    .starttls(StartTls.REQUIRED).build());

            assertThat(result.outcome()).isEqualTo(Outcome.TLS_HANDSHAKE_FAILED);
            assertThat(connections.get()).isEqualTo(1);
            assertThat(result.tls() == null || result.tls().fallback() == null).isTrue();
        }
    }
}
