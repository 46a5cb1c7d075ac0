package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.probe.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of probes through the daemon against hostile peers leave it holding exactly the
 * descriptors and threads it held after the first round, as its own {@code /metrics} reports them.
 */
class DaemonSoakTest {
    private static final int COPIES = 5;
    private static final int ROUNDS = 50;

    @TempDir
    Path dir;

    @Test
    void holdsTheSameDescriptorsAndThreadsAfterThousandsOfHostileProbesAsAfterTheFirstRound() throws Exception {
        try (HostileFleet fleet = new HostileFleet(Duration.ofMillis(20))) {
            Map<String, Outcome> expected = fleet.targets(COPIES);
            int perRound = expected.size();
            // Rounds every second, every target at once (no jitter, concurrency above the target count), so a
            // round ends with the 300 ms deadline of its slowest probe: from the last probe of a round to the
            // first of the next the agent is idle, and that is when it is read. Idle, nothing in flight holds a
            // descriptor or a thread, so the counts must match exactly: no tolerance.
            Path config = Files.writeString(dir.resolve("smtp-probe.yml"), "subscription:\n  offer: pay-as-you-go\n"
                    + "azure:\n  metadata: off\n"
                    + "probe:\n  interval: 1s\n  jitter: 0s\n  timeout: 300ms\n  concurrency: 64\n  helo_name: vm.test\n"
                    + fleet.targetsYaml(COPIES));
            long start = System.nanoTime();
            try (AgentProcess agent = AgentProcess.start(config)) {
                // Both HTTP threads exist from the second request on; start them before the first reading.
                agent.scrape();
                agent.awaitProbes(perRound, 30);
                agent.scrape();
                AgentProcess.Scrape first = agent.scrape();
                List<String> readings = new ArrayList<>();
                AgentProcess.Scrape last = first;
                for (int round = 2; round <= ROUNDS; round++) {
                    agent.awaitProbes(round * perRound, 30);
                    last = agent.scrape();
                    readings.add(last.openFiles() + "/" + last.liveThreads());
                }
                long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
                System.out.printf("soak: %d probes of %d hostile targets in %d s; open files %d after round 1, %d after"
                                + " round %d; live threads %d, then %d; per round (files/threads): %s%n",
                        last.probesRun(), perRound, seconds, first.openFiles(), last.openFiles(), ROUNDS,
                        first.liveThreads(), last.liveThreads(), readings);

                assertThat(last.probesRun()).isGreaterThanOrEqualTo((long) ROUNDS * perRound);
                assertThat(last.runsByTargetAndOutcome().values()).allSatisfy(outcomes ->
                        assertThat(outcomes).doesNotContainKey(Outcome.ERROR.label()));
                assertThat(last.openFiles()).as("open files").isEqualTo(first.openFiles());
                assertThat(last.liveThreads()).as("live threads").isEqualTo(first.liveThreads());
            }
        }
    }
}
