package io.smtpprobe.daemon;

import io.smtpprobe.classify.CheckInvocation;
import io.smtpprobe.classify.Finding;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.engine.ResultRecorder;
import io.smtpprobe.metrics.AgentMetrics;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.report.RoundReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one store of latest results ({@link LatestResults}) and what is derived from it, kept in step
 * under one lock held only here: the judged result of every host (/status), the diagnosis over them,
 * and the metrics, which keep rendered bytes of the same results. Results come in batches from the
 * recorder's thread; a configuration from a reload; a policy from a reload or the policy watcher.
 */
final class JudgedResults {
    private final AgentMetrics metrics;
    private final ChangeLog changeLog;
    private final LatestResults latest;

    /** @param invocation how the config was given, for the commands the diagnosis recommends */
    JudgedResults(List<TargetConfig> targets, Port25Policy policy, CheckInvocation invocation, AgentMetrics metrics,
            ChangeLog changeLog) {
        this.metrics = metrics;
        this.changeLog = changeLog;
        synchronized (this) {
            this.latest = new LatestResults(List.of(), policy, invocation);
            judge(targets, policy);
        }
    }

    synchronized Port25Policy policy() {
        return latest.policy();
    }

    /**
     * Takes a reloaded configuration: removed and changed targets vanish now (changed ones come back
     * with their first new probe), kept ones are judged again under {@code policy}.
     */
    synchronized void reconfigure(List<TargetConfig> targets, List<String> unchanged, Port25Policy policy,
            Instant at) {
        metrics.retainTargets(unchanged);
        judge(targets, policy);
        metrics.reloadSucceeded(at);
    }

    /** Judges every kept result again when the policy changed; returns whether it did. */
    synchronized boolean repolicy(List<TargetConfig> targets, Port25Policy policy) {
        if (policy.equals(latest.policy())) {
            return false;
        }
        judge(targets, policy);
        return true;
    }

    /** The recorder's batches: judge, record, diagnose once, and log what changed. */
    void record(List<ResultRecorder.Finished> batch) {
        List<LatestResults.VerdictChange> changes = new ArrayList<>();
        List<ProbeResult> recorded = new ArrayList<>();
        Finding before;
        Finding after;
        synchronized (this) {
            before = latest.finding();
            for (ResultRecorder.Finished finished : batch) {
                if (!latest.isCurrent(finished.target())) {
                    continue; // removed or changed by a reload while it was being probed
                }
                metrics.record(finished.target(), latest.record(finished.target(), finished.results(), changes));
                recorded.addAll(finished.results());
            }
            after = latest.finding();
            metrics.diagnosis(after.diagnosis());
            notifyAll();
        }
        changeLog.results(recorded, changes, before, after);
    }

    synchronized RoundReport report() {
        return latest.report();
    }

    synchronized boolean everyTargetProbed() {
        return latest.everyTargetProbed();
    }

    /** Waits until every target has been probed, at most {@code max}. */
    synchronized boolean awaitEveryTargetProbed(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!latest.everyTargetProbed()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized String readiness() {
        return latest.probedTargets() + " of " + latest.targetCount() + " targets probed";
    }

    /** The one place the store and the metrics take targets and a policy. */
    private void judge(List<TargetConfig> targets, Port25Policy policy) {
        latest.reconfigure(targets, policy).forEach(metrics::rejudge);
        metrics.policy(policy);
        metrics.diagnosis(latest.finding().diagnosis());
    }
}
