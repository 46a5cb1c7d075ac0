package io.smtpprobe.probe.target;

import io.smtpprobe.config.Mode;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.config.TlsConfig;
import io.smtpprobe.probe.BearerTokens;
import io.smtpprobe.probe.IpLiteral;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeOptions;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.probe.TlsInfo;
import io.smtpprobe.probe.dns.HostResolver;
import io.smtpprobe.probe.mtasts.MtaStsVerdict;
import io.smtpprobe.probe.net.Connector;
import io.smtpprobe.probe.net.DeadlineSocket;
import io.smtpprobe.probe.net.ReplyLimits;
import io.smtpprobe.probe.net.Transcript;
import io.smtpprobe.probe.smtp.MailSessions;
import io.smtpprobe.probe.smtp.SmtpConversation;
import io.smtpprobe.probe.step.DeadlineExceededException;
import io.smtpprobe.probe.step.PhaseClock;
import io.smtpprobe.probe.step.ProbeDeadline;
import io.smtpprobe.probe.step.Step;
import io.smtpprobe.probe.tls.CertificateCheck;
import io.smtpprobe.probe.tls.TlsContexts;
import io.smtpprobe.probe.tls.TlsSocketFactory;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import javax.net.ssl.TrustManager;

/**
 * One connection of a host probe ({@link HostProbe}) to one address, within the probe's deadline: set up,
 * connect, converse, and turn what happened into a {@link ProbeResult}. The handshake waits on a
 * {@link Connector}; the rest runs on a probe thread. {@code check} and the daemon run this same path.
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
    private final ReplyLimits limits = new ReplyLimits();
    /** What the domain's MTA-STS policy says of this host; {@link MtaStsVerdict#NONE} outside mx: targets. */
    private final MtaStsVerdict sts;
    private final InetAddress address;
    /**
     * Why the STARTTLS handshake with this address failed on the connection before, when this one is the
     * retry without STARTTLS; null otherwise.
     */
    private final String failedHandshake;
    private SmtpConversation conversation;
    private TlsSocketFactory tls;

    /**
     * @param phases and {@code deadline}: the host probe's, shared by its connections
     * @param failedHandshake non-null for the retry without STARTTLS after that handshake failure
     */
    HostAttempt(Tools tools, TargetConfig target, String host, Instant startedAt, PhaseClock phases,
            ProbeDeadline deadline, MtaStsVerdict sts, InetAddress address, String failedHandshake) {
        this.tools = tools;
        this.target = target;
        this.host = host;
        this.startedAt = startedAt;
        this.phases = phases;
        this.deadline = deadline;
        this.sts = sts;
        this.address = address;
        this.failedHandshake = failedHandshake;
    }

    /**
     * Connects with the TCP handshake waiting on {@code connector}: setup runs on this thread, which is free
     * again once the connect is started; the conversation runs on {@code threads} once the handshake has settled.
     */
    CompletableFuture<ProbeResult> run(Connector connector, Executor threads) {
        // This connection's own step from its start: the clock is the host probe's, and a failure before setUp()
        // must not be blamed on the previous connection's last step.
        phases.enter(Step.SETUP);
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
                    + ProbeDeadline.seconds(deadline.timeout()) + " passed, after the TCP connect succeeded;"
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

    /** The TLS context and the conversation of the current address, up to the connect. */
    private void setUp() throws Exception {
        phases.enter(Step.SETUP);
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
        String detail = mapped.outcome() != Outcome.TCP_REFUSED ? mapped.detail()
                : mapped.detail() + LocalReset.note(address, phases.elapsed(Phase.CONNECT));
        return result(mapped.outcome(), TargetProber.lastLine(masked(state.reply())), masked(detail));
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
