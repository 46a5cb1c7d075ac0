package io.smtpprobe.agent;

import io.smtpprobe.config.Config;
import io.smtpprobe.probe.DnsResolver;
import io.smtpprobe.probe.ProbeOptions;
import io.smtpprobe.probe.Prober;
import io.smtpprobe.probe.TargetProber;
import io.smtpprobe.probe.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The probers the daemon runs: a {@link TargetProber} over dnsjava for each configuration, set up as
 * {@code check} sets it up (a DNS query may take the probe timeout; the probe's own deadline bounds
 * the whole). One deadline timer serves every prober, so a reload never stops the timer of probes
 * still in flight; the agent closes it at shutdown.
 */
public final class NetworkProbers implements ProberFactory, AutoCloseable {
    private final Clock clock;
    private final Ticker ticker;
    private final ScheduledExecutorService deadlines;

    public NetworkProbers(Clock clock, Ticker ticker) {
        this.clock = clock;
        this.ticker = ticker;
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "smtp-probe-deadline");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.deadlines = timer;
    }

    @Override
    public Prober create(Config config) {
        Duration timeout = config.probe().timeout();
        ProbeOptions options = new ProbeOptions(timeout, HeloName.resolve(config.probe().heloName()), config.dns(),
                false);
        return new TargetProber(options, new DnsResolver(config.dns(), timeout), clock, ticker,
                deadlines);
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
    }
}
