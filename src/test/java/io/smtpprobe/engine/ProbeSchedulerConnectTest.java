package io.smtpprobe.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.ProbeConfig;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.BearerTokens;
import io.smtpprobe.probe.net.Connector;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeOptions;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.target.TargetProber;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.testing.BacklogFullListener;
import io.smtpprobe.testing.LoopbackResolver;
import io.smtpprobe.testing.ManualTaskScheduler;
import io.smtpprobe.testing.MutableClock;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.Targets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler with the real prober, on two probe threads, against real loopback sockets: probes
 * waiting for an unanswered SYN hold no thread, so a round of silently dropping targets does not hold
 * up a healthy one and is over in one deadline.
 */
class ProbeSchedulerConnectTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final int DROPPING = 30;

    /** One recorded probe and how many probes were in flight when it was recorded. */
    record Recorded(String target, List<ProbeResult> results, int inFlight) {}

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T00:00:00Z"));
    private final ManualTaskScheduler timer = new ManualTaskScheduler(clock);
    private final EventLog log = new EventLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            clock, LogLevel.INFO, true);
    private final ProbeThreadPool threads = new ProbeThreadPool();
    private final Connector connector = new Connector();
    private final ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1);
    private final BlockingQueue<Recorded> recorded = new LinkedBlockingQueue<>();

    @AfterEach
    void close() {
        threads.close();
        connector.close();
        watchdog.shutdownNow();
    }

    @Test
    void startsEveryConnectAtOnceAndEndsTheHealthyTargetWhileTheDroppingOnesWait() throws Exception {
        try (BacklogFullListener silent = new BacklogFullListener();
                ScriptedSmtpServer healthy = ScriptedSmtpServer.start(peer -> {
                    peer.send("220 mail.test ESMTP");
                    peer.expect("EHLO");
                    peer.send("250 mail.test");
                    peer.expect("QUIT");
                    peer.send("221 bye");
                })) {
            List<TargetConfig> targets = new ArrayList<>();
            for (int i = 0; i < DROPPING; i++) {
                targets.add(Targets.host("127.0.0.1", silent.port(), Mode.SMTP).name("drop-" + i).build());
            }
            // Last in line: its probe gets a thread only after every dropping one has started its connect.
            targets.add(Targets.host("127.0.0.1", healthy.port(), Mode.SMTP).name("healthy").build());
            AtomicReference<ProbeScheduler> scheduler = new AtomicReference<>();
            scheduler.set(new ProbeScheduler(timer, threads, clock, new Random(7),
                    (target, results) -> recorded.add(new Recorded(target.name(), results, scheduler.get().inFlight())),
                    log));

            scheduler.get().apply(new ProbeConfig(Duration.ofMinutes(5), Duration.ZERO, TIMEOUT, 2, "probe.test"),
                    prober(), targets);
            timer.advance(Duration.ZERO);

            assertThat(scheduler.get().inFlight()).as("every probe in flight at once").isEqualTo(DROPPING + 1);
            Recorded first = next();
            assertThat(first.target()).isEqualTo("healthy");
            assertThat(first.results()).singleElement().extracting(ProbeResult::outcome).isEqualTo(Outcome.OK);
            assertThat(first.inFlight()).as("the dropping probes still waiting for their SYNs").isEqualTo(DROPPING);
            // Two places (concurrency 2): each finished job hands its thread to the next, so two threads did
            // every setup and the healthy conversation, and the thirty waiting probes hold none.
            assertThat(threads.threads()).as("probe threads while thirty probes wait").isLessThanOrEqualTo(2);

            for (int i = 0; i < DROPPING; i++) {
                Recorded dropped = next();
                assertThat(dropped.target()).startsWith("drop-");
                ProbeResult result = dropped.results().get(0);
                assertThat(result.outcome()).isEqualTo(Outcome.TCP_TIMEOUT);
                // Loose on purpose (a loaded machine): the connect phase is the deadline, not a multiple of it.
                assertThat(result.phases().get(Phase.CONNECT))
                        .isBetween(TIMEOUT.minusMillis(250), TIMEOUT.plusMillis(1000));
            }
            assertThat(scheduler.get().inFlight()).isZero();
            assertThat(healthy.accepted()).isEqualTo(1);
            scheduler.get().stop();
        }
    }

    private TargetProber prober() {
        ProbeOptions options = new ProbeOptions(TIMEOUT, "probe.test", new DnsConfig(List.of(), IpFamily.IPV4), false);
        return new TargetProber(options, new LoopbackResolver(), Clock.systemUTC(), Ticker.SYSTEM, watchdog,
                BearerTokens.NONE, connector);
    }

    private Recorded next() throws InterruptedException {
        Recorded next = recorded.poll(20, TimeUnit.SECONDS);
        assertThat(next).as("a recorded probe within 20 s").isNotNull();
        return next;
    }
}
