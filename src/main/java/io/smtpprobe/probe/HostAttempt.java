package io.smtpprobe.probe;

import io.smtpprobe.config.Mode;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.config.TlsConfig;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import javax.net.ssl.TrustManager;

/**
 * One probe of one host, within its own deadline: resolve, set up, connect, converse, and turn what
 * happened into a {@link ProbeResult}. The handshake waits on a {@link Connector}; the rest runs on a
 * probe thread. {@code check} and the daemon run this same path.
 *
 * <p>Revision 3: as an MTA does, the host is tried on its addresses in the order DNS gives them (at most
 * {@code probe.addresses_per_host}) until one answers; an address that gets no connection (no route, an RST,
 * an ICMP reject, a SYN the kernel gave up on before the deadline) passes the turn to the next, within the
 * same deadline. The result is that of the first address that answered, with the ones before it as attempts.
 */
final class HostAttempt {
    /** What every attempt of a prober shares. */
    record Tools(ProbeOptions options, HostResolver resolver, Ticker ticker, ScheduledExecutorService watchdog,
            BearerTokens tokens, OutcomeMapper mapper, TlsContexts tlsContexts, MailSessions mailSessions) {}

    private final Tools tools;
    private final TargetConfig target;
    private final String host;
    private final Instant startedAt;
    private final PhaseClock phases;
    private final ProbeDeadline deadline;
    /** An MX target's DNS time, shared by its lookups; null when only this probe's own deadline applies. */
    private final DnsBudget targetDns;
    private ReplyLimits limits = new ReplyLimits();
    /** What the domain's MTA-STS policy says of this host; {@link MtaStsVerdict#NONE} outside mx: targets. */
    private final MtaStsVerdict sts;
    /** The host's addresses to try, in DNS order; {@link #address} is the one being tried. */
    private List<InetAddress> addresses;
    private InetAddress address;
    private SmtpConversation conversation;
    private TlsSocketFactory tls;
    /** The results of the addresses tried before the current one. */
    private final List<ProbeResult> tried = new java.util.ArrayList<>();
    /**
     * Why the STARTTLS handshake with the current address failed, when the connection now being made is the
     * retry without STARTTLS; null otherwise.
     */
    private String failedHandshake;

    HostAttempt(Tools tools, TargetConfig target, String host, long mxNanos, Instant startedAt,
            DnsBudget targetDns, MtaStsVerdict sts) {
        this.tools = tools;
        this.targetDns = targetDns;
        this.sts = sts;
        this.target = target;
        this.host = host;
        this.startedAt = startedAt;
        this.phases = new PhaseClock(tools.ticker());
        this.deadline = new ProbeDeadline(tools.ticker(), tools.options().timeout());
        phases.add(Phase.DNS, mxNanos);
    }

    /**
     * Probes the host with its TCP connect waiting on {@code connector}: resolution and setup run on
     * this thread, which is free again once the connect is started; the conversation runs on
     * {@code threads} once the handshake has settled.
     */
    CompletableFuture<ProbeResult> run(Connector connector, Executor threads) {
        ProbeResult unresolved = resolve();
        if (unresolved != null) {
            return CompletableFuture.completedFuture(unresolved);
        }
        return attempt(0, connector, threads);
    }

    /** Tries address {@code index}, then, when it got no connection and time is left, the next. */
    private CompletableFuture<ProbeResult> attempt(int index, Connector connector, Executor threads) {
        address = addresses.get(index);
        return connectAndConverse(connector, threads).thenCompose(result -> {
            if (failedHandshake == null && fallsBackToPlaintext(result) && !deadline.passed()) {
                // Postfix at its default "may" level: "When TLS handshakes fail, the connection is retried with
                // TLS disabled" (postconf(5), smtp_tls_security_level). Once, on a new connection.
                failedHandshake = result.detail();
                return attempt(index, connector, threads);
            }
            if (index + 1 >= addresses.size() || !triesNextAddress(result.outcome()) || deadline.passed()) {
                return CompletableFuture.completedFuture(decided(result));
            }
            tried.add(result);
            failedHandshake = null; // the next address gets STARTTLS again
            return attempt(index + 1, connector, threads);
        });
    }

    /**
     * Whether the failed handshake is one an MTA retries without TLS: STARTTLS on port 25 where TLS is
     * opportunistic; never where it is enforced ({@code starttls: required}, an MTA-STS policy in enforce).
     */
    private boolean fallsBackToPlaintext(ProbeResult result) {
        return result.outcome() == Outcome.TLS_HANDSHAKE_FAILED && target.mode() == Mode.SMTP
                && starttls() == StartTls.OPPORTUNISTIC && !sts.enforced();
    }

    /**
     * Whether an MTA would go on to the host's next address after this outcome: the connection was not made
     * (RFC 5321 section 5.1: "the SMTP client SHOULD try at least two addresses").
     */
    private static boolean triesNextAddress(Outcome outcome) {
        return switch (outcome) {
            case NO_ROUTE, TCP_REFUSED, UNREACHABLE, TCP_TIMEOUT -> true;
            case OK, DNS_FAILURE, GREETING_TIMEOUT, GREETING_REJECTED, PROTOCOL_ERROR, EHLO_REJECTED,
                    STARTTLS_UNAVAILABLE, TLS_HANDSHAKE_FAILED, TLS_CERTIFICATE_INVALID, AUTH_UNAVAILABLE,
                    AUTH_REJECTED, AUTH_TEMPFAIL, SENDER_REJECTED, RECIPIENT_REJECTED, DEADLINE_EXCEEDED,
                    ERROR -> false;
        };
    }

    /**
     * The host's result once its addresses are done: the last one tried when it connected; when none did,
     * the first that says something of the path (an address without a route says nothing), so a dropped
     * IPv4 SYN is not hidden behind an IPv6 address the VM cannot reach. The others become attempts.
     */
    private ProbeResult decided(ProbeResult last) {
        List<ProbeResult> all = new java.util.ArrayList<>(tried);
        all.add(last);
        ProbeResult chosen = last.outcome().connected() ? last
                : all.stream().filter(r -> r.outcome() != Outcome.NO_ROUTE).findFirst().orElse(last);
        if (all.size() == 1) {
            return chosen;
        }
        List<ProbeResult.AddressAttempt> before = all.stream().filter(r -> r != chosen)
                .map(r -> new ProbeResult.AddressAttempt(r.address(), r.outcome(), r.detail())).toList();
        return chosen.afterAttempts(before, phases.finish());
    }

    /** One address: connect, and converse once connected. */
    private CompletableFuture<ProbeResult> connectAndConverse(Connector connector, Executor threads) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open();
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(failed(e));
        }
        ScheduledFuture<?> watch;
        try {
            watch = deadline.watch(channel, tools.watchdog());
        } catch (RuntimeException e) { // a watchdog already shut down (the prober closed by a reload)
            closeQuietly(channel);
            return CompletableFuture.completedFuture(failed(e));
        }
        Runnable cleanUp = () -> {
            watch.cancel(false);
            closeQuietly(channel);
            release();
        };
        CompletableFuture<Void> connected;
        try {
            setUp();
            connected = connector.connect(channel, new InetSocketAddress(address, port()), deadline,
                    this::connectSettled);
        } catch (Exception e) {
            cleanUp.run();
            return CompletableFuture.completedFuture(failed(e));
        }
        return connected.handleAsync((ignored, failure) -> {
            try {
                return failure == null ? converseOn(channel) : failed(connectFailure(failure));
            } finally {
                cleanUp.run();
            }
        }, threads);
    }

    /**
     * The connect phase ends here, on the thread that saw the handshake settle, not when a probe thread
     * takes the socket up. The greeting phase starts here too: the server's greeting delay runs from the
     * handshake, and what it sends meanwhile waits in the socket. An implicit TLS handshake (smtps)
     * starts only once a thread sends the hello, so until then the probe only waits for a thread.
     */
    private void connectSettled(boolean connected) {
        if (!connected) {
            phases.endStep();
        } else if (target.mode() == Mode.SMTP || target.mode() == Mode.SUBMISSION) {
            phases.enter(Step.GREETING);
        } else {
            phases.enter(Step.THREAD_WAIT);
        }
    }

    private ProbeResult converseOn(SocketChannel channel) {
        // A TCP probe is done once connected, even if its deadline passed while it waited for a thread.
        if (conversation != null && deadline.passed()) {
            // Every probe thread was busy until the deadline: a local fault (error, judged inconclusive), never
            // deadline_exceeded, which says the peer's conversation ran out of time and raises relay alarms.
            String detail = "every probe thread was busy until the probe deadline of "
                    + DnsLookup.seconds(deadline.timeout()) + " passed, after the TCP connect succeeded;"
                    + " raise probe.concurrency to the number of targets that answer at once";
            return result(Outcome.ERROR, null, detail);
        }
        try {
            if (conversation != null) {
                channel.configureBlocking(true);
            }
            return converse(channel.socket());
        } catch (Exception e) {
            return failed(e);
        }
    }

    /** What the connector failed the connect with (it fails only with exceptions, never errors). */
    private static Exception connectFailure(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof Exception e ? e : new CompletionException(cause);
    }

    /** Resolves the host to the addresses to try, or returns the DNS failure as the result. */
    private ProbeResult resolve() {
        phases.enter(Step.DNS);
        try {
            addresses = addressesToTry();
            return null;
        } catch (ResolutionException | RuntimeException e) {
            OutcomeMapper.Mapped mapped = tools.mapper().map(e, dnsContext(deadline));
            return result(mapped.outcome(), null, mapped.detail()).withDnsFailure(DnsFailure.of(e));
        }
    }

    /**
     * The host's first addresses in DNS order (at most {@code probe.addresses_per_host}), each carrying the host
     * name: TLS checks the certificate against the name.
     */
    private List<InetAddress> addressesToTry() throws ResolutionException {
        long left = deadline.remainingNanos();
        if (targetDns != null) {
            if (targetDns.spent()) {
                throw new ResolutionException(host + ": no time left to resolve it: this MX target's earlier lookups"
                        + " used up its DNS time of " + DnsLookup.seconds(targetDns.timeout()));
            }
            left = Math.min(left, targetDns.leftNanos());
        }
        // One deadline bounds DNS with everything else: a lookup that runs out of it is a dns_failure, which
        // says what happened, not a deadline_exceeded of a conversation that never began.
        long start = tools.ticker().nanoTime();
        List<InetAddress> addresses;
        try {
            addresses = tools.resolver().addresses(host, Duration.ofNanos(Math.max(1, left)));
        } finally {
            if (targetDns != null) {
                targetDns.spend(tools.ticker().nanoTime() - start);
            }
        }
        if (addresses.isEmpty()) {
            throw new ResolutionException("no address for " + host);
        }
        List<InetAddress> named = new java.util.ArrayList<>();
        for (InetAddress found : addresses.subList(0, Math.min(addresses.size(),
                Math.max(1, tools.options().addressesPerHost())))) {
            try {
                named.add(InetAddress.getByAddress(host, found.getAddress()));
            } catch (UnknownHostException e) {
                throw new ResolutionException("the resolver returned an invalid address for " + host, e);
            }
        }
        return named;
    }

    static OutcomeMapper.Context dnsContext(ProbeDeadline deadline) {
        return new OutcomeMapper.Context(Step.DNS, false, deadline.timeout().toMillis(), false, null, 0, null, false,
                false);
    }

    /** The TLS context and the conversation of the current address, up to the connect. */
    private void setUp() throws Exception {
        phases.enter(Step.SETUP);
        limits = new ReplyLimits();
        conversation = null;
        tls = null;
        if (target.mode() != Mode.TCP) {
            TlsConfig tlsConfig = target.tls();
            boolean skip = tlsConfig.insecureSkipVerify();
            CertificateCheck check = new CertificateCheck(tools.tlsContexts().trust(tlsConfig), host,
                    verificationEnforced(), skip);
            Transcript transcript = tools.options().transcript() ? new Transcript() : null;
            tls = new TlsSocketFactory(() -> TlsContexts.newContext(new TrustManager[] {check}), host, !skip, limits,
                    check, transcript);
            conversation = new SmtpConversation(target, address, port(), tools.options(), phases, tls, tools.tokens(),
                    tools.mailSessions(), transcript, sts.enforced() && starttls() != StartTls.OFF,
                    failedHandshake != null);
        }
        if (deadline.passed()) {
            // Still in setup: the deadline went on setup (TLS context, token), not on an unanswered SYN.
            throw new DeadlineExceededException();
        }
        phases.enter(Step.CONNECT);
    }

    /**
     * Whether a certificate that fails verification fails the probe (README.md "Reading the verdicts"): not on port 25
     * with opportunistic STARTTLS, where MTAs deliver anyway (RFC 7435), unless the domain's MTA-STS policy
     * enforces TLS for this host (RFC 8461 section 5); always where credentials follow (submission, smtps).
     */
    private boolean verificationEnforced() {
        return switch (target.mode()) {
            case SUBMISSION, SMTPS -> true;
            case SMTP -> starttls() == StartTls.REQUIRED || sts.enforced();
            case TCP -> false;
        };
    }

    private StartTls starttls() {
        return target.starttls() == null ? StartTls.OPPORTUNISTIC : target.starttls();
    }

    /** The conversation's mail session goes back for the next probe, whatever happened. */
    private void release() {
        if (conversation != null) {
            conversation.release();
        }
    }

    /** The conversation over a connected socket, bound to the deadline and the reply limits. */
    private ProbeResult converse(Socket raw) throws Exception {
        if (conversation != null) {
            conversation.run(new DeadlineSocket(raw, deadline, limits));
        }
        String reply = conversation == null ? null
                : TargetProber.lastLine(conversation.withoutSecrets(conversation.lastReply()));
        String detail = conversation == null ? "TCP connect succeeded" : "the conversation completed";
        return result(Outcome.OK, reply, detail);
    }

    private ProbeResult failed(Exception e) {
        SmtpConversation.Snapshot state = conversation == null
                ? new SmtpConversation.Snapshot(phases.current(), 0, null)
                : conversation.snapshot();
        OutcomeMapper.Mapped mapped = tools.mapper().map(e, context(state));
        return result(mapped.outcome(), TargetProber.lastLine(masked(state.reply())), masked(mapped.detail()));
    }

    /** Everything the mapper needs to know about where and how the attempt failed. */
    private OutcomeMapper.Context context(SmtpConversation.Snapshot state) {
        return new OutcomeMapper.Context(state.step(), deadline.passed(), deadline.timeout().toMillis(),
                limits.anyReceived(), limits.notSmtp(), state.replyCode(), state.reply(),
                conversation != null && conversation.authSent(), tls != null && tls.established());
    }

    private int port() {
        return TargetProber.port(target);
    }

    /** Server text (a reply, a detail quoting one) without our secrets, should the server have echoed them. */
    private String masked(String text) {
        return conversation == null ? text : conversation.withoutSecrets(text);
    }

    private TlsInfo tlsInfo() {
        return tls == null ? null : tls.info();
    }

    private String transcript() {
        return conversation == null ? null : conversation.transcript();
    }

    private ProbeResult result(Outcome outcome, String reply, String detail) {
        TlsInfo tlsInfo = failedHandshake != null ? TlsInfo.plaintextFallback(failedHandshake) : tlsInfo();
        String fallback = failedHandshake == null ? "" : "; the STARTTLS handshake had failed (" + failedHandshake
                + "), so this conversation was a retry without TLS, as mail servers retry with opportunistic TLS";
        return new ProbeResult(target.name(), host, address == null ? null : IpLiteral.format(address), port(),
                target.mode(), outcome, reply, detail + tlsNote(outcome, tlsInfo) + fallback + sts.note(outcome),
                phases.finish(), tlsInfo, startedAt, transcript());
    }

    /** Says so when the session went on with a certificate that failed verification (opportunistic TLS). */
    private static String tlsNote(Outcome outcome, TlsInfo tlsInfo) {
        if (tlsInfo == null || tlsInfo.verified() || tlsInfo.fallback() != null
                || CertificateCheck.SKIPPED.equals(tlsInfo.verifyError())) {
            return "";
        }
        return (outcome == Outcome.OK ? "; " : "; meanwhile ") + "the TLS session continued unverified ("
                + tlsInfo.verifyError() + "), as opportunistic TLS on port 25 allows (RFC 7435)";
    }

    private static void closeQuietly(Closeable socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing left to do with a socket that will not close.
        }
    }
}
