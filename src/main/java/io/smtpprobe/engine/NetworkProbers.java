package io.smtpprobe.engine;

import io.smtpprobe.azure.AzurePlatform;
import io.smtpprobe.azure.CachedTokens;
import io.smtpprobe.config.Config;
import io.smtpprobe.probe.net.Connector;
import io.smtpprobe.probe.DaemonThreads;
import io.smtpprobe.probe.dns.DnsResolver;
import io.smtpprobe.probe.ProbeOptions;
import io.smtpprobe.probe.Prober;
import io.smtpprobe.probe.target.TargetProber;
import io.smtpprobe.probe.Ticker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one wiring from a configuration to a prober, for the daemon and {@code check} alike: a
 * {@link TargetProber} over dnsjava (a DNS query may take the probe timeout; the probe's own deadline
 * bounds DNS with the rest), with XOAUTH2 tokens from {@link CachedTokens} given half the deadline. One
 * deadline timer and one {@link Connector} (the thread that waits for every TCP handshake) serve every
 * prober, so a reload never stops either under probes still in flight; close this at the end.
 */
public final class NetworkProbers implements ProberFactory, AutoCloseable {
    private final Clock clock;
    private final Ticker ticker;
    private final Path dmiDirectory;
    private final boolean transcripts;
    private final ScheduledExecutorService deadlines;
    private final Connector connector;

    public NetworkProbers(Clock clock, Ticker ticker) {
        this(clock, ticker, AzurePlatform.DMI_DIRECTORY);
    }

    /** @param dmiDirectory tells whether managed-identity tokens for XOAUTH2 may be asked of the metadata service */
    public NetworkProbers(Clock clock, Ticker ticker, Path dmiDirectory) {
        this(clock, ticker, dmiDirectory, false);
    }

    /** @param transcripts whether results carry the redacted SMTP conversation ({@code check --transcript}) */
    public NetworkProbers(Clock clock, Ticker ticker, Path dmiDirectory, boolean transcripts) {
        this.clock = clock;
        this.ticker = ticker;
        this.dmiDirectory = dmiDirectory;
        this.transcripts = transcripts;
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("smtp-probe-deadline"));
        timer.setRemoveOnCancelPolicy(true);
        this.deadlines = timer;
        this.connector = new Connector();
    }

    @Override
    public Prober create(Config config) {
        Duration timeout = config.probe().timeout();
        ProbeOptions options = new ProbeOptions(timeout, HeloName.resolve(config.probe().heloName()), config.dns(),
                transcripts, config.probe().addressesPerHost());
        // XOAUTH2 tokens get half the probe deadline, so a hanging token endpoint still ends as auth_unavailable.
        CachedTokens tokens = CachedTokens.forConfig(config.azure(), dmiDirectory, timeout.dividedBy(2), clock);
        return new TargetProber(options, new DnsResolver(config.dns(), timeout), clock, ticker, deadlines, tokens,
                connector);
    }

    @Override
    public void close() {
        connector.close();
        deadlines.shutdownNow();
    }
}
