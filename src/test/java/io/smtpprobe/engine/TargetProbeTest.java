package io.smtpprobe.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprobe.config.Mode;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.testing.DaemonFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** Each transition of a target's state machine, and what it does besides changing the state. */
class TargetProbeTest {
    static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    final TargetConfig target = DaemonFixtures.host("t", "t.test", 25, Mode.SMTP);
    final TargetProbe probe = new TargetProbe(target);
    final AtomicInteger watchdogsArmed = new AtomicInteger();
    final AtomicBoolean watchdogCancelled = new AtomicBoolean();

    TaskScheduler.Cancellable watchdog() {
        watchdogsArmed.incrementAndGet();
        return () -> watchdogCancelled.set(true);
    }

    /** A run started at T0 whose first piece has had a thread. */
    TargetProbe.Run begun() {
        TargetProbe.Run run = probe.start(T0);
        assertThat(probe.begin(run, this::watchdog)).isTrue();
        return run;
    }

    static ProbeResult ok(String host, String address) {
        return new ProbeResult("t", host, address, 25, Mode.SMTP, Outcome.OK, "250 ok", "ok",
                Map.of(Phase.TOTAL, Duration.ofMillis(5)), null, T0, null);
    }

    /**
     * The permit of a real ThreadPermits with one place, granted to a job whose thread never comes (the
     * executor drops it), so the place stays taken until the permit is released.
     */
    static ThreadPermits.Permit heldPermit(AtomicInteger grantedAfter) {
        Executor neverRuns = task -> { };
        ThreadPermits permits = new ThreadPermits(neverRuns);
        ThreadPermits.Permit[] held = new ThreadPermits.Permit[1];
        permits.execute(job(p -> held[0] = p));
        permits.execute(job(p -> grantedAfter.incrementAndGet()));
        assertThat(grantedAfter).as("the second job waits for the one place").hasValue(0);
        return held[0];
    }

    static ThreadPermits.Job job(java.util.function.Consumer<ThreadPermits.Permit> onGrant) {
        return new ThreadPermits.Job() {
            @Override
            public boolean continuing() {
                return false;
            }

            @Override
            public void granted(ThreadPermits.Permit permit) {
                onGrant.accept(permit);
            }

            @Override
            public void run(ThreadPermits.Permit permit) {
                throw new AssertionError("the executor never runs a job");
            }
        };
    }

    @Test
    void queueThenStartRunsTheCurrentConfiguration() {
        probe.queue();
        assertThat(probe.state()).isEqualTo(ProbeState.QUEUED);

        TargetProbe.Run run = probe.start(T0);

        assertThat(probe.state()).isEqualTo(ProbeState.RUNNING);
        assertThat(probe.isCurrent(run)).isTrue();
        assertThat(run.target).isEqualTo(target);
        assertThat(probe.startedAt()).isEqualTo(T0);
    }

    @Test
    void withdrawTakesAQueuedTargetBackToIdle() {
        probe.queue();

        probe.withdraw();

        assertThat(probe.state()).isEqualTo(ProbeState.IDLE);
        assertThatThrownBy(probe::withdraw).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void startIsRefusedWhileAProbeRuns() {
        probe.start(T0);

        assertThatThrownBy(() -> probe.start(T0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("from RUNNING on START");
    }

    @Test
    void finishRecordsTheResultsCancelsTheWatchdogAndRemembersTheHostsReached() {
        TargetProbe.Run run = probe.start(T0);
        assertThat(probe.begin(run, this::watchdog)).isTrue();
        assertThat(watchdogsArmed).hasValue(1);

        TargetProbe.Return ending = probe.finish(run, List.of(ok("a.test", "192.0.2.1"), ok("b.test", "192.0.2.2")));

        assertThat(ending).isEqualTo(TargetProbe.Return.RECORD);
        assertThat(probe.state()).isEqualTo(ProbeState.IDLE);
        assertThat(watchdogCancelled).isTrue();
        // The hosts reached are what a later abandoned probe is recorded against.
        TargetProbe.Run next = probe.start(T0.plusSeconds(60));
        assertThat(probe.abandoned(next, Duration.ofSeconds(10), Duration.ofSeconds(11)))
                .extracting(ProbeResult::host, ProbeResult::address, ProbeResult::outcome)
                .containsExactly(Tuple.tuple("a.test", "192.0.2.1", Outcome.DEADLINE_EXCEEDED),
                        Tuple.tuple("b.test", "192.0.2.2", Outcome.DEADLINE_EXCEEDED));
    }

    @Test
    void finishOfAnOldConfigurationIsDroppedAndTheNewOneIsProbedOnceIdle() {
        TargetProbe.Run run = probe.start(T0);
        TargetConfig moved = DaemonFixtures.host("t", "t.test", 2525, Mode.SMTP);

        assertThat(probe.reconfigure(moved)).as("a probe was under way").isTrue();
        assertThat(probe.restartWhenIdle()).isTrue();

        assertThat(probe.finish(run, List.of(ok("t.test", "192.0.2.1")))).isEqualTo(TargetProbe.Return.DROP);
        assertThat(probe.start(T0).target).isEqualTo(moved);
        assertThat(probe.restartWhenIdle()).as("the restart happened").isFalse();
    }

    @Test
    void finishOfARemovedTargetIsDroppedAndItIsNeverRestarted() {
        TargetProbe.Run run = probe.start(T0);
        probe.reconfigure(DaemonFixtures.host("t", "t.test", 2525, Mode.SMTP));
        probe.remove();

        assertThat(probe.finish(run, List.of(ok("t.test", null)))).isEqualTo(TargetProbe.Return.DROP);
        assertThat(probe.restartWhenIdle()).isFalse();
    }

    @Test
    void cancelEndsARunThatNeverHadAThreadAndItsLateResultIsStale() {
        TargetProbe.Run run = probe.start(T0);

        assertThat(probe.cancelIfNotBegun()).isTrue();

        assertThat(probe.state()).isEqualTo(ProbeState.IDLE);
        assertThat(probe.begin(run, this::watchdog)).as("a cancelled run may not begin").isFalse();
        assertThat(watchdogsArmed).hasValue(0);
        assertThat(probe.finish(run, List.of(ok("t.test", null)))).isEqualTo(TargetProbe.Return.STALE);
    }

    @Test
    void cancelLeavesARunThatHasBegunAlone() {
        TargetProbe.Run run = begun();

        assertThat(probe.cancelIfNotBegun()).isFalse();
        assertThat(probe.state()).isEqualTo(ProbeState.RUNNING);
    }

    @Test
    void overrunInterruptsTheThreadGivesThePermitBackAndRecordsDeadlineExceeded() {
        AtomicInteger grantedAfter = new AtomicInteger();
        ThreadPermits.Permit permit = heldPermit(grantedAfter);
        TargetProbe.Run run = begun();
        Thread worker = new Thread(() -> { });
        probe.occupy(run, worker, permit);

        assertThat(probe.abandon(run)).isTrue();

        assertThat(probe.state()).isEqualTo(ProbeState.ABANDONED);
        assertThat(worker.isInterrupted()).isTrue();
        assertThat(grantedAfter).as("the freed place went to the waiting job").hasValue(1);
        assertThat(probe.recordable(run)).isTrue();
        assertThat(probe.abandoned(run, Duration.ofSeconds(10), Duration.ofSeconds(11))).singleElement()
                .satisfies(r -> {
                    assertThat(r.outcome()).isEqualTo(Outcome.DEADLINE_EXCEEDED);
                    assertThat(r.host()).isEqualTo("t.test");
                    assertThat(r.detail()).isEqualTo("the probe did not end within its deadline of 10s; abandoned");
                    assertThat(r.phases()).containsEntry(Phase.TOTAL, Duration.ofSeconds(11));
                    assertThat(r.startedAt()).isEqualTo(T0);
                });
        assertThat(probe.abandon(run)).as("a second watchdog of the same run changes nothing").isFalse();
    }

    @Test
    void overrunFreesAPermitGrantedToWorkNoThreadHasTakenUpYet() {
        AtomicInteger grantedAfter = new AtomicInteger();
        ThreadPermits.Permit permit = heldPermit(grantedAfter);
        TargetProbe.Run run = begun();
        probe.hold(run, permit);

        probe.abandon(run);

        assertThat(grantedAfter).hasValue(1);
    }

    @Test
    void lateReturnOfAnAbandonedRunIsDiscardedAndTheTargetIsIdleAgain() {
        TargetProbe.Run run = begun();
        probe.abandon(run);
        assertThat(probe.isAbandoned(run)).isTrue();

        assertThat(probe.finish(run, List.of(ok("t.test", null)))).isEqualTo(TargetProbe.Return.LATE);

        assertThat(probe.state()).isEqualTo(ProbeState.IDLE);
        assertThat(probe.isAbandoned(run)).isFalse();
    }

    @Test
    void givesAnMxTargetOneDeadlinePerHostAndOneForTheLookup() {
        TargetProbe mx = new TargetProbe(DaemonFixtures.mx("mx", "example.test", 3));

        assertThat(mx.budget(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(40));
        assertThat(probe.budget(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void recordsAFailedProberAsAnInternalErrorOfTheRunsTarget() {
        TargetProbe.Run run = probe.start(T0);

        ProbeResult failed = TargetProbe.failed(run, "internal error: IllegalStateException");

        assertThat(failed.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(failed.host()).isEqualTo("t.test");
        assertThat(failed.port()).isEqualTo(25);
        assertThat(failed.startedAt()).isEqualTo(T0);
    }
}
