package io.smtpprobe.daemon;

import io.smtpprobe.classify.CheckInvocation;
import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.classify.DiagnosisEngine;
import io.smtpprobe.classify.Finding;
import io.smtpprobe.classify.ResultClassifier;
import io.smtpprobe.classify.Verdict;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.report.RoundReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The latest classified result of every probed host, and the diagnosis over all of them, recomputed
 * as each target's results arrive. Not thread-safe: the agent holds one lock around it and the metrics.
 */
final class LatestResults {
    /** A host whose verdict is new or differs from its previous one. */
    record VerdictChange(ClassifiedResult result, Verdict previous) {}

    private Map<String, TargetConfig> targets = new LinkedHashMap<>();
    private Port25Policy policy;
    private final Map<String, List<ClassifiedResult>> byTarget = new HashMap<>();
    /** Target name to host to the verdict last reported for it; kept per target so a result costs O(its hosts). */
    private final Map<String, Map<String, Verdict>> verdicts = new HashMap<>();
    private Finding finding;
    /** The daemon's configuration file, for the commands the diagnosis recommends. */
    private final CheckInvocation invocation;

    LatestResults(List<TargetConfig> targets, Port25Policy policy, CheckInvocation invocation) {
        this.invocation = invocation;
        reconfigure(targets, policy);
    }

    /** Whether the results belong to a target of the current configuration, as configured now. */
    boolean isCurrent(TargetConfig target) {
        return target.equals(targets.get(target.name()));
    }

    List<ClassifiedResult> record(TargetConfig target, List<ProbeResult> results, List<VerdictChange> changes) {
        List<ClassifiedResult> classified = results.stream()
                .map(r -> ResultClassifier.classify(policy, target, r))
                .toList();
        byTarget.put(target.name(), classified);
        // Hosts the target no longer reaches (an MX set that changed) are forgotten with the old results.
        Map<String, Verdict> before = verdicts.getOrDefault(target.name(), Map.of());
        Map<String, Verdict> now = new HashMap<>();
        for (ClassifiedResult result : classified) {
            Verdict previous = before.get(result.result().host());
            now.put(result.result().host(), result.verdict());
            if (previous != result.verdict()) {
                changes.add(new VerdictChange(result, previous));
            }
        }
        verdicts.put(target.name(), now);
        // Diagnosed when next asked: a batch of results costs one diagnosis over every host, not one each.
        finding = null;
        return classified;
    }

    /**
     * Takes a new configuration: results of removed or changed targets are dropped, the others are
     * judged again under the (possibly new) policy.
     *
     * @return the re-judged results of every kept target, for the metrics
     */
    Map<TargetConfig, List<ClassifiedResult>> reconfigure(List<TargetConfig> newTargets, Port25Policy newPolicy) {
        Map<String, TargetConfig> wanted = new LinkedHashMap<>();
        newTargets.forEach(t -> wanted.put(t.name(), t));
        byTarget.keySet().removeIf(name -> !Objects.equals(wanted.get(name), targets.get(name)));
        verdicts.keySet().removeIf(name -> !byTarget.containsKey(name));
        targets = wanted;
        policy = newPolicy;
        Map<TargetConfig, List<ClassifiedResult>> rejudged = new LinkedHashMap<>();
        for (Map.Entry<String, List<ClassifiedResult>> entry : byTarget.entrySet()) {
            TargetConfig target = targets.get(entry.getKey());
            List<ClassifiedResult> again = entry.getValue().stream()
                    .map(r -> ResultClassifier.classify(policy, target, r.result()))
                    .toList();
            entry.setValue(again);
            rejudged.put(target, again);
        }
        finding = null;
        return rejudged;
    }

    Finding finding() {
        if (finding == null) {
            finding = DiagnosisEngine.diagnose(policy, all(), invocation);
        }
        return finding;
    }

    Port25Policy policy() {
        return policy;
    }

    /** Every target of the configuration has been probed at least once. */
    boolean everyTargetProbed() {
        return byTarget.keySet().containsAll(targets.keySet());
    }

    int probedTargets() {
        return (int) targets.keySet().stream().filter(byTarget::containsKey).count();
    }

    int targetCount() {
        return targets.size();
    }

    /** The report /status serves: results in configuration order. */
    RoundReport report() {
        return new RoundReport(policy, all(), finding());
    }

    private List<ClassifiedResult> all() {
        List<ClassifiedResult> all = new ArrayList<>();
        for (String name : targets.keySet()) {
            all.addAll(byTarget.getOrDefault(name, List.of()));
        }
        return all;
    }
}
