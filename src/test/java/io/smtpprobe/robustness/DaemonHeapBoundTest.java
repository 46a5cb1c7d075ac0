package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.probe.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon, with the systemd unit's JVM options (a 64 MiB heap, {@code -XX:+ExitOnOutOfMemoryError}),
 * against a flood of hostile peers, all probed at once every three seconds: oversized and endless replies, a
 * flood after TLS, trickled banners, stalled handshakes, noise. It must neither die nor outgrow its
 * heap, keep serving {@code /metrics}, and end every probe in the outcome its peer deserves.
 *
 * <p>One probe thread per target: connects no longer wait for a thread, so with fewer threads than
 * peers that stall for the whole deadline, a connected probe can spend its deadline waiting for a
 * thread and end as our own {@code error} (AsyncProbeTest pins that), which is not what its peer
 * deserves.
 */
class DaemonHeapBoundTest {
    private static final int COPIES = 2;
    private static final int ROUNDS = 12;

    @TempDir
    Path dir;

    @Test
    void staysWithinTheUnitsHeapAndEndsEveryProbePreciselyWhileEveryTargetMisbehaves() throws Exception {
        try (HostileFleet fleet = new HostileFleet(Duration.ofMillis(50))) {
            Map<String, Outcome> expected = fleet.targets(COPIES);
            Path config = Files.writeString(dir.resolve("smtp-probe.yml"), "subscription:\n  offer: pay-as-you-go\n"
                    + "azure:\n  metadata: off\n"
                    + "probe:\n  interval: 3s\n  jitter: 0s\n  timeout: 2s\n  concurrency: " + expected.size()
                    + "\n  helo_name: vm.test\n"
                    + fleet.targetsYaml(COPIES));
            long maxHeap = AgentProcess.unitMaxHeapBytes();
            long start = System.nanoTime();
            long peakHeap = 0;
            try (AgentProcess agent = AgentProcess.start(config)) {
                for (int round = 1; round <= ROUNDS; round++) {
                    // A scrape per round of finished probes: the heap is sampled while the next round runs.
                    agent.awaitProbes(round * expected.size(), 20);
                    AgentProcess.Scrape scrape = agent.scrape();
                    peakHeap = Math.max(peakHeap, scrape.heapUsed());
                    assertThat(agent.process().process().isAlive()).as("alive after round %d", round).isTrue();
                }
                AgentProcess.Scrape last = agent.scrape();
                long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
                Map<String, Map<String, Double>> runs = last.runsByTargetAndOutcome();
                System.out.printf("heap bound: %d probes of %d hostile targets in %d s; heap used peak %.1f MiB,"
                                + " last %.1f MiB, of -Xmx %d MiB; GC live data %.1f MiB%n",
                        last.probesRun(), expected.size(), seconds, peakHeap / 1048576.0, last.heapUsed() / 1048576.0,
                        maxHeap / 1048576, last.value("jvm_gc_live_data_size_bytes") / 1048576.0);

                assertThat(agent.process().output()).doesNotContain("OutOfMemoryError").doesNotContain("outcome=error");
                assertThat(peakHeap).isPositive().isLessThan(maxHeap);
                assertThat(last.value("jvm_memory_max_bytes{area=\"heap\",id=\"Tenured Gen\"}"))
                        .as("the agent runs with the unit's heap").isLessThanOrEqualTo(maxHeap);
                assertThat(last.probesRun()).isGreaterThanOrEqualTo((long) ROUNDS * expected.size());
                for (Map.Entry<String, Outcome> target : expected.entrySet()) {
                    assertThat(runs.get(target.getKey())).as("outcomes of %s", target.getKey())
                            .containsOnlyKeys(target.getValue().label());
                }
                assertThat(fleet.accepted()).isGreaterThanOrEqualTo(ROUNDS * expected.size());
                assertThat(agent.http().get("/-/healthy").statusCode()).isEqualTo(200);
            }
        }
    }
}
