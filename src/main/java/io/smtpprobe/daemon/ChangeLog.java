package io.smtpprobe.daemon;

import io.smtpprobe.classify.Finding;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.ProbeResult;
import java.util.List;

/**
 * What the agent tells its log about results: every probe at debug, a host's verdict only when it
 * changes (and its first one) at info, the diagnosis when it changes. A steady state is not repeated
 * every round; the metrics carry it.
 */
final class ChangeLog {
    private final EventLog log;

    ChangeLog(EventLog log) {
        this.log = log;
    }

    void results(List<ProbeResult> results, List<LatestResults.VerdictChange> changes, Finding before,
            Finding after) {
        for (ProbeResult result : results) {
            log.debug("probe finished", "target", result.target(), "host", result.host(), "port", result.port(),
                    "outcome", result.outcome().label(), "seconds", result.total().toMillis() / 1000.0);
        }
        for (LatestResults.VerdictChange change : changes) {
            ProbeResult r = change.result().result();
            log.info("verdict changed", "target", r.target(), "host", r.host(), "port", r.port(), "from",
                    change.previous() == null ? "none" : change.previous().label(), "to",
                    change.result().verdict().label(), "outcome", r.outcome().label(), "expected",
                    change.result().expected().label(), "detail", r.detail());
        }
        if (before.diagnosis() != after.diagnosis()) {
            log.info("diagnosis changed", "from", before.diagnosis().label(), "to", after.diagnosis().label(),
                    "explanation", after.explanation(), "action", after.action());
        }
    }

    void policy(Port25Policy policy) {
        log.info("port-25 policy", "offer", policy.offer().key(), "port25_expected", policy.port25().label(),
                "source", policy.source(), "reason", policy.reason());
        for (String warning : policy.warnings()) {
            log.warn("policy warning", "warning", warning);
        }
    }
}
