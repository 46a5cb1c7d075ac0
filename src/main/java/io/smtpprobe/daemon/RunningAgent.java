package io.smtpprobe.daemon;

import io.smtpprobe.classify.CheckInvocation;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.ExecutorTaskScheduler;
import io.smtpprobe.engine.ProbeScheduler;
import io.smtpprobe.engine.ProbeThreadPool;
import io.smtpprobe.engine.ResultRecorder;
import io.smtpprobe.metrics.AgentMetrics;
import io.smtpprobe.metrics.Exposition;
import io.smtpprobe.metrics.ExpositionFormat;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Prober;
import io.smtpprobe.report.ExitCodes;
import io.smtpprobe.report.RoundReport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The running daemon: schedules probes, keeps the latest result of every host with the diagnosis
 * over them, exports metrics, reloads its configuration, and shuts down within the probe deadline.
 * Made by {@link Agent#start}; the HTTP front end and signal handlers drive it from outside.
 */
public final class RunningAgent {
    /**
     * How long the recorder gathers finished probes into one batch (one diagnosis over every host): the
     * most /status, the metrics and the log lag behind a probe's end, far below any scrape interval.
     */
    static final Duration RESULT_WINDOW = Duration.ofMillis(200);

    private final AgentOptions options;
    private final Path configFile;
    private final AgentMetrics metrics;
    private final ExecutorTaskScheduler timer;
    private final ExecutorService workers;
    private final ProbeThreadPool probeThreads;
    private final ProbeScheduler scheduler;
    private final ResultRecorder recorder;
    private final EventLog log;
    private final ChangeLog changeLog;
    private final ReloadPreparer reloads;

    private final Object reloadLock = new Object();
    private final CoalescedReload reloader = new CoalescedReload(reloadLock, this::reloadNow);
    private volatile Config config;
    private volatile JudgedResults results;
    private volatile MetadataRefresher metadata;
    private final DeliveryTargets deliveries;
    private final Periodic policyWatcher;
    private final Periodic heapTrimmer;

    private final List<AutoCloseable> closeOnShutdown = new CopyOnWriteArrayList<>();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** {@link ExitCodes#OK}, or what {@link #fail} set: the process's exit code once stopped. */
    private volatile int exitCode = ExitCodes.OK;

    RunningAgent(Config config, Path configFile, AgentOptions options, AgentMetrics metrics,
            ExecutorTaskScheduler timer, ExecutorService workers) {
        this.options = options;
        this.configFile = configFile;
        this.metrics = metrics;
        this.timer = timer;
        this.workers = workers;
        this.log = options.log();
        this.changeLog = new ChangeLog(log);
        this.reloads = new ReloadPreparer(configFile, options, metrics, log);
        this.config = config;
        this.probeThreads = new ProbeThreadPool();
        this.recorder = new ResultRecorder(batch -> results.record(batch), RESULT_WINDOW, log);
        this.policyWatcher = new Periodic(timer, workers, options.metadataRefresh(), this::recheckPolicy);
        this.heapTrimmer = new Periodic(timer, workers, HeapTrimmer.PERIOD, HeapTrimmer.ofThisJvm()::trim);
        this.scheduler = new ProbeScheduler(timer, probeThreads, options.clock(), new Random(), recorder, log);
        this.deliveries = new DeliveryTargets(timer, options.clock(), metrics, log);
    }

    void begin() {
        Port25Policy policy = options.policy().apply(config);
        results = new JudgedResults(config.targets(), policy, CheckInvocation.configured(configFile).onThisMachine(),
                metrics, changeLog);
        changeLog.policy(policy);
        metadata = MetadataRefresher.startIfWanted(config.azure(), options.dmiDirectory(), timer, workers, metrics,
                log, options.metadataRefresh());
        Prober prober = options.proberFactory().create(config);
        scheduler.apply(config.probe(), prober, config.targets());
        deliveries.apply(config, prober);
        policyWatcher.start();
        heapTrimmer.start();
        log.info("agent started", "version", options.version(), "targets", config.targets().size(),
                "interval", config.probe().interval(), "jitter", config.probe().jitter(),
                "timeout", config.probe().timeout(), "concurrency", config.probe().concurrency(),
                "config", configFile == null ? "built-in default" : configFile);
    }

    /** The configuration running now. */
    public Config config() {
        return config;
    }

    /** The exposition of every metric, for /metrics. */
    public byte[] scrape(ExpositionFormat format) {
        return metrics.scrape(format);
    }

    /** The exposition as it is now, its length known before it is written (for /metrics' Content-Length). */
    public Exposition exposition(ExpositionFormat format) throws IOException {
        return metrics.exposition(format);
    }

    /** The latest result of every host and the diagnosis over them, for /status. */
    public RoundReport report() {
        return results.report();
    }

    /** Ready once the configuration is loaded and every target of it has been probed at least once. */
    public boolean ready() {
        return results.everyTargetProbed();
    }

    /**
     * Waits until {@link #ready()}, at most {@code max}: for callers that need the first round done
     * (tests, a status right after start).
     */
    public boolean awaitReady(Duration max) throws InterruptedException {
        return results.awaitEveryTargetProbed(max);
    }

    /** Why the agent is not ready yet, for the 503 body. */
    public String readiness() {
        return results.readiness();
    }

    /** Registers something to close at shutdown, after the probes in flight have ended (the HTTP server). */
    public void closeOnShutdown(AutoCloseable closeable) {
        closeOnShutdown.add(Objects.requireNonNull(closeable, "closeable"));
    }

    /**
     * Reads the configuration file again and applies it. A configuration with errors is refused and
     * logged with every error; the running one carries on and
     * {@code smtp_probe_config_last_reload_successful} drops to 0.
     */
    public ReloadResult reload() {
        return requestReload().join();
    }

    /**
     * Asks for a reload and returns at once with its result to come; requests coalesce into one pending reload
     * ({@link CoalescedReload}), so a burst of SIGHUPs holds at most two threads.
     */
    public CompletableFuture<ReloadResult> requestReload() {
        return reloader.request();
    }

    private ReloadResult reloadNow() {
        if (shuttingDown.get()) {
            return ReloadResult.refused(List.of("the agent is shutting down"));
        }
        ReloadPreparer.Prepared prepared = reloads.prepare();
        if (prepared.refused()) {
            return ReloadResult.refused(prepared.errors());
        }
        apply(prepared.config(), prepared.prober(), prepared.policy());
        return ReloadResult.success();
    }

    private void apply(Config fresh, Prober prober, Port25Policy policy) {
        Config old = config;
        Set<String> before = old.targets().stream().map(TargetConfig::name).collect(Collectors.toSet());
        Set<String> after = fresh.targets().stream().map(TargetConfig::name).collect(Collectors.toSet());
        List<String> unchanged = fresh.targets().stream().filter(old.targets()::contains).map(TargetConfig::name)
                .toList();
        Port25Policy oldPolicy = results.policy();
        config = fresh;
        results.reconfigure(fresh.targets(), unchanged, policy, options.clock().instant());
        scheduler.apply(fresh.probe(), prober, fresh.targets());
        deliveries.apply(fresh, prober);
        if (!fresh.azure().equals(old.azure())) {
            if (metadata != null) {
                metadata.stop();
            }
            metrics.azureVm(null);
            metadata = MetadataRefresher.startIfWanted(fresh.azure(), options.dmiDirectory(), timer, workers, metrics,
                    log, options.metadataRefresh());
        }
        if (!fresh.web().equals(old.web())) {
            log.warn("web.listen_address changed; it takes effect at the next restart", "running",
                    old.web().listenAddress(), "configured", fresh.web().listenAddress());
        }
        log.info("configuration reloaded", "file", configFile, "targets", fresh.targets().size(),
                "added", String.join(",", difference(after, before)),
                "removed", String.join(",", difference(before, after)));
        if (!policy.equals(oldPolicy)) {
            changeLog.policy(policy);
        }
    }

    /** /status: the latest results and diagnosis, and the delivery targets' latest results when there are any. */
    public String status() {
        return deliveries.status(report());
    }

    /** Re-judges the latest results and updates the metrics when the policy changed. */
    private void recheckPolicy() {
        synchronized (reloadLock) {
            if (shuttingDown.get()) {
                return;
            }
            Config current = config;
            Port25Policy policy = options.policy().apply(current);
            if (results.repolicy(current.targets(), policy)) {
                changeLog.policy(policy);
            }
        }
    }

    private static List<String> difference(Set<String> a, Set<String> b) {
        return a.stream().filter(n -> !b.contains(n)).sorted().toList();
    }

    /**
     * Stops the agent, once, from any thread (a signal handler, an HTTP request, a test): scheduling
     * stops, probes in flight get at most the probe timeout (plus the watchdog's grace) to end, then everything registered with
     * {@link #closeOnShutdown} is closed. Returns at once; {@link #awaitShutdown} waits for the end.
     */
    public void shutdown() {
        if (!shuttingDown.compareAndSet(false, true)) {
            return;
        }
        Thread stopper = new Thread(this::stopEverything, "smtp-probe-shutdown");
        stopper.setDaemon(false);
        stopper.start();
    }

    /**
     * Stops the agent because a part it cannot run without broke for good (the HTTP listener closed):
     * logged with the reason, and the process then exits {@link ExitCodes#INTERNAL}, so that systemd's
     * {@code Restart=on-failure} starts it again rather than leaving an agent that probes and cannot be read.
     */
    public void fail(String what, String reason) {
        if (shuttingDown.get()) {
            return; // a part closing during a shutdown is the shutdown, not a failure
        }
        log.error(what + "; stopping so that the service manager restarts the agent", "error", reason);
        exitCode = ExitCodes.INTERNAL;
        shutdown();
    }

    private void stopEverything() {
        long start = System.nanoTime();
        // A probe ends by its own deadline; one that does not is abandoned by the scheduler's watchdog at the same
        // limit. Either way the wait is over within timeout + grace of the shutdown, well inside timeout + 2 s.
        Duration grace = config.probe().timeout().plus(ProbeScheduler.OVERRUN_GRACE);
        log.info("shutting down", "in_flight", scheduler.inFlight(), "grace", grace);
        // Not under the reload lock: a reload stuck reading its file must not hold shutdown up. A reload that
        // finishes after this finds the scheduler stopped and changes nothing that is still running.
        scheduler.stop();
        MetadataRefresher refresher = metadata;
        if (refresher != null) {
            refresher.stop();
        }
        policyWatcher.stop();
        heapTrimmer.stop();
        deliveries.close();
        boolean clean = true;
        try {
            clean = scheduler.awaitInFlight(grace);
            long left = grace.toNanos() - (System.nanoTime() - start);
            clean &= recorder.awaitIdle(Duration.ofNanos(Math.max(0, left)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AutoCloseable closeable : closeOnShutdown) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.warn("error while closing at shutdown", "what", closeable.getClass().getSimpleName(), "error",
                        String.valueOf(e.getMessage()));
            }
        }
        workers.shutdownNow();
        recorder.close();
        probeThreads.close();
        timer.close();
        if (options.proberFactory() instanceof AutoCloseable probers) {
            try {
                probers.close();
            } catch (Exception e) {
                log.warn("error while closing the probers", "error", String.valueOf(e.getMessage()));
            }
        }
        metrics.close();
        log.info("stopped", "probes_ended_in_time", clean, "seconds", (System.nanoTime() - start) / 1_000_000 / 1000.0);
        stopped.countDown();
    }

    /** Blocks until {@link #shutdown} has finished; returns the process exit code (0, or 70 after {@link #fail}). */
    public int awaitShutdown() throws InterruptedException {
        stopped.await();
        return exitCode;
    }
}
