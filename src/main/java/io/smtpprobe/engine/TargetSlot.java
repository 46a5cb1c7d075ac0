package io.smtpprobe.engine;

import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One configured target and where it stands in its schedule. Guarded by {@link ProbeScheduler}'s lock. */
final class TargetSlot {
    enum State { IDLE, QUEUED, RUNNING, ABANDONED }

    TargetConfig target;
    State state = State.IDLE;
    /** This round's random offset into the jitter window. */
    Duration offset = Duration.ZERO;
    TaskScheduler.Cancellable next;
    TaskScheduler.Cancellable watchdog;
    /** Numbers each probe, so that a late watchdog or result of an earlier one is recognised. */
    long run;
    /** Bumped when a reload changes the target, so a result of the old configuration is dropped. */
    long generation;
    Instant startedAt;
    /** Whether the running probe has had a thread yet (its overrun watchdog runs from then). */
    boolean begun;
    /** The thread running a piece of the probe now, and the permit it holds; null between pieces. */
    Thread thread;
    ThreadPermits.Permit permit;
    boolean removed;
    /** A reload changed the target while a probe of it ran: probe the new configuration once that ends. */
    boolean startWhenIdle;
    List<ProbeResult> lastResults = List.of();

    TargetSlot(TargetConfig target) {
        this.target = target;
    }

    /**
     * How long a probe of this target may rightly take, given the probe timeout: one deadline, or for an
     * MX target one per host (each host is a probe of its own, smtp-probe.yml(5) "mx") after an MX lookup that
     * may take one more. Abandoning an MX target sooner turned every silently dropped host (tcp_timeout,
     * blocked as expected) into deadline_exceeded, which reads as a server that answered.
     */
    Duration budget(Duration timeout) {
        return target.mx() == null ? timeout : timeout.multipliedBy(Math.max(1, target.mxHosts()) + 1L);
    }

    /** What an abandoned probe is recorded as: deadline_exceeded for each host its previous probe reached. */
    List<ProbeResult> abandoned(Duration timeout, Duration waited, Clock clock) {
        return lastHosts(clock).stream()
                .map(r -> new ProbeResult(target.name(), r.host(), r.address(), r.port(), target.mode(),
                        Outcome.DEADLINE_EXCEEDED, null,
                        "the probe did not end within its deadline of " + timeout.toSeconds() + "s; abandoned",
                        Map.of(Phase.TOTAL, waited), null, startedAt, null))
                .toList();
    }

    /** The hosts the target's last probe reached, or the target's own destination when none is known yet. */
    List<ProbeResult> lastHosts(Clock clock) {
        return lastResults.isEmpty() ? List.of(synthetic(Outcome.DEADLINE_EXCEEDED, "", clock)) : lastResults;
    }

    /** A result for a probe that produced none of its own (it threw, or never returned). */
    ProbeResult synthetic(Outcome outcome, String detail, Clock clock) {
        String host = target.host() != null ? target.host() : target.mx();
        int port = target.port();
        return new ProbeResult(target.name(), host, null, port, target.mode(), outcome, null, detail,
                Map.of(Phase.TOTAL, Duration.ZERO), null, startedAt != null ? startedAt : clock.instant(), null);
    }
}
