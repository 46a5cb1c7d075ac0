package io.smtpprobe.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Mode;
import io.smtpprobe.config.ProbeConfig;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.testing.DaemonFixtures;
import io.smtpprobe.testing.GatedProber;
import io.smtpprobe.testing.ManualTaskScheduler;
import io.smtpprobe.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProbeSchedulerTest {
    static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    final MutableClock clock = new MutableClock(T0);
    final ManualTaskScheduler timer = new ManualTaskScheduler(clock);
    final GatedProber prober = new GatedProber(clock);
    final BlockingQueue<ProbeResult> recorded = new LinkedBlockingQueue<>();
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final EventLog log = new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock, LogLevel.DEBUG,
            true);
    final ExecutorService threads = Executors.newCachedThreadPool();
    /** Counts probes handed to a thread: the scheduler's decision, known as soon as advance() returns. */
    final AtomicInteger dispatched = new AtomicInteger();

    @AfterEach
    void stopThreads() {
        prober.openAll();
        threads.shutdownNow();
    }

    ProbeScheduler scheduler(boolean inline) {
        return new ProbeScheduler(timer, task -> {
            dispatched.incrementAndGet();
            if (inline) {
                task.run();
            } else {
                threads.execute(task);
            }
        }, clock, new Random(7), (target, results) -> recorded.addAll(results), log);
    }

    static ProbeConfig probe(Duration interval, Duration jitter, Duration timeout, int concurrency) {
        return new ProbeConfig(interval, jitter, timeout, concurrency, "probe.test");
    }

    static TargetConfig target(String name) {
        return DaemonFixtures.host(name, name + ".test", 25, Mode.SMTP);
    }

    static List<TargetConfig> targets(int count) {
        return IntStream.range(0, count).mapToObj(i -> target("t" + i)).toList();
    }

    ProbeResult next() throws InterruptedException {
        ProbeResult result = recorded.poll(10, TimeUnit.SECONDS);
        assertThat(result).as("a probe result within 10 s").isNotNull();
        return result;
    }

    @Test
    void probesEachTargetOncePerIntervalAtAFreshOffsetWithinTheJitter() {
        ProbeScheduler scheduler = scheduler(true);
        Duration interval = Duration.ofMinutes(5);
        Duration jitter = Duration.ofSeconds(30);
        scheduler.apply(probe(interval, jitter, Duration.ofSeconds(15), 8), prober, targets(6));

        timer.advance(Duration.ofMinutes(60).minusNanos(1));

        List<Long> offsets = new java.util.ArrayList<>();
        for (int t = 0; t < 6; t++) {
            List<Instant> starts = prober.startsOf("t" + t);
            assertThat(starts).as("probes of t%d in an hour of 5-minute intervals", t).hasSize(12);
            for (int k = 0; k < starts.size(); k++) {
                Duration offset = Duration.between(T0.plus(interval.multipliedBy(k)), starts.get(k));
                assertThat(offset).as("offset of probe %d of t%d", k, t).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(jitter);
                offsets.add(offset.toMillis());
            }
        }
        // Offsets are drawn anew each time: a fleet that collided once does not collide every round.
        assertThat(offsets.stream().distinct().count()).isGreaterThan(60);
    }

    @Test
    void aSlotTheTimerRanLateDoesNotShiftTheSlotsAfterIt() {
        ProbeScheduler scheduler = scheduler(true);
        scheduler.apply(probe(Duration.ofMinutes(1), Duration.ZERO, Duration.ofSeconds(15), 8), prober, targets(1));
        timer.advance(Duration.ofSeconds(59));
        // The timer thread is held up for 2 s over the second slot (a start-up, a long collection).
        timer.stall(Duration.ofSeconds(2));
        timer.advance(Duration.ZERO);
        timer.advance(Duration.ofMinutes(2).minusSeconds(1));

        assertThat(prober.startsOf("t0")).as("due every minute; the slot at 1 minute ran 1 s late")
                .containsExactly(T0, T0.plusSeconds(61), T0.plusSeconds(120), T0.plusSeconds(180));
    }

    @Test
    void slotsAPauseLongerThanAnIntervalPassedOverAreSkippedNotMadeUp() {
        ProbeScheduler scheduler = scheduler(true);
        scheduler.apply(probe(Duration.ofMinutes(1), Duration.ZERO, Duration.ofSeconds(15), 8), prober, targets(1));
        timer.advance(Duration.ofSeconds(59));
        timer.stall(Duration.ofSeconds(151)); // a VM paused from 59 s to 210 s: the slots at 60, 120, 180 s passed
        timer.advance(Duration.ofSeconds(60));

        assertThat(prober.startsOf("t0")).as("one probe on waking, then on the old cadence")
                .containsExactly(T0, T0.plusSeconds(210), T0.plusSeconds(240));
    }

    @Test
    void spreadsTheFirstProbesOfAllTargetsAcrossTheJitter() {
        ProbeScheduler scheduler = scheduler(true);
        scheduler.apply(probe(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(15), 8), prober,
                targets(20));

        timer.advance(Duration.ofSeconds(30));

        List<Instant> firsts = prober.starts.stream().map(GatedProber.Start::at).toList();
        assertThat(firsts).hasSize(20).allSatisfy(at -> assertThat(at).isBetween(T0, T0.plusSeconds(30)));
        assertThat(firsts.stream().map(Instant::getEpochSecond).distinct().count()).isGreaterThan(10);
    }

    @Test
    void neverStartsASecondProbeOfATargetWhileOneRuns() throws InterruptedException {
        ProbeScheduler scheduler = scheduler(false);
        prober.block("t0");
        scheduler.apply(probe(Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(60), 4), prober, targets(1));

        timer.advance(Duration.ofSeconds(45));

        assertThat(dispatched).hasValue(1);
        assertThat(scheduler.inFlight()).isEqualTo(1);
        assertThat(logBytes.toString(StandardCharsets.UTF_8))
                .contains("msg=\"previous probe still running; skipping this round\" target=t0");
        prober.open("t0");
        assertThat(next().outcome()).isEqualTo(Outcome.OK);

        timer.advance(Duration.ofSeconds(5));

        assertThat(dispatched).hasValue(2);
    }

    @Test
    void holdsProbesBeyondTheConcurrencyCapUntilOneEnds() throws InterruptedException {
        ProbeScheduler scheduler = scheduler(false);
        List<TargetConfig> targets = targets(5);
        targets.forEach(t -> prober.block(t.name()));
        scheduler.apply(probe(Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(60), 2), prober, targets);

        timer.advance(Duration.ZERO);

        assertThat(dispatched).hasValue(2);
        assertThat(scheduler.onThreads()).isEqualTo(2);
        assertThat(scheduler.waiting()).isEqualTo(3);

        prober.open("t0");
        assertThat(next().target()).isEqualTo("t0");
        prober.awaitStarted("t2");

        // The next probe runs on the thread the finished one leaves: no new thread for it.
        assertThat(dispatched).hasValue(2);
        assertThat(scheduler.onThreads()).isEqualTo(2);
        assertThat(scheduler.waiting()).isEqualTo(2);
        targets.forEach(t -> prober.open(t.name()));
        for (int i = 0; i < 4; i++) {
            next();
        }
        assertThat(scheduler.inFlight()).isZero();
        assertThat(dispatched).as("five probes, each on a thread an earlier one left: two threads").hasValue(2);
    }

    @Test
    void stopsProbesThatNeverHadAThreadAndWaitsOnlyForTheOneRunning() throws InterruptedException {
        ProbeScheduler scheduler = scheduler(false);
        prober.block("t0");
        prober.block("t1");
        scheduler.apply(probe(Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(60), 1), prober, targets(2));
        timer.advance(Duration.ZERO);
        prober.awaitStarted("t0");
        assertThat(scheduler.inFlight()).isEqualTo(2);
        assertThat(scheduler.waiting()).isEqualTo(1);

        scheduler.stop();

        assertThat(scheduler.inFlight()).as("the probe that never had a thread is dropped").isEqualTo(1);
        prober.open("t0");
        assertThat(scheduler.awaitInFlight(Duration.ofSeconds(10))).isTrue();
        assertThat(next().target()).isEqualTo("t0");
        assertThat(prober.startsOf("t1")).isEmpty();
        assertThat(recorded).isEmpty();
    }

    @Test
    void keepsProbingAFastTargetOnScheduleWhileASlowOneHangs() throws InterruptedException {
        ProbeScheduler scheduler = scheduler(false);
        prober.hang("slow");
        scheduler.apply(probe(Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(10), 2), prober,
                List.of(target("slow"), target("fast")));

        timer.advance(Duration.ZERO);
        assertThat(next().target()).isEqualTo("fast");
        prober.awaitStarted("slow");

        // The slow probe overruns its 10 s deadline: at 11 s it is abandoned and recorded as such.
        timer.advance(Duration.ofSeconds(11));
        ProbeResult abandoned = next();
        assertThat(abandoned.target()).isEqualTo("slow");
        assertThat(abandoned.outcome()).isEqualTo(Outcome.DEADLINE_EXCEEDED);
        assertThat(abandoned.detail()).contains("deadline of 10s");
        assertThat(scheduler.inFlight()).isZero();

        // The slow probe ignores the interrupt and never returns: its rounds are skipped, the fast one's are not.
        prober.awaitInterrupted("slow");
        // Virtual time stops at each due time so that the fast probe's real thread runs before time moves on.
        timer.advance(Duration.ofSeconds(19));
        for (int round = 1; round <= 3; round++) {
            if (round > 1) {
                timer.advance(Duration.ofSeconds(30));
            }
            ProbeResult fast = next();
            assertThat(fast.target()).isEqualTo("fast");
            assertThat(fast.startedAt()).isEqualTo(T0.plusSeconds(30L * round));
        }
        assertThat(prober.startsOf("slow")).hasSize(1);
        assertThat(recorded).isEmpty();
        assertThat(logBytes.toString(StandardCharsets.UTF_8))
                .contains("msg=\"previous probe still running; skipping this round\" target=slow");
    }

    @Test
    void givesTheSlotOfAnAbandonedProbeToTheNextOneWaiting() throws InterruptedException {
        ProbeScheduler scheduler = scheduler(false);
        prober.block("slow");
        scheduler.apply(probe(Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(10), 1), prober,
                List.of(target("slow"), target("fast")));

        timer.advance(Duration.ZERO);
        assertThat(scheduler.waiting()).isEqualTo(1);

        timer.advance(Duration.ofSeconds(11));

        List<ProbeResult> both = List.of(next(), next());
        assertThat(both).extracting(ProbeResult::target).containsExactlyInAnyOrder("slow", "fast");
        assertThat(prober.startsOf("fast")).containsExactly(T0.plusSeconds(11));
    }

    @Test
    void discardsTheLateResultOfAnAbandonedProbe() throws InterruptedException {
        ProbeScheduler scheduler = scheduler(false);
        prober.block("slow");
        scheduler.apply(probe(Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(10), 2), prober,
                List.of(target("slow")));
        timer.advance(Duration.ZERO);
        prober.awaitStarted("slow");
        timer.advance(Duration.ofSeconds(11));
        assertThat(next().outcome()).isEqualTo(Outcome.DEADLINE_EXCEEDED);

        // The abandoned thread was interrupted, so the gated probe returned at once; nothing more is recorded.
        prober.awaitInterrupted("slow");
        assertThat(recorded.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void startsNewTargetsWithinTheJitterAndStopsRemovedOnesOnReload() throws InterruptedException {
        ProbeScheduler scheduler = scheduler(true);
        ProbeConfig settings = probe(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(15), 4);
        scheduler.apply(settings, prober, List.of(target("keep"), target("drop")));
        timer.advance(Duration.ofMinutes(1));
        recorded.clear();

        scheduler.apply(settings, prober, List.of(target("keep"), target("new")));
        timer.advance(Duration.ofSeconds(30));

        assertThat(prober.startsOf("new")).hasSize(1)
                .allSatisfy(at -> assertThat(at).isBetween(T0.plusSeconds(60), T0.plusSeconds(90)));
        timer.advance(Duration.ofMinutes(20));
        assertThat(prober.startsOf("drop")).hasSize(1);
        assertThat(prober.startsOf("keep")).hasSize(5);
        assertThat(scheduler.targetNames()).containsExactly("keep", "new");
    }

    @Test
    void dropsTheResultOfARemovedTargetThatWasStillBeingProbed() throws InterruptedException {
        ProbeScheduler scheduler = scheduler(false);
        prober.block("drop");
        ProbeConfig settings = probe(Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(15), 4);
        scheduler.apply(settings, prober, List.of(target("drop")));
        timer.advance(Duration.ZERO);

        scheduler.apply(settings, prober, List.of(target("other")));
        prober.open("drop");
        timer.advance(Duration.ZERO);

        assertThat(next().target()).isEqualTo("other");
        assertThat(recorded.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void probesAChangedTargetAnewOnceItsRunningProbeEndsAndDropsTheOldResult() throws InterruptedException {
        ProbeScheduler scheduler = scheduler(false);
        prober.block("t0");
        ProbeConfig settings = probe(Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(15), 4);
        scheduler.apply(settings, prober, List.of(target("t0")));
        timer.advance(Duration.ZERO);
        prober.awaitStarted("t0");

        TargetConfig moved = DaemonFixtures.host("t0", "t0.test", 2525, Mode.SMTP);
        scheduler.apply(settings, prober, List.of(moved));
        prober.open("t0");

        ProbeResult fresh = next();
        assertThat(fresh.port()).as("the result of the old configuration is dropped").isEqualTo(2525);
        assertThat(dispatched).hasValue(2);
        assertThat(prober.startsOf("t0")).containsExactly(T0, T0);
    }

    @Test
    void startsWaitingProbesWhenAReloadRaisesTheConcurrency() {
        ProbeScheduler scheduler = scheduler(false);
        List<TargetConfig> targets = targets(4);
        targets.forEach(t -> prober.block(t.name()));
        scheduler.apply(probe(Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(60), 1), prober, targets);
        timer.advance(Duration.ZERO);
        assertThat(scheduler.waiting()).isEqualTo(3);

        scheduler.apply(probe(Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(60), 3), prober, targets);

        assertThat(dispatched).hasValue(3);
        assertThat(scheduler.onThreads()).isEqualTo(3);
        assertThat(scheduler.waiting()).isEqualTo(1);
    }

    @Test
    void recordsAProberThatThrowsAsAnErrorAndKeepsScheduling() throws InterruptedException {
        ProbeScheduler scheduler = new ProbeScheduler(timer, Runnable::run, clock, new Random(7),
                (target, results) -> recorded.addAll(results), log);
        scheduler.apply(probe(Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(15), 2), target -> {
            throw new IllegalStateException("a bug in the prober");
        }, List.of(target("t0")));

        timer.advance(Duration.ofMinutes(5));

        assertThat(recorded).hasSize(2).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(r.detail()).isEqualTo("internal error in the probe (a bug: the agent's log has the details)");
        });
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("msg=\"probe failed with an internal error\"");
    }

    ProbeScheduler schedulerInFlightAtMost(int maxInFlight) {
        return new ProbeScheduler(timer, task -> {
            dispatched.incrementAndGet();
            threads.execute(task);
        }, clock, new Random(7), (target, results) -> recorded.addAll(results), log, maxInFlight);
    }

    @Test
    void queuesTargetsDueWhileTheEngineIsFullAndStartsThemInArrivalOrderAsProbesEnd() throws InterruptedException {
        ProbeScheduler scheduler = schedulerInFlightAtMost(2);
        List<TargetConfig> targets = targets(4);
        targets.forEach(t -> prober.block(t.name()));
        scheduler.apply(probe(Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(60), 8), prober, targets);

        timer.advance(Duration.ZERO);

        assertThat(scheduler.inFlight()).isEqualTo(2);
        assertThat(dispatched).as("probes handed to a thread").hasValue(2);
        assertThat(scheduler.waiting()).as("queued for room, not for a thread").isEqualTo(2);

        prober.open("t1");
        assertThat(next().target()).isEqualTo("t1");
        prober.awaitStarted("t2");

        assertThat(dispatched).hasValue(3);
        assertThat(prober.startsOf("t3")).as("the later arrival still waits").isEmpty();
        assertThat(scheduler.waiting()).isEqualTo(1);
    }

    @Test
    void withdrawsAQueuedTargetThatAReloadRemovesSoItNeverStarts() throws InterruptedException {
        ProbeScheduler scheduler = schedulerInFlightAtMost(1);
        prober.block("busy");
        ProbeConfig settings = probe(Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(60), 8);
        scheduler.apply(settings, prober, List.of(target("busy"), target("queued")));
        timer.advance(Duration.ZERO);
        assertThat(scheduler.waiting()).isEqualTo(1);

        scheduler.apply(settings, prober, List.of(target("busy")));

        assertThat(scheduler.waiting()).isZero();
        prober.open("busy");
        assertThat(next().target()).isEqualTo("busy");
        assertThat(scheduler.awaitInFlight(Duration.ofSeconds(10))).isTrue();
        assertThat(prober.startsOf("queued")).isEmpty();
    }

    @Test
    void stopWithdrawsQueuedTargetsAndCancelsProbesThatNeverHadAThread() throws InterruptedException {
        ProbeScheduler scheduler = schedulerInFlightAtMost(1);
        prober.block("busy");
        scheduler.apply(probe(Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(60), 8), prober,
                List.of(target("busy"), target("queued")));
        timer.advance(Duration.ZERO);
        prober.awaitStarted("busy");

        scheduler.stop();

        assertThat(scheduler.waiting()).isZero();
        assertThat(scheduler.inFlight()).as("the probe on its thread carries on").isEqualTo(1);
        prober.open("busy");
        assertThat(scheduler.awaitInFlight(Duration.ofSeconds(10))).isTrue();
        assertThat(prober.startsOf("queued")).isEmpty();
    }
}
