package io.smtpprobe.robustness;

import io.smtpprobe.probe.Outcome;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.ScriptedSmtpServer.Peer;
import io.smtpprobe.testing.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.net.ssl.SSLContext;

/**
 * One loopback server per kind of hostile peer, each named with the outcome a probe of it must end
 * in, and the {@code targets:} YAML that points a daemon at them. Every server keeps misbehaving for as
 * long as the client stays (endless replies end only when the probe hangs up), so a missing cap or
 * deadline shows as a probe that never ends or a heap that fills.
 */
final class HostileFleet implements AutoCloseable {

    /** What a peer does, the probe mode that meets it, and the outcome the probe must end in. */
    enum Kind {
        /** A greeting line that never ends, sent as fast as the client reads. */
        OVERSIZED_LINE("smtp", Outcome.PROTOCOL_ERROR),
        /** An EHLO reply of endless continuation lines (RFC 5321 section 4.2.1), as fast as the client reads. */
        ENDLESS_MULTILINE("smtp", Outcome.PROTOCOL_ERROR),
        /** Endless continuation lines after a real STARTTLS: only the conversation cap stops it. */
        FLOOD_AFTER_TLS("smtp", Outcome.PROTOCOL_ERROR),
        /** An endless multi-line greeting one byte at a time, each byte well inside any read timeout. */
        TRICKLED_BANNER("smtp", Outcome.DEADLINE_EXCEEDED),
        /** Says 220 to STARTTLS, then never answers the ClientHello. */
        STALLED_STARTTLS("smtp", Outcome.DEADLINE_EXCEEDED),
        /** An implicit-TLS port that accepts and never answers the ClientHello. */
        STALLED_SMTPS("smtps", Outcome.DEADLINE_EXCEEDED),
        /** Random bytes as fast as the client reads. */
        NOISE("smtp", Outcome.PROTOCOL_ERROR),
        /** An HTTP server. */
        HTTP("smtp", Outcome.PROTOCOL_ERROR),
        /** A TLS alert on a plain-text port. */
        TLS_ON_PLAIN("smtp", Outcome.PROTOCOL_ERROR),
        /** Accepts and closes at once. */
        CLOSED_AT_ONCE("smtp", Outcome.PROTOCOL_ERROR);

        final String mode;
        final Outcome outcome;

        Kind(String mode, Outcome outcome) {
            this.mode = mode;
            this.outcome = outcome;
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private final Map<Kind, ScriptedSmtpServer> servers = new EnumMap<>(Kind.class);
    private final Duration trickle;

    /**
     * @param trickle the pause between bytes of {@link Kind#TRICKLED_BANNER}: well under the probe timeout, so
     *     only a whole-probe deadline can end it
     */
    HostileFleet(Duration trickle, Kind... kinds) throws IOException, GeneralSecurityException {
        this.trickle = trickle;
        SSLContext tls = TestCertificates.authority("hostile fleet CA").serverContext("127.0.0.1");
        try {
            for (Kind kind : kinds.length == 0 ? Kind.values() : kinds) {
                servers.put(kind, ScriptedSmtpServer.start(peer -> play(kind, peer, tls)));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void play(Kind kind, Peer peer, SSLContext tls) throws IOException, InterruptedException {
        switch (kind) {
            case OVERSIZED_LINE -> {
                peer.sendRaw("220 ".getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[16 * 1024];
                Arrays.fill(chunk, (byte) 'x');
                while (true) {
                    peer.sendRaw(chunk);
                }
            }
            case ENDLESS_MULTILINE -> {
                peer.send("220 mail.test ESMTP");
                peer.expect("EHLO");
                flood(peer);
            }
            case FLOOD_AFTER_TLS -> {
                peer.greetAndAcceptStarttls("220 mail.test ESMTP", "STARTTLS");
                peer.startTls(tls);
                peer.expect("EHLO");
                flood(peer);
            }
            case TRICKLED_BANNER -> {
                byte[] line = "220-mail.test slow but never silent for long\r\n".getBytes(StandardCharsets.US_ASCII);
                while (true) {
                    for (byte b : line) {
                        peer.sendRaw(new byte[] {b});
                        Thread.sleep(trickle.toMillis());
                    }
                }
            }
            case STALLED_STARTTLS -> {
                peer.greetAndAcceptStarttls("220 mail.test ESMTP", "STARTTLS");
                peer.awaitClose();
            }
            case STALLED_SMTPS -> peer.awaitClose();
            case NOISE -> {
                Random random = new Random(25);
                byte[] noise = new byte[16 * 1024];
                while (true) {
                    random.nextBytes(noise);
                    peer.sendRaw(noise);
                }
            }
            case HTTP -> peer.send("HTTP/1.1 400 Bad Request").send("Content-Length: 0").send("Connection: close")
                    .send("");
            case TLS_ON_PLAIN -> {
                // RFC 8446 section 5.1: content type 21 (alert), version 3.3, fatal handshake_failure.
                peer.sendRaw(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28});
                peer.awaitClose();
            }
            case CLOSED_AT_ONCE -> { }
        }
    }

    /** Continuation lines until the client hangs up (the write then fails and the script ends). */
    private static void flood(Peer peer) throws IOException {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            batch.append("250-PADDING-").append(i).append(" ").append("y".repeat(60)).append("\r\n");
        }
        byte[] bytes = batch.toString().getBytes(StandardCharsets.US_ASCII);
        while (true) {
            peer.sendRaw(bytes);
        }
    }

    /** {@code copies} targets per kind, named {@code <kind>-<n>}, each with the outcome it must end in. */
    Map<String, Outcome> targets(int copies) {
        Map<String, Outcome> targets = new java.util.LinkedHashMap<>();
        for (Kind kind : servers.keySet()) {
            for (int i = 1; i <= copies; i++) {
                targets.put(kind.label() + "-" + i, kind.outcome);
            }
        }
        return targets;
    }

    /** The {@code targets:} section for {@link #targets(int)}. */
    String targetsYaml(int copies) {
        StringBuilder yaml = new StringBuilder("targets:\n");
        for (Map.Entry<Kind, ScriptedSmtpServer> entry : servers.entrySet()) {
            Kind kind = entry.getKey();
            for (int i = 1; i <= copies; i++) {
                yaml.append("  - name: ").append(kind.label()).append('-').append(i).append('\n')
                        .append("    host: 127.0.0.1\n")
                        .append("    mode: ").append(kind.mode).append('\n')
                        .append("    port: ").append(entry.getValue().port()).append('\n')
                        .append("    expect: reachable\n");
                if (kind == Kind.FLOOD_AFTER_TLS) {
                    // The flood must reach the client through TLS; who signed the certificate is not the point.
                    yaml.append("    tls:\n      insecure_skip_verify: true\n");
                }
            }
        }
        return yaml.toString();
    }

    /** Connections the servers have accepted, all kinds together. */
    int accepted() {
        return servers.values().stream().mapToInt(ScriptedSmtpServer::accepted).sum();
    }

    List<Kind> kinds() {
        return new ArrayList<>(servers.keySet());
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (ScriptedSmtpServer server : servers.values()) {
            try {
                server.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
