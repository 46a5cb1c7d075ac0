package io.smtpprobe.engine;

import io.smtpprobe.classify.CheckInvocation;
import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.classify.DiagnosisEngine;
import io.smtpprobe.classify.ResultClassifier;
import io.smtpprobe.config.ProbeConfig;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.Prober;
import io.smtpprobe.report.RoundReport;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * One round of the daemon's engine, as {@code smtp-probe check} runs it: the same {@link ProbeScheduler}
 * (at most {@code probe.concurrency} probes on threads, TCP connects waiting on the selector, the
 * overrun watchdog, a prober that throws recorded as {@code error}), every target due at once, stopped
 * once each has its result. Results are classified in configuration order, then diagnosed. There is no
 * second way to run probes: what {@code check} shows is what the daemon would record.
 */
public final class CheckRound {
    /** Longer than any round: the one round ends, and the engine stops, long before a second is due. */
    private static final Duration ONE_ROUND = Duration.ofDays(365);

    private final Prober prober;
    private final ProbeConfig probe;
    private final Clock clock;
    private final EventLog log;
    private final CheckInvocation invocation;

    /** @param invocation how the targets were chosen, for the commands the diagnosis recommends */
    public CheckRound(Prober prober, ProbeConfig probe, Clock clock, EventLog log, CheckInvocation invocation) {
        this.prober = prober;
        this.probe = probe;
        this.clock = clock;
        this.log = log;
        this.invocation = invocation;
    }

    /**
     * @param progress called with each result as it arrives, from the engine's threads
     */
    public RoundReport run(List<TargetConfig> targets, Port25Policy policy, Consumer<ProbeResult> progress)
            throws InterruptedException {
        Map<String, List<ProbeResult>> results = new ConcurrentHashMap<>();
        int distinct = new LinkedHashSet<>(targets.stream().map(TargetConfig::name).toList()).size();
        CountDownLatch allIn = new CountDownLatch(distinct);
        ProbeScheduler.ResultSink sink = (target, probed) -> {
            if (results.putIfAbsent(target.name(), probed) == null) {
                probed.forEach(progress);
                allIn.countDown();
            }
        };
        ProbeConfig oneRound = new ProbeConfig(ONE_ROUND, Duration.ZERO, probe.timeout(), probe.concurrency(),
                probe.heloName(), probe.addressesPerHost());
        try (ExecutorTaskScheduler timer = new ExecutorTaskScheduler(); ProbeThreadPool threads = new ProbeThreadPool()) {
            ProbeScheduler engine = new ProbeScheduler(timer, threads, clock, new Random(), sink, log);
            engine.apply(oneRound, prober, targets);
            try {
                // Every probe ends: by its own deadline, or abandoned by the engine's watchdog shortly after it.
                allIn.await();
            } finally {
                engine.stop();
            }
        }
        List<ClassifiedResult> classified = new ArrayList<>();
        java.util.Set<String> shown = new java.util.HashSet<>();
        for (TargetConfig target : targets) {
            if (!shown.add(target.name())) {
                continue; // a name given twice was probed once, as the daemon would
            }
            for (ProbeResult result : results.getOrDefault(target.name(), List.of())) {
                classified.add(ResultClassifier.classify(policy, target, result));
            }
        }
        return new RoundReport(policy, classified, DiagnosisEngine.diagnose(policy, classified, invocation));
    }
}
