package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.testing.Serial;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 2: the agent's threads are bounded by {@code probe.concurrency} plus a fixed few, at
 * any target count. Three thousand targets that fail at once (a loopback port with no listener
 * answers the SYN with RST), all due together at concurrency 8, under the systemd unit's JVM options:
 * before, result recording ran on the probe threads behind one lock, and the pool made a thread for
 * every probe that found none idle (1,122 at 3,000 targets). Then SIGTERM must end the agent within
 * the probe timeout plus 2 s, whatever is queued.
 */
@Serial
class ThreadBoundTest {
    private static final int TARGETS = 3000;
    private static final int CONCURRENCY = 8;
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void threeThousandFastFailingTargetsStayUnderFortyThreadsAndSigtermEndsWithinTheTimeoutPlusTwoSeconds()
            throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort(); // closed once this block ends: every probe is refused at once
        }
        // Past the loader's maximum (2,000 hosts): the thread bound is the engine's, at any count.
        try (AgentProcess agent = AgentProcess.startMain(ManyTargetsMain.class, Integer.toString(closedPort),
                Integer.toString(TARGETS), Integer.toString(CONCURRENCY))) {
            // Two full rounds, every target due at the same instant (no jitter).
            agent.awaitProbes(2 * TARGETS, 120);
            AgentProcess.Scrape metrics = agent.scrape();
            long peak = (long) metrics.value("jvm_threads_peak_threads");
            System.out.printf("thread bound: %d targets at concurrency %d: peak live threads %d, live now %d%n",
                    TARGETS, CONCURRENCY, peak, metrics.liveThreads());
            assertThat(peak).as("peak live threads (ThreadMXBean) at %d targets", TARGETS).isLessThan(40);

            long start = System.nanoTime();
            agent.process().signal("TERM");
            boolean ended = agent.process().process().waitFor(TIMEOUT.plusSeconds(10).toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(ended).as("ended after SIGTERM; output:\n%s", agent.process().output()).isTrue();
            System.out.printf("thread bound: SIGTERM to exit %d ms%n", took.toMillis());
            assertThat(agent.process().process().exitValue()).as("exit status after SIGTERM").isZero();
            assertThat(took).as("SIGTERM to exit").isLessThan(TIMEOUT.plusSeconds(2));
            assertThat(agent.process().output()).doesNotContain("OutOfMemoryError");
        }
    }
}
