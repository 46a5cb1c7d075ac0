package io.smtpprobe.agent;

import io.smtpprobe.classify.CheckInvocation;
import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.classify.DiagnosisEngine;
import io.smtpprobe.classify.ResultClassifier;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.Prober;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * One round over every target, as {@code smtp-probe check} runs it: targets in parallel (at most
 * {@code concurrency} at once), results classified in configuration order, then diagnosed.
 */
public final class CheckRound {
    private final Prober prober;
    private final int concurrency;
    private final CheckInvocation invocation;

    /** @param invocation how the targets were chosen, for the commands the diagnosis recommends */
    public CheckRound(Prober prober, int concurrency, CheckInvocation invocation) {
        this.prober = prober;
        this.concurrency = concurrency;
        this.invocation = invocation;
    }

    /**
     * @param progress called with each result as it arrives, from the probing threads
     */
    public RoundReport run(List<TargetConfig> targets, Port25Policy policy, Consumer<ProbeResult> progress)
            throws InterruptedException {
        if (targets.isEmpty()) {
            return new RoundReport(policy, List.of(), DiagnosisEngine.diagnose(policy, List.of(), invocation));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, targets.size()), r -> {
            Thread thread = new Thread(r, "check-probe");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<List<ProbeResult>>> futures = new ArrayList<>();
            for (TargetConfig target : targets) {
                futures.add(pool.submit(() -> {
                    List<ProbeResult> results = prober.probe(target);
                    results.forEach(progress);
                    return results;
                }));
            }
            List<ClassifiedResult> classified = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                for (ProbeResult result : await(futures.get(i))) {
                    classified.add(ResultClassifier.classify(policy, targets.get(i), result));
                }
            }
            return new RoundReport(policy, classified, DiagnosisEngine.diagnose(policy, classified, invocation));
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<ProbeResult> await(Future<List<ProbeResult>> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            // A Prober turns every network failure into an outcome; anything thrown here is a bug.
            throw new IllegalStateException("probe failed unexpectedly: " + e.getCause(), e.getCause());
        }
    }
}
