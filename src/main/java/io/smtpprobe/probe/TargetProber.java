package io.smtpprobe.probe;

import io.smtpprobe.config.Mode;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.config.TlsConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import javax.net.ssl.SSLContext;

/**
 * The prober: resolves a target, then makes one attempt per host (the first address of each) in the
 * target's mode, within a hard deadline, and turns whatever happened into a {@link ProbeResult}.
 * Thread-safe; one instance serves every target. Close it to stop its deadline watchdog.
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
    private final TlsContexts tlsContexts = new TlsContexts();
    private final MailSessions mailSessions = new MailSessions();

    /** A prober with its own watchdog thread (one for all probes), stopped by {@link #close()}. */
    public TargetProber(ProbeOptions options, HostResolver resolver, Clock clock, Ticker ticker) {
        this(options, resolver, clock, ticker, BearerTokens.NONE);
    }

    /** A prober with its own watchdog that gets XOAUTH2 bearer tokens from {@code tokens}. */
    public TargetProber(ProbeOptions options, HostResolver resolver, Clock clock, Ticker ticker, BearerTokens tokens) {
        this(options, resolver, clock, ticker, newWatchdog(), true, tokens);
    }

    /** A prober that closes timed-out connections on the caller's scheduler. */
    public TargetProber(
            ProbeOptions options, HostResolver resolver, Clock clock, Ticker ticker, ScheduledExecutorService watchdog) {
        this(options, resolver, clock, ticker, watchdog, false, BearerTokens.NONE);
    }

    /** A prober that closes timed-out connections on the caller's scheduler and has a token source. */
    public TargetProber(ProbeOptions options, HostResolver resolver, Clock clock, Ticker ticker,
            ScheduledExecutorService watchdog, BearerTokens tokens) {
        this(options, resolver, clock, ticker, watchdog, false, tokens);
    }

    private TargetProber(
            ProbeOptions options, HostResolver resolver, Clock clock, Ticker ticker, ScheduledExecutorService watchdog,
            boolean ownsWatchdog, BearerTokens tokens) {
        this.tokens = tokens;
        this.options = options;
        this.resolver = resolver;
        this.clock = clock;
        this.ticker = ticker;
        this.watchdog = watchdog;
        this.ownsWatchdog = ownsWatchdog;
        // Cold, loading JSSE with the system trust store and Angus Mail took 0.3 to 1.1 s on a loaded
        // two-core VM: done here, once, rather than inside the first probe's deadline.
        tlsContexts.warmUp();
        SmtpConversation.loadProtocolClasses();
    }

    private static ScheduledExecutorService newWatchdog() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "smtp-probe-deadline");
            thread.setDaemon(true);
            return thread;
        });
        // Most probes finish early; drop their cancelled timers instead of keeping them queued.
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    @Override
    public List<ProbeResult> probe(TargetConfig target) {
        Instant startedAt = clock.instant();
        if (target.mx() == null) {
            return List.of(probeHost(target, target.host(), 0, startedAt));
        }
        long mxStart = ticker.nanoTime();
        List<String> hosts;
        try {
            hosts = resolver.mxHosts(target.mx(), Math.max(1, target.mxHosts()));
            if (hosts.isEmpty()) {
                throw new ResolutionException("no MX hosts for " + target.mx());
            }
        } catch (ResolutionException | RuntimeException e) {
            // A resolver that throws unchecked is a bug; it still ends as one result (error), not a crash.
            return List.of(dnsFailure(target, target.mx(), startedAt, ticker.nanoTime() - mxStart, e));
        }
        long mxNanos = ticker.nanoTime() - mxStart;
        List<ProbeResult> results = new ArrayList<>();
        for (String host : hosts) {
            results.add(probeHost(target, host, mxNanos, startedAt));
        }
        return results;
    }

    private ProbeResult probeHost(TargetConfig target, String host, long mxNanos, Instant startedAt) {
        PhaseClock phases = new PhaseClock(ticker);
        ProbeDeadline deadline = new ProbeDeadline(ticker, options.timeout());
        phases.add(Phase.DNS, mxNanos);
        phases.enter(Step.DNS);
        InetAddress address;
        try {
            address = firstAddress(host);
        } catch (ResolutionException | RuntimeException e) {
            OutcomeMapper.Mapped mapped = mapper.map(e, dnsContext(deadline));
            return result(target, host, null, phases, mapped.outcome(), null, mapped.detail(), null, null, startedAt);
        }
        return attempt(target, host, address, phases, deadline, startedAt);
    }

    /** The first address of a host, carrying the host name: TLS checks the certificate against the name. */
    private InetAddress firstAddress(String host) throws ResolutionException {
        List<InetAddress> addresses = resolver.addresses(host);
        if (addresses.isEmpty()) {
            throw new ResolutionException("no address for " + host);
        }
        try {
            return InetAddress.getByAddress(host, addresses.get(0).getAddress());
        } catch (UnknownHostException e) {
            throw new ResolutionException("the resolver returned an invalid address for " + host, e);
        }
    }

    private static OutcomeMapper.Context dnsContext(ProbeDeadline deadline) {
        return new OutcomeMapper.Context(Step.DNS, false, deadline.timeout().toMillis(), false, null, 0, null, false);
    }

    private ProbeResult attempt(
            TargetConfig target, String host, InetAddress address, PhaseClock phases, ProbeDeadline deadline,
            Instant startedAt) {
        int port = port(target);
        Socket raw = new Socket();
        ScheduledFuture<?> watch = deadline.watch(raw, watchdog);
        SmtpConversation conversation = null;
        TlsSocketFactory tls = null;
        ReplyLimits limits = new ReplyLimits();
        try {
            phases.enter(Step.SETUP);
            if (target.mode() != Mode.TCP) {
                TlsConfig tlsConfig = target.tls() == null ? TlsConfig.DEFAULT : target.tls();
                SSLContext context = tlsContexts.forConfig(tlsConfig);
                tls = new TlsSocketFactory(context.getSocketFactory(), host, !tlsConfig.insecureSkipVerify(), limits);
                conversation = new SmtpConversation(target, address, port, options, phases, tls, tokens, mailSessions);
            }
            if (deadline.passed()) {
                // Still in setup: the deadline went on setup (TLS context, token), not on an unanswered SYN.
                throw new DeadlineExceededException();
            }
            phases.enter(Step.CONNECT);
            connect(raw, new InetSocketAddress(address, port), deadline);
            if (conversation != null) {
                conversation.run(new DeadlineSocket(raw, deadline, limits));
            }
            String reply = conversation == null ? null : lastLine(conversation.withoutSecrets(conversation.lastReply()));
            String detail = conversation == null ? "TCP connect succeeded" : "the conversation completed";
            return result(target, host, address, phases, Outcome.OK, reply, detail, tlsInfo(tls), transcript(conversation),
                    startedAt);
        } catch (Exception e) {
            SmtpConversation.Snapshot state = conversation == null
                    ? new SmtpConversation.Snapshot(phases.current(), 0, null)
                    : conversation.snapshot();
            OutcomeMapper.Mapped mapped = mapper.map(e, context(state, deadline, limits, conversation));
            return result(target, host, address, phases, mapped.outcome(), lastLine(masked(conversation, state.reply())),
                    masked(conversation, mapped.detail()), tlsInfo(tls), transcript(conversation), startedAt);
        } finally {
            watch.cancel(false);
            closeQuietly(raw);
            if (conversation != null) {
                conversation.release();
            }
        }
    }

    /** Everything the mapper needs to know about where and how the attempt failed. */
    private static OutcomeMapper.Context context(
            SmtpConversation.Snapshot state, ProbeDeadline deadline, ReplyLimits limits, SmtpConversation conversation) {
        return new OutcomeMapper.Context(state.step(), deadline.passed(), deadline.timeout().toMillis(),
                limits.anyReceived(), limits.notSmtp(), state.replyCode(), state.reply(),
                conversation != null && conversation.authSent());
    }

    private static void connect(Socket raw, InetSocketAddress destination, ProbeDeadline deadline) throws IOException {
        int timeout = deadline.remainingMillis();
        if (timeout <= 0) {
            throw new SocketTimeoutException("no time left to connect");
        }
        raw.connect(destination, timeout);
    }

    private static int port(TargetConfig target) {
        return target.port() > 0 ? target.port() : target.mode().defaultPort();
    }

    /** Server text (a reply, a detail quoting one) without our secrets, should the server have echoed them. */
    private static String masked(SmtpConversation conversation, String text) {
        return conversation == null ? text : conversation.withoutSecrets(text);
    }

    private static TlsInfo tlsInfo(TlsSocketFactory tls) {
        return tls == null ? null : tls.info();
    }

    private static String transcript(SmtpConversation conversation) {
        return conversation == null ? null : conversation.transcript();
    }

    private ProbeResult dnsFailure(
            TargetConfig target, String domain, Instant startedAt, long elapsed, Exception failure) {
        OutcomeMapper.Mapped mapped = mapper.map(failure, dnsContext(new ProbeDeadline(ticker, options.timeout())));
        Map<Phase, Duration> timings = new EnumMap<>(Phase.class);
        timings.put(Phase.DNS, Duration.ofNanos(elapsed));
        timings.put(Phase.TOTAL, Duration.ofNanos(elapsed));
        return new ProbeResult(target.name(), domain, null, port(target), target.mode(), mapped.outcome(), null,
                mapped.detail(), timings, null, startedAt, null);
    }

    private ProbeResult result(
            TargetConfig target, String host, InetAddress address, PhaseClock phases, Outcome outcome, String reply,
            String detail, TlsInfo tls, String transcript, Instant startedAt) {
        return new ProbeResult(target.name(), host, address == null ? null : literal(address), port(target),
                target.mode(), outcome, reply, detail, phases.finish(), tls, startedAt, transcript);
    }

    /** The address as people write it: IPv6 in the RFC 5952 form ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}). */
    static String literal(InetAddress address) {
        String text = address.getHostAddress();
        if (!(address instanceof java.net.Inet6Address)) {
            return text;
        }
        int percent = text.indexOf('%');
        String scope = percent < 0 ? "" : text.substring(percent);
        String[] groups = (percent < 0 ? text : text.substring(0, percent)).split(":");
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not compressed (RFC 5952 section 4.2.2)
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0) {
            return text;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail + scope;
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

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing left to do with a socket that will not close.
        }
    }

    @Override
    public void close() {
        if (ownsWatchdog) {
            watchdog.shutdownNow();
            try {
                // Its only task is closing sockets, so it ends at once; wait so close() leaves no thread.
                watchdog.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
