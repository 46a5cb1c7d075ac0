package io.smtpprobe.probe.target;

import io.smtpprobe.config.Mode;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.config.TlsConfig;
import io.smtpprobe.probe.BearerTokens;
import io.smtpprobe.probe.DaemonThreads;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeOptions;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.Prober;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.probe.dns.HostResolver;
import io.smtpprobe.probe.dns.ResolutionException;
import io.smtpprobe.probe.mtasts.MtaStsPolicies;
import io.smtpprobe.probe.mtasts.MtaStsVerdict;
import io.smtpprobe.probe.net.Connector;
import io.smtpprobe.probe.smtp.MailSessions;
import io.smtpprobe.probe.smtp.SmtpConversation;
import io.smtpprobe.probe.step.ProbeDeadline;
import io.smtpprobe.probe.tls.TlsContexts;
import io.smtpprobe.probe.tls.TlsSetupException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The prober: resolves a target, then probes its hosts ({@link HostProbe}) in the target's mode, within one
 * deadline made when the probe starts, and turns whatever happened into a {@link ProbeResult}.
 * Thread-safe; one instance serves every target. Close it to stop its deadline watchdog and, when it
 * made them itself, its {@link Connector}. There is one path: every TCP connect waits on the
 * connector without holding a thread ({@link #probe(TargetConfig, Executor)}); the blocking
 * {@link #probe(TargetConfig)} is that path with the caller's thread doing the work.
 */
public final class TargetProber implements Prober, AutoCloseable {
    private static final int MAX_REPLY_CHARS = 512;

    private final ProbeOptions options;
    private final HostResolver resolver;
    private final Clock clock;
    private final Ticker ticker;
    private final ScheduledExecutorService watchdog;
    private final boolean ownsWatchdog;
    private final BearerTokens tokens;
    private final OutcomeMapper mapper = new OutcomeMapper();
    private final HostAttempt.Tools tools;
    /** Where every probe waits for its TCP handshake. */
    private final Connector connector;
    private final MtaStsPolicies mtaSts;
    private final boolean ownsConnector;

    /** A prober with its own watchdog thread (one for all probes), stopped by {@link #close()}. */
    public TargetProber(ProbeOptions options, HostResolver resolver, Clock clock, Ticker ticker) {
        this(options, resolver, clock, ticker, BearerTokens.NONE);
    }

    /** A prober with its own watchdog that gets XOAUTH2 bearer tokens from {@code tokens}. */
    public TargetProber(ProbeOptions options, HostResolver resolver, Clock clock, Ticker ticker, BearerTokens tokens) {
        this(options, resolver, clock, ticker, newWatchdog(), true, tokens, null, MtaStsPolicies.HTTPS_PORT);
    }

    /** For tests: a prober that fetches MTA-STS policies from {@code mtaStsPort} instead of 443. */
    TargetProber(ProbeOptions options, HostResolver resolver, Clock clock, Ticker ticker, int mtaStsPort) {
        this(options, resolver, clock, ticker, newWatchdog(), true, BearerTokens.NONE, null, mtaStsPort);
    }

    /** A prober that closes timed-out connections on the caller's scheduler. */
    public TargetProber(
            ProbeOptions options, HostResolver resolver, Clock clock, Ticker ticker, ScheduledExecutorService watchdog) {
        this(options, resolver, clock, ticker, watchdog, false, BearerTokens.NONE, null, MtaStsPolicies.HTTPS_PORT);
    }

    /** A prober that closes timed-out connections on the caller's scheduler and has a token source. */
    public TargetProber(ProbeOptions options, HostResolver resolver, Clock clock, Ticker ticker,
            ScheduledExecutorService watchdog, BearerTokens tokens) {
        this(options, resolver, clock, ticker, watchdog, false, tokens, null, MtaStsPolicies.HTTPS_PORT);
    }

    /**
     * A prober whose asynchronous probes wait for TCP handshakes on {@code connector} (the caller's, as
     * is the watchdog scheduler; both outlive this prober and are closed by the caller).
     */
    public TargetProber(ProbeOptions options, HostResolver resolver, Clock clock, Ticker ticker,
            ScheduledExecutorService watchdog, BearerTokens tokens, Connector connector) {
        this(options, resolver, clock, ticker, watchdog, false, tokens, connector, MtaStsPolicies.HTTPS_PORT);
    }

    private TargetProber(
            ProbeOptions options, HostResolver resolver, Clock clock, Ticker ticker, ScheduledExecutorService watchdog,
            boolean ownsWatchdog, BearerTokens tokens, Connector connector, int mtaStsPort) {
        this.tokens = tokens;
        this.options = options;
        this.resolver = resolver;
        this.clock = clock;
        this.ticker = ticker;
        this.watchdog = watchdog;
        this.ownsWatchdog = ownsWatchdog;
        this.ownsConnector = connector == null;
        this.connector = connector != null ? connector : new Connector();
        this.mtaSts = new MtaStsPolicies(resolver, clock, mtaStsPort);
        this.tools = new HostAttempt.Tools(options, resolver, ticker, watchdog, tokens, mapper, new TlsContexts(),
                new MailSessions());
        // Cold, loading JSSE with the system trust store and Angus Mail took 0.3 to 1.1 s on a loaded
        // two-core VM: done here, once, rather than inside the first probe's deadline.
        tools.tlsContexts().warmUp();
        SmtpConversation.loadProtocolClasses();
    }

    private static ScheduledExecutorService newWatchdog() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("smtp-probe-deadline"));
        // Most probes finish early; drop their cancelled timers instead of keeping them queued.
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** The one path, with this thread doing the work that needs a thread, and waiting in between. */
    @Override
    public List<ProbeResult> probe(TargetConfig target) {
        CallerRuns caller = new CallerRuns();
        return caller.runUntilDone(probe(target, caller));
    }

    /** Probes with every TCP connect waiting on this prober's {@link Connector}, the hosts of an MX target one after another. */
    @Override
    public CompletableFuture<List<ProbeResult>> probe(TargetConfig target, Executor threads) {
        return CompletableFuture.supplyAsync(() -> plan(target), threads).thenCompose(plan -> plan.failure() != null
                ? CompletableFuture.completedFuture(List.of(plan.failure()))
                : chain(target, plan, 0, new ArrayList<>(), threads));
    }

    /** An executor whose tasks the thread that waits for the probe runs: the blocking form of the one path. */
    private static final class CallerRuns implements Executor {
        private static final Runnable WAKE_UP = () -> { };
        private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        <T> T runUntilDone(CompletableFuture<T> done) {
            done.whenComplete((value, failure) -> tasks.add(WAKE_UP));
            boolean interrupted = false;
            while (!done.isDone()) {
                try {
                    tasks.take().run();
                } catch (InterruptedException e) {
                    // Every step ends by the probe's deadline: finish the probe, then leave the interrupt set.
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return done.join();
        }
    }

    /** Probes host {@code index} of the plan and then, on the thread that finished it, the next. */
    private CompletableFuture<List<ProbeResult>> chain(
            TargetConfig target, Plan plan, int index, List<ProbeResult> results, Executor threads) {
        if (index == plan.hosts().size()) {
            return CompletableFuture.completedFuture(results);
        }
        String host = plan.hosts().get(index);
        return new HostProbe(tools, target, host, plan.deadline().within(options.timeout()), plan.before(),
                plan.startedAt(), plan.dns(), plan.sts(host))
                .run(connector, threads)
                .thenCompose(result -> {
                    results.add(result);
                    return chain(target, plan, index + 1, results, threads);
                });
    }

    /**
     * The hosts to probe, or the one result of an MX lookup that failed.
     *
     * @param deadline the target's one deadline, made when its probe starts ({@link ProbeDeadline#forTarget}):
     *     each host's is the probe timeout within what is left of it
     * @param before what the hosts of an mx: target share, spent before the first began, by phase: the MX
     *     lookup and the MTA-STS policy
     * @param dns the DNS time of an MX target as a whole (the MX lookup and every host's address lookup): ten
     *     hosts whose lookups go unanswered end as dns_failure within one probe timeout, not one timeout each
     *     (issue 14). Null for a single host, whose own deadline bounds its DNS.
     * @param mtaSts the MX domain's MTA-STS policy, or null for a target that is not an smtp mx: target
     */
    private record Plan(Instant startedAt, ProbeDeadline deadline, List<String> hosts, Map<Phase, Long> before,
            ProbeResult failure, DnsBudget dns, MtaStsPolicies.Lookup mtaSts) {
        MtaStsVerdict sts(String host) {
            return mtaSts == null ? MtaStsVerdict.NONE : mtaSts.forHost(host);
        }
    }

    private Plan plan(TargetConfig target) {
        Instant startedAt = clock.instant();
        ProbeDeadline deadline = new ProbeDeadline(ticker, ProbeDeadline.forTarget(target, options.timeout()));
        if (target.mx() == null) {
            return new Plan(startedAt, deadline, List.of(target.host()), Map.of(), null, null, null);
        }
        // The MX and MTA-STS lookups share the first probe timeout of the target's deadline; each host has one.
        ProbeDeadline lookups = deadline.within(options.timeout());
        long mxStart = ticker.nanoTime();
        DnsBudget dns = new DnsBudget(options.timeout());
        List<String> hosts;
        try {
            try {
                hosts = resolver.mxHosts(target.mx(), Math.max(1, target.mxHosts()), lookups.remaining());
            } finally {
                dns.spend(ticker.nanoTime() - mxStart);
            }
            if (hosts.isEmpty()) {
                throw new ResolutionException("no MX hosts for " + target.mx());
            }
        } catch (ResolutionException | RuntimeException e) {
            // A resolver that throws unchecked is a bug; it still ends as one result (error), not a crash.
            return new Plan(startedAt, deadline, List.of(), Map.of(),
                    dnsFailure(target, target.mx(), startedAt, ticker.nanoTime() - mxStart, e), dns, null);
        }
        Map<Phase, Long> before = new EnumMap<>(Phase.class);
        before.put(Phase.DNS, ticker.nanoTime() - mxStart);
        long stsStart = ticker.nanoTime();
        MtaStsPolicies.Lookup sts = mtaSts(target, lookups);
        if (sts != null) {
            before.put(Phase.MTA_STS, ticker.nanoTime() - stsStart);
        }
        return new Plan(startedAt, deadline, hosts, before, null, dns, sts);
    }

    /** The MX domain's MTA-STS policy (smtp mode only: a tcp probe has no TLS to enforce), within the deadline. */
    private MtaStsPolicies.Lookup mtaSts(TargetConfig target, ProbeDeadline deadline) {
        if (target.mode() != Mode.SMTP || (target.starttls() == StartTls.OFF)) {
            return null;
        }
        TlsConfig tls = target.tls().insecureSkipVerify() ? TlsConfig.DEFAULT : target.tls();
        try {
            return mtaSts.lookup(target.mx(), tools.tlsContexts().trust(tls), deadline);
        } catch (TlsSetupException e) {
            return new MtaStsPolicies.Lookup(target.mx(), null, "cannot check the policy host's certificate: "
                    + e.getMessage());
        }
    }

    /**
     * How long a probe of {@code target} may take in all, the deadline the prober makes when it starts: one
     * probe timeout for a host, one per host plus one for the lookups before them for an mx: domain.
     */
    public static Duration deadline(TargetConfig target, Duration timeout) {
        return ProbeDeadline.forTarget(target, timeout);
    }

    static int port(TargetConfig target) {
        return target.port();
    }

    private ProbeResult dnsFailure(
            TargetConfig target, String domain, Instant startedAt, long elapsed, Exception failure) {
        OutcomeMapper.Mapped mapped = mapper.map(failure, HostProbe.dnsContext(new ProbeDeadline(ticker, options.timeout())));
        Map<Phase, Duration> timings = new EnumMap<>(Phase.class);
        timings.put(Phase.DNS, Duration.ofNanos(elapsed));
        timings.put(Phase.TOTAL, Duration.ofNanos(elapsed));
        return new ProbeResult(target.name(), domain, null, port(target), target.mode(), mapped.outcome(), null,
                mapped.detail(), timings, null, startedAt, null).withDnsFailure(HostProbe.dnsFailure(failure));
    }

    /** The last line of a (multi-line) reply, printable and bounded; null when there is none. */
    static String lastLine(String reply) {
        if (reply == null || reply.isBlank() || reply.equals("[EOF]")) {
            return null;
        }
        String[] lines = reply.strip().split("\r?\n");
        String line = lines[lines.length - 1].strip();
        StringBuilder clean = new StringBuilder();
        line.codePoints().limit(MAX_REPLY_CHARS).forEach(c -> clean.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return clean.toString();
    }

    @Override
    public void close() {
        if (ownsConnector) {
            connector.close();
        }
        if (ownsWatchdog) {
            watchdog.shutdownNow();
            try {
                // Its only task is closing sockets, so it ends at once; wait so close() leaves no thread.
                watchdog.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
