package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.testing.ScriptedSmtpServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 3: the documented maximum ({@link ConfigLoader#MAX_PROBED_HOSTS}) is what the unit's
 * heap holds with its scrapes. The daemon, under the unit's JVM options, at the maximum: half the
 * targets hold a whole SMTP conversation with a loopback server (every phase and reply exported), half
 * are refused; scraped every 15 s for a minute (CI's short soak; the README gives the 10-minute run).
 * No OutOfMemoryError, and the heap in use at every scrape stays under the bound.
 */
class MaxTargetsSoakTest {
    /** A minute in CI; {@code -Dsmtp-probe.soak=PT10M} for the 10-minute run the README describes. */
    private static final Duration SOAK = Duration.parse(System.getProperty("smtp-probe.soak", "PT60S"));
    private static final Duration SCRAPE_EVERY = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void holdsTheMaximumTargetCountWithinTheUnitsHeapWhileScrapedEveryFifteenSeconds() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(peer -> {
            peer.send("220 mail.test ESMTP");
            peer.expect("EHLO");
            peer.send("250-mail.test\r\n250-SIZE 35882577\r\n250 8BITMIME");
            peer.expect("QUIT");
            peer.send("221 bye");
        })) {
            StringBuilder config = new StringBuilder("""
                    azure:
                      metadata: off
                    probe:
                      interval: 30s
                      jitter: 10s
                      timeout: 2s
                      concurrency: 8
                      helo_name: vm.test
                    targets:
                    """);
            for (int i = 0; i < ConfigLoader.MAX_PROBED_HOSTS; i++) {
                config.append("  - name: t").append(i).append("\n    host: 127.0.0.1\n    mode: smtp\n    port: ")
                        .append(i % 2 == 0 ? server.port() : closedPort).append('\n');
            }
            Path file = Files.writeString(dir.resolve("max.yml"), config);
            long maxHeap = AgentProcess.unitMaxHeapBytes();

            try (AgentProcess agent = AgentProcess.start(file)) {
                long start = System.nanoTime();
                long peakHeap = 0;
                long biggest = 0;
                int scrapes = 0;
                AgentProcess.Scrape last = null;
                while (System.nanoTime() - start < SOAK.toNanos()) {
                    // The scrape interval is the rhythm being tested, not a wait for something to happen.
                    Thread.sleep(SCRAPE_EVERY.toMillis());
                    last = agent.scrape();
                    scrapes++;
                    peakHeap = Math.max(peakHeap, last.heapUsed());
                    biggest = Math.max(biggest, last.text().length());
                    assertThat(agent.process().process().isAlive()).as("alive after scrape %d", scrapes).isTrue();
                }
                System.out.printf("max targets: %d hosts, %d scrapes in %d s (largest %.1f MiB); heap used peak %.1f"
                                + " MiB, GC live data %.1f MiB, of -Xmx %d MiB; probes run %d; live threads %d%n",
                        ConfigLoader.MAX_PROBED_HOSTS, scrapes, SOAK.toSeconds(), biggest / 1048576.0,
                        peakHeap / 1048576.0, last.value("jvm_gc_live_data_size_bytes") / 1048576.0,
                        maxHeap / 1048576, last.probesRun(), last.liveThreads());

                assertThat(agent.process().output()).doesNotContain("OutOfMemoryError");
                assertThat(last.probesRun()).as("every target probed at least once")
                        .isGreaterThanOrEqualTo(ConfigLoader.MAX_PROBED_HOSTS);
                assertThat(peakHeap).as("heap in use at the scrapes").isLessThan(maxHeap * 9 / 10);
                assertThat(agent.http().get("/-/healthy").statusCode()).isEqualTo(200);
            }
        }
    }
}
