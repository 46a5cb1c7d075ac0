package io.smtpprobe.report;

import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.classify.Finding;
import io.smtpprobe.classify.Verdict;
import io.smtpprobe.policy.Port25Policy;
import java.util.List;

/**
 * Everything one round found: the policy it was judged against, one classified result per probed
 * host, and the VM's diagnosis. {@code check} prints it; the daemon's {@code /status} serves it.
 */
public record RoundReport(Port25Policy policy, List<ClassifiedResult> results, Finding finding) {
    public RoundReport {
        results = List.copyOf(results);
    }

    /** The exit code of {@code check} (smtp-probe(1), EXIT STATUS): 0 all as expected, 1 a problem, 2 inconclusive. */
    public int exitCode() {
        if (results.stream().anyMatch(r -> r.verdict().isProblem())) {
            return ExitCodes.PROBLEM;
        }
        if (results.stream().anyMatch(r -> r.verdict() == Verdict.INCONCLUSIVE)) {
            return ExitCodes.INCONCLUSIVE;
        }
        return ExitCodes.OK;
    }
}
