package io.smtpprobe.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Mode;
import io.smtpprobe.testing.Descriptors;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.Targets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Hundreds of probes against misbehaving peers leave no descriptor and no thread behind. */
class ResourceLeakTest {
    private static final int ROUNDS = 300;

    @Test
    void leavesNoDescriptorOrThreadBehindAfterManyMisbehavingPeers() throws Exception {
        AtomicInteger connection = new AtomicInteger();
        byte[] noise = new byte[512];
        new Random(7).nextBytes(noise);
        Set<Outcome> seen = EnumSet.noneOf(Outcome.class);
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(peer -> {
                    switch (connection.getAndIncrement() % 5) {
                        case 0 -> peer.sendRaw(noise);
                        case 1 -> { } // immediate close
                        case 2 -> peer.send("554 5.7.1 blocked");
                        case 3 -> {
                            peer.send("220 mail.test ESMTP");
                            peer.expect("EHLO");
                            for (int i = 0; i < 10_000; i++) {
                                peer.send("250-PADDING " + i);
                            }
                        }
                        default -> {
                            peer.send("220 mail.test ESMTP");
                            peer.expect("EHLO");
                            peer.send("250 mail.test");
                            peer.expect("QUIT");
                            peer.send("221 bye");
                        }
                    }
                });
                // None of these peers needs the deadline: a budget CPU starvation cannot use up.
                ProberFixture fixture = new ProberFixture(Duration.ofSeconds(10))) {
            Runnable round = () -> seen.add(
                    fixture.probe(Targets.host("localhost", server.port(), Mode.SMTP).build()).outcome());
            for (int i = 0; i < 10; i++) {
                round.run();
            }
            server.awaitIdle(Duration.ofSeconds(5));
            long proberThreads = proberThreads();

            for (int i = 0; i < ROUNDS; i++) {
                round.run();
            }
            server.awaitIdle(Duration.ofSeconds(5));

            assertThat(seen).containsExactlyInAnyOrder(Outcome.PROTOCOL_ERROR, Outcome.GREETING_REJECTED, Outcome.OK);
            assertThat(server.accepted()).isEqualTo(ROUNDS + 10);
            assertThat(Descriptors.socketsTo(server.port())).as("the prober's sockets left to the server").isZero();
            // A prober's own threads: its deadline watchdog and the connector every handshake waits on.
            assertThat(proberThreads()).isEqualTo(proberThreads).isEqualTo(2);
        }
    }

    @Test
    void servesConcurrentProbesFromOneProberWithOneWatchdog() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(peer -> {
                    peer.send("220 mail.test ESMTP");
                    peer.expect("EHLO");
                    peer.send("250 mail.test");
                    peer.expect("QUIT");
                    peer.send("221 bye");
                });
                ProberFixture fixture = new ProberFixture(Duration.ofMillis(2000))) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                java.util.List<java.util.concurrent.Future<Outcome>> outcomes = new java.util.ArrayList<>();
                for (int i = 0; i < 80; i++) {
                    outcomes.add(pool.submit(() -> fixture.probe(
                            Targets.host("localhost", server.port(), Mode.SMTP).build()).outcome()));
                }
                for (java.util.concurrent.Future<Outcome> outcome : outcomes) {
                    assertThat(outcome.get()).isEqualTo(Outcome.OK);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(proberThreads()).as("the watchdog and the connector, for 80 probes").isEqualTo(2);
        }
    }

    private static long proberThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("smtp-probe")).count();
    }
}
