package io.smtpprobe.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.net.Connector;
import io.smtpprobe.probe.target.TargetProber;
import io.smtpprobe.testing.BacklogFullListener;
import io.smtpprobe.testing.LoopbackResolver;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.Targets;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The asynchronous probe, its connect waiting on a {@link Connector}: the same results as the blocking
 * probe for the same targets, and the connect phase timed on the connector's thread.
 */
class AsyncProbeTest {
    private static final Duration TIMEOUT = Duration.ofMillis(1500);

    private final LoopbackResolver resolver = new LoopbackResolver().host("localhost", "127.0.0.1");
    private final ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1);
    private final Connector connector = new Connector();
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() {
        threads.shutdownNow();
        connector.close();
        watchdog.shutdownNow();
    }

    private TargetProber prober(Duration timeout, Ticker ticker) {
        ProbeOptions options = new ProbeOptions(timeout, "probe.test", new DnsConfig(List.of(), IpFamily.IPV4), false);
        return new TargetProber(options, resolver, Clock.systemUTC(), ticker, watchdog, BearerTokens.NONE, connector);
    }

    private List<ProbeResult> async(TargetProber prober, TargetConfig target) throws Exception {
        return prober.probe(target, threads).get(30, TimeUnit.SECONDS);
    }

    @Test
    void endsEveryKindOfTargetAsTheBlockingProbeDoes() throws Exception {
        int closedPort;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closedPort = listener.getLocalPort();
        }
        try (BacklogFullListener silent = new BacklogFullListener();
                ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ScriptedSmtpServer smtp = ScriptedSmtpServer.start(AsyncProbeTest::greetAndQuit)) {
            resolver.host("mx1.test", "127.0.0.1").host("mx2.test", "127.0.0.1").mx("mail.test", "mx1.test", "mx2.test");
            List<TargetConfig> targets = List.of(
                    Targets.host("127.0.0.1", closedPort, Mode.SMTP).build(),
                    Targets.host("localhost", silent.port(), Mode.SMTP).build(),
                    Targets.host("localhost", open.getLocalPort(), Mode.TCP).build(),
                    Targets.host("localhost", smtp.port(), Mode.SMTP).build(),
                    Targets.host("no-such-host.invalid", 25, Mode.SMTP).build(),
                    Targets.mx("nowhere.test", 2, 25, Mode.SMTP).build(),
                    Targets.mx("mail.test", 2, smtp.port(), Mode.SMTP).build());
            TargetProber prober = prober(TIMEOUT, Ticker.SYSTEM);

            for (TargetConfig target : targets) {
                List<ProbeResult> blocking = prober.probe(target);
                List<ProbeResult> async = async(prober, target);

                assertThat(async).as(target.name())
                        .extracting(ProbeResult::host, ProbeResult::address, ProbeResult::outcome, ProbeResult::detail,
                                ProbeResult::reply, r -> r.phases().keySet())
                        .containsExactlyElementsOf(blocking.stream().map(r -> tuple(r.host(), r.address(), r.outcome(),
                                r.detail(), r.reply(), r.phases().keySet())).toList());
            }
            assertThat(async(prober, targets.get(0))).extracting(ProbeResult::outcome).containsExactly(Outcome.TCP_REFUSED);
            assertThat(async(prober, targets.get(6))).extracting(ProbeResult::host, ProbeResult::outcome)
                    .containsExactly(tuple("mx1.test", Outcome.OK), tuple("mx2.test", Outcome.OK));
        }
    }

    @Test
    void endsAnUnansweredConnectAsTcpTimeoutWithAConnectPhaseOfTheDeadline() throws Exception {
        try (BacklogFullListener silent = new BacklogFullListener()) {
            ProbeResult result = async(prober(TIMEOUT, Ticker.SYSTEM),
                    Targets.host("localhost", silent.port(), Mode.SMTP).build()).get(0);

            assertThat(result.outcome()).isEqualTo(Outcome.TCP_TIMEOUT);
            assertThat(result.detail()).isEqualTo("no answer to the TCP connect within 1.5s");
            // The deadline counts from before DNS and setup, so the connect phase is a little shorter; the
            // upper bound is loose, for a loaded machine: the point is that it is the deadline, not twice it.
            assertThat(result.phases().get(Phase.CONNECT))
                    .isBetween(TIMEOUT.minusMillis(250), TIMEOUT.plusMillis(1000));
        }
    }

    @Test
    void probesTheHostsOfAnMxTargetOneAfterAnotherInOrder() throws Exception {
        try (BacklogFullListener silent = new BacklogFullListener()) {
            resolver.host("mx1.test", "127.0.0.1").host("mx2.test", "127.0.0.2").mx("mail.test", "mx1.test", "mx2.test");

            List<ProbeResult> results = async(prober(TIMEOUT, Ticker.SYSTEM),
                    Targets.mx("mail.test", 2, silent.port(), Mode.TCP).build());

            assertThat(results).extracting(ProbeResult::host, ProbeResult::address, ProbeResult::outcome)
                    .containsExactly(tuple("mx1.test", "127.0.0.1", Outcome.TCP_TIMEOUT),
                            tuple("mx2.test", "127.0.0.2", Outcome.TCP_REFUSED));
        }
    }

    @Test
    void endsTheConnectPhaseWhenTheHandshakeSettlesNotWhenAThreadTakesTheSocketUp() throws Exception {
        try (ScriptedSmtpServer smtp = ScriptedSmtpServer.start(AsyncProbeTest::greetAndQuit)) {
            AtomicLong now = new AtomicLong();
            BlockingQueue<Runnable> work = new LinkedBlockingQueue<>();
            var probe = prober(Duration.ofSeconds(30), now::get)
                    .probe(Targets.host("localhost", smtp.port(), Mode.SMTP).build(), work::add);

            work.poll(10, TimeUnit.SECONDS).run(); // resolve, set up, start the connect
            Runnable conversation = work.poll(10, TimeUnit.SECONDS); // queued once the handshake settled
            now.addAndGet(Duration.ofSeconds(2).toNanos()); // the probe waits two seconds for a thread
            conversation.run();

            ProbeResult result = probe.get(10, TimeUnit.SECONDS).get(0);
            assertThat(result.outcome()).isEqualTo(Outcome.OK);
            assertThat(result.phases().get(Phase.CONNECT)).isZero();
            // The server's greeting delay runs from the handshake: what it sent meanwhile waited in the socket.
            assertThat(result.phases().get(Phase.GREETING)).isEqualTo(Duration.ofSeconds(2));
            assertThat(result.total()).isEqualTo(Duration.ofSeconds(2));
        }
    }

    @Test
    void reportsADeadlinePassedWaitingForAThreadAsOursNotAsASilentServer() throws Exception {
        try (ScriptedSmtpServer smtp = ScriptedSmtpServer.start(AsyncProbeTest::greetAndQuit)) {
            AtomicLong now = new AtomicLong();
            BlockingQueue<Runnable> work = new LinkedBlockingQueue<>();
            var probe = prober(Duration.ofSeconds(30), now::get)
                    .probe(Targets.host("localhost", smtp.port(), Mode.SMTP).build(), work::add);

            work.poll(10, TimeUnit.SECONDS).run();
            Runnable conversation = work.poll(10, TimeUnit.SECONDS);
            now.addAndGet(Duration.ofSeconds(31).toNanos()); // every thread busy past the deadline
            conversation.run();

            ProbeResult result = probe.get(10, TimeUnit.SECONDS).get(0);
            // Our saturation, not the peer's: error (inconclusive), never deadline_exceeded (a relay alarm).
            assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(result.detail()).isEqualTo("every probe thread was busy until the probe deadline of 30s passed,"
                    + " after the TCP connect succeeded; raise probe.concurrency to the number of targets that answer"
                    + " at once");
        }
    }

    private static void greetAndQuit(ScriptedSmtpServer.Peer peer) throws java.io.IOException, InterruptedException {
        peer.send("220 mail.test ESMTP");
        peer.expect("EHLO");
        peer.send("250 mail.test");
        peer.expect("QUIT");
        peer.send("221 bye");
    }
}
