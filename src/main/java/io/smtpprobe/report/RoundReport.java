package io.smtpprobe.report;

import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.classify.Finding;
import io.smtpprobe.classify.TargetJudge;
import io.smtpprobe.classify.TargetVerdict;
import io.smtpprobe.classify.Verdict;
import io.smtpprobe.policy.Port25Policy;
import java.util.List;

/**
 * Everything one round found: the policy it was judged against, one classified result per probed
 * host, each configured target judged as a whole (an {@code mx:} target as a domain, revision 3), and the
 * VM's diagnosis. {@code check} prints it; the daemon's {@code /status} serves it.
 */
public record RoundReport(Port25Policy policy, List<ClassifiedResult> results, Finding finding,
        List<TargetVerdict> targets) {
    public RoundReport {
        results = List.copyOf(results);
        targets = List.copyOf(targets);
    }

    /** The report of {@code results}, with the targets judged from them once. */
    public RoundReport(Port25Policy policy, List<ClassifiedResult> results, Finding finding) {
        this(policy, results, finding, TargetJudge.judge(results));
    }

    /**
     * The exit code of {@code check} (smtp-probe(1), EXIT STATUS): 0 all as expected, 1 a problem, 2 inconclusive;
     * by target, so an MX domain that one of its hosts delivers for is as expected whatever its other hosts did.
     */
    public int exitCode() {
        if (targets.stream().anyMatch(t -> t.verdict().isProblem())) {
            return ExitCodes.PROBLEM;
        }
        if (targets.stream().anyMatch(t -> t.verdict() == Verdict.INCONCLUSIVE)) {
            return ExitCodes.INCONCLUSIVE;
        }
        return ExitCodes.OK;
    }
}
