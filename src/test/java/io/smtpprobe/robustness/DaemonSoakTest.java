package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.probe.Outcome;
import io.smtpprobe.testing.Serial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over a thousand probes through the daemon against hostile peers leave it holding exactly the
 * descriptors it held before them, as its own {@code /metrics} reports them, and the threads beside its probe
 * workers' pool (whose size is the recent peak of probes in flight).
 *
 * <p>Serial, unlike the other soaks: it compares readings taken while the agent is idle between rounds, and
 * beside another hostile fleet in the other fork and two busy processes the agent's rounds ran into each other
 * for 150 rounds without a gap (issue 24's first loaded run, on Java 25).
 */
@Serial
class DaemonSoakTest {
    private static final int COPIES = 5;
    private static final int ROUNDS = 25;

    @TempDir
    Path dir;

    @Test
    void holdsTheSameDescriptorsAndThreadsAfterAThousandHostileProbesAsBeforeThem() throws Exception {
        try (HostileFleet fleet = new HostileFleet(Duration.ofMillis(20))) {
            Map<String, Outcome> expected = fleet.targets(COPIES);
            int perRound = expected.size();
            // Rounds every two seconds, every target within 200 ms of the round's start (concurrency above the target
            // count), so a round ends by 0.2 s plus the 300 ms deadline of its slowest probe: from the last probe
            // of a round to the first of the next the agent is idle, and that is when it is read (a reading taken
            // while a probe ran is recognised from the log and not compared). Idle, nothing in flight holds a
            // descriptor or a thread, so the counts must match exactly: no tolerance. The probe threads' pool
            // keeps a thread a minute after its last job, so its size is the most threads any round so far needed
            // at once; with no jitter at all (every target due at the same instant, now that the schedule does not
            // drift) that peak kept creeping up by a thread every ten rounds or so. The baseline is the first
            // idle reading of the second half; a leak shows as growth over its 625 hostile probes. (Rounds came
            // every second until issue 24: on a loaded machine fifty probes of hostile peers took the whole second,
            // and no reading of a whole run was idle.)
            Path config = Files.writeString(dir.resolve("smtp-probe.yml"), "subscription:\n  offer: pay-as-you-go\n"
                    + "azure:\n  metadata: off\n"
                    + "probe:\n  interval: 2s\n  jitter: 200ms\n  timeout: 300ms\n  concurrency: 64\n  helo_name: vm.test\n"
                    + fleet.targetsYaml(COPIES));
            long start = System.nanoTime();
            try (AgentProcess agent = AgentProcess.start(config)) {
                // Both HTTP threads exist from the second request on; start them before the first reading.
                agent.scrape();
                agent.scrape();
                // Issue 24: on a loaded machine rounds can run into each other, and a reading is idle less often;
                // the soak reads on until it has three idle readings early in the second half and three at least
                // ROUNDS / 2 rounds later (and ROUNDS in all). The bound only stops a machine too busy for the agent
                // ever to be idle between rounds. Each side counts its fewest: a scrape's own connection being
                // replaced can hold one descriptor more for a moment (seen once in 25 idle readings); a leak holds
                // on, and shows in all three.
                List<Reading> early = new ArrayList<>();
                int earlyRound = 0;
                List<Reading> late = new ArrayList<>();
                List<String> readings = new ArrayList<>();
                int scrapes = 2;
                for (int round = 1; late.size() < 3; round++) {
                    assertThat(round).as("rounds until three idle readings and three more %d rounds later; every round"
                            + " so far: %s", ROUNDS / 2, readings).isLessThanOrEqualTo(3 * ROUNDS);
                    agent.awaitProbes(round * perRound, 30);
                    Reading reading = read(agent, ++scrapes);
                    readings.add(reading.toString());
                    if (!reading.idle()) {
                        continue;
                    }
                    if (early.size() < 3 && round > ROUNDS / 2) {
                        early.add(reading);
                        earlyRound = round;
                    } else if (early.size() == 3 && round >= ROUNDS && round - earlyRound >= ROUNDS / 2) {
                        late.add(reading);
                    }
                }
                Reading first = Reading.fewest(early);
                Reading last = Reading.fewest(late);
                long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
                System.out.printf("soak: %d probes of %d hostile targets in %d s; fewest of three idle readings early in the second half %s,"
                                + " of three at the end %s;"
                                + " every round (files/threads/threads beside the probe workers, * not idle): %s%n",
                        late.get(2).scrape().probesRun(), perRound, seconds, first, last, readings);

                assertThat(late.get(2).scrape().probesRun()).isGreaterThanOrEqualTo((long) ROUNDS * perRound);
                // Issue 24: on a loaded machine a 300 ms deadline can pass in a probe's local setup, an `error`
                // outcome that timing flips (CI saw one among 2,500 probes while packages installed beside it).
                // What this soak guards is bugs, not timing: no probe may fail with an internal error or an
                // unexpected local failure, which the log and the last results say whatever the load.
                assertThat(agent.process().output()).as("the agent's log").doesNotContain("probe failed with an internal error");
                assertThat(agent.http().get("/status").body()).doesNotContain("an unexpected local failure")
                        .doesNotContain("internal error in the probe");
                assertThat(last.files()).as("open files").isEqualTo(first.files());
                // The probe workers' pool holds as many threads as the most probes in flight at once in the last
                // minute, which a busy machine raises (rounds overlap more): a peak, not a leak. A worker that never
                // ends is a probe that never finishes, which no idle reading allows. Every other thread of the agent
                // must match, beside the JVM's own compiler and collector threads.
                assertThat(last.threads()).as("threads other than the probe workers")
                        .isEqualTo(first.threads());
            }
        }
    }

    /**
     * A scrape, and whether the agent was idle while it was taken: the log line of the scrape follows the
     * reading, so if every probe started before it had also finished before it, none was in flight. Only the
     * lines up to that one count: by the time the test has read it the next round may have begun (on a loaded
     * machine it always had, and every reading of a whole loaded run looked busy; issue 24).
     */
    private static Reading read(AgentProcess agent, int scrape) throws Exception {
        AgentProcess.Scrape metrics = agent.scrape();
        long threads = threadsBesideTheProbeWorkers(agent.process().process().pid());
        agent.process().awaitCount("msg=\"metrics scraped\"", scrape, 30);
        long started = 0;
        long finished = 0;
        int scrapes = 0;
        for (String line : agent.process().output().split("\n")) {
            if (line.contains("msg=\"metrics scraped\"") && ++scrapes == scrape) {
                break;
            }
            started += line.contains("msg=\"probe started\"") ? 1 : 0;
            finished += line.contains("msg=\"probe finished\"") ? 1 : 0;
        }
        return new Reading(metrics, threads, started == finished);
    }

    /**
     * The agent's threads, from {@code /proc} (each task's name is its thread's, cut to 15 characters), beside the
     * probe workers and the threads the JVM starts and stops as it needs them: JIT compiler threads (their number
     * follows the compile queue, and one ended mid-soak in a loaded run) and garbage collector workers.
     */
    private static long threadsBesideTheProbeWorkers(long pid) throws IOException {
        long threads = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm"));
                    threads += Stream.of("smtp-probe-work", "C1 CompilerThre", "C2 CompilerThre", "GC Thread#", "G1 ")
                            .anyMatch(name::startsWith) ? 0 : 1;
                } catch (IOException e) {
                    // The thread ended while listed.
                }
            }
        }
        return threads;
    }

    /** What a reading compares: the agent's open files, its threads beside the probe workers, and if idle. */
    private record Reading(AgentProcess.Scrape scrape, long files, long threads, boolean idle) {
        Reading(AgentProcess.Scrape scrape, long threads, boolean idle) {
            this(scrape, (long) scrape.openFiles(), threads, idle);
        }

        /** The fewest files and the fewest threads of {@code readings}. */
        static Reading fewest(List<Reading> readings) {
            return new Reading(readings.get(0).scrape(), readings.stream().mapToLong(Reading::files).min().orElseThrow(),
                    readings.stream().mapToLong(Reading::threads).min().orElseThrow(), true);
        }

        @Override
        public String toString() {
            return files + "/" + scrape.liveThreads() + "/" + threads + (idle ? "" : "*");
        }
    }
}
