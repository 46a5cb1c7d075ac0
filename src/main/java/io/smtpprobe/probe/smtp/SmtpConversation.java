package io.smtpprobe.probe.smtp;

import io.smtpprobe.config.AuthConfig;
import io.smtpprobe.config.AuthMechanism;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.BearerTokens;
import io.smtpprobe.probe.ProbeOptions;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.probe.TokenUnavailableException;
import io.smtpprobe.probe.net.ConversationSocket;
import io.smtpprobe.probe.net.Transcript;
import io.smtpprobe.probe.step.PhaseClock;
import io.smtpprobe.probe.step.Step;
import io.smtpprobe.probe.tls.TlsSocketFactory;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * One SMTP conversation, read top to bottom: (TLS,) greeting, EHLO, STARTTLS, EHLO, AUTH, MAIL FROM,
 * RCPT TO, QUIT. Angus Mail speaks the protocol; this class decides which steps a mode takes. It
 * never sends DATA: a probe delivers nothing.
 */
public final class SmtpConversation {
    private final TargetConfig target;
    private final Mode mode;
    private final ProbeOptions options;
    private final PhaseClock clock;
    private final TlsSocketFactory tls;
    private final Transcript transcript;
    private final boolean policyRequiresTls;
    /** The retry after a failed opportunistic handshake: STARTTLS is not sent even when offered. */
    private final boolean withoutStartTls;
    private final URLName url;
    private TimedSmtpTransport transport;
    private final AuthConfig credentials;
    private final String tokenFailure;
    private final MailSessions sessions;
    private final Map<String, String> settings;
    private Session session;
    /** Whether {@link #session} came from {@link #sessions} and goes back there. */
    private boolean pooled;
    private String replyBeforeQuit;
    private Snapshot failure;

    public SmtpConversation(
            TargetConfig target, InetAddress address, int port, ProbeOptions options, PhaseClock clock,
            TlsSocketFactory tls, BearerTokens tokens, MailSessions sessions, Transcript transcript,
            boolean policyRequiresTls, boolean withoutStartTls) {
        this.target = target;
        this.mode = target.mode();
        this.options = options;
        this.clock = clock;
        this.tls = tls;
        this.transcript = transcript;
        this.policyRequiresTls = policyRequiresTls;
        this.withoutStartTls = withoutStartTls;
        this.settings = settings();
        this.sessions = sessions;
        String problem = null;
        AuthConfig auth = null;
        try {
            auth = credentials(tokens);
        } catch (TokenUnavailableException e) {
            problem = e.getMessage();
        }
        this.credentials = auth;
        this.tokenFailure = problem;
        // Credentials travel in the URL so that Angus never asks a Session Authenticator (which could
        // start a second attempt); the host is the IP literal so no code path looks a name up again.
        this.url = new URLName("smtp", address.getHostAddress(), port, null,
                auth == null ? null : auth.username(), auth == null ? null : auth.password().reveal());
    }

    /**
     * The mail session and Angus's transport, made once connected: a probe whose SYN goes unanswered
     * (every port-25 probe of a blocked VM) never holds a session.
     */
    private void open() {
        // The transcript is recorded on the socket (ConversationSocket), never from Angus's debug output,
        // so a probe with a transcript takes a pooled session like any other.
        session = sessions.take(settings, tls);
        pooled = true;
        transport = new TimedSmtpTransport(session, url, clock, tls, tlsRequired());
    }

    /** Loads Angus Mail's classes and provider list without any I/O (see TargetProber's warm-up). */
    public static void loadProtocolClasses() {
        new TimedSmtpTransport(Session.getInstance(new Properties()), new URLName("smtp", "127.0.0.1", 25, null, null,
                null), new PhaseClock(Ticker.SYSTEM), null, false);
    }

    /** Gives the mail session back for the next probe; call once, when the probe is over. */
    public void release() {
        if (pooled) {
            pooled = false;
            sessions.release(settings, session, transport.getURLName());
        }
    }

    /** Runs the conversation on a connected socket; throws whatever ended it early. */
    public void run(Socket connected) throws MessagingException, IOException {
        open();
        Socket socket = mode == Mode.SMTPS ? implicitTls(connected) : new ConversationSocket(connected, transcript);
        clock.enter(Step.GREETING);
        // Greeting, EHLO (HELO fallback), STARTTLS and AUTH as the properties ask (RFC 5321, 3207, 4954).
        try {
            transport.connect(socket);
        } catch (AuthenticationFailedException e) {
            if (!transport.authSent()) {
                // Angus found no mechanism in common before sending anything.
                throw new AuthUnavailableException("the server offers none of the AUTH mechanisms this probe uses ("
                        + mechanisms().replace(" ", ", ") + ")");
            }
            throw e;
        }
        try {
            requireAuthentication();
            envelope();
        } catch (MessagingException e) {
            // Keep what the failure looked like: QUIT would overwrite the step and the last reply.
            failure = new Snapshot(clock.current(), transport.getLastReturnCode(), transport.getLastServerResponse());
            quit();
            throw e;
        }
        replyBeforeQuit = transport.getLastServerResponse();
        quit();
    }

    /** The step, reply code and reply at the moment the conversation failed. */
    public record Snapshot(Step step, int replyCode, String reply) {}

    /** The state to classify a failure by: captured before QUIT, or as Angus left it. */
    public Snapshot snapshot() {
        if (failure != null) {
            return failure;
        }
        if (transport == null) {
            return new Snapshot(clock.current(), 0, null);
        }
        return new Snapshot(clock.current(), transport.getLastReturnCode(), transport.getLastServerResponse());
    }

    private Socket implicitTls(Socket connected) throws IOException {
        clock.enter(Step.TLS);
        // The factory handshakes (and checks the certificate) before it returns.
        return tls.createSocket(connected, null, connected.getPort(), true);
    }

    private void requireAuthentication() throws MessagingException {
        if (tokenFailure != null) {
            // Checked here, after TLS, so the probe still shows whether the relay itself answers.
            throw new AuthUnavailableException("could not get an OAuth token: " + tokenFailure);
        }
        if (credentials != null && !transport.authSent()) {
            throw new AuthUnavailableException("the server does not offer AUTH after TLS");
        }
    }

    /** MAIL FROM and RCPT TO when configured, to see whether the relay would take mail; never DATA. */
    private void envelope() throws MessagingException {
        if (target.mailFrom() == null) {
            return;
        }
        clock.enter(Step.MAIL_FROM);
        int code = transport.simpleCommand("MAIL FROM:<" + target.mailFrom() + ">");
        if (code != 250) {
            throw new ReplyRejectedException("MAIL FROM", code);
        }
        if (target.rcptTo() == null) {
            return;
        }
        clock.enter(Step.RCPT_TO);
        code = transport.simpleCommand("RCPT TO:<" + target.rcptTo() + ">");
        // 251: not local, will forward (RFC 5321 section 3.4).
        if (code != 250 && code != 251) {
            throw new ReplyRejectedException("RCPT TO", code);
        }
    }

    /** QUIT is good manners (RFC 5321 section 4.1.1.10); its failure changes no outcome. */
    private void quit() {
        clock.enter(Step.QUIT);
        try {
            transport.close();
        } catch (MessagingException e) {
            // The outcome is already decided; the socket is closed by the caller regardless.
        }
    }

    /** Angus's settings for this target; the TLS socket factory, the one per-probe object, is added apart. */
    private Map<String, String> settings() {
        Map<String, String> props = new HashMap<>();
        String millis = Long.toString(options.timeout().toMillis());
        // Angus defaults every timeout to infinite. Our socket is connected and deadline-bound before
        // Angus sees it; these make sure nothing Angus might open itself can wait longer.
        props.put("mail.smtp.connectiontimeout", millis);
        props.put("mail.smtp.timeout", millis);
        props.put("mail.smtp.localhost", options.heloName());
        props.put("mail.smtp.ehlo", "true");
        props.put("mail.smtp.auth", "false");
        props.put("mail.smtp.sasl.enable", "false");
        props.put("mail.smtp.auth.mechanisms", mechanisms());
        // Angus disables XOAUTH2 unless asked; the token travels as the password (RFC 7628 section 3.1).
        props.put("mail.smtp.auth.xoauth2.disable", Boolean.toString(!"XOAUTH2".equals(mechanisms())));
        props.put("mail.smtp.quitwait", "true");
        props.put("mail.smtp.starttls.enable", Boolean.toString(startTls()));
        props.put("mail.smtp.starttls.required", Boolean.toString(tlsRequired() && mode != Mode.SMTPS));
        // The name is checked in the TLS handshake (TlsSocketFactory, CertificateCheck); Angus never sees an
        // SSLSocket, so its own check would not run anyway.
        props.put("mail.smtp.ssl.checkserveridentity", "false");
        props.put("mail.debug.auth", "false");
        return Map.copyOf(props);
    }

    private boolean startTls() {
        return switch (mode) {
            case SUBMISSION -> true;
            case SMTP -> starttlsSetting() != StartTls.OFF && !withoutStartTls;
            case SMTPS, TCP -> false;
        };
    }

    private boolean tlsRequired() {
        return switch (mode) {
            case SUBMISSION, SMTPS -> true;
            case SMTP -> starttlsSetting() == StartTls.REQUIRED || policyRequiresTls;
            case TCP -> false;
        };
    }

    private StartTls starttlsSetting() {
        return target.starttls();
    }

    /**
     * The credentials to send: used only by the relay modes, which always run over TLS. For XOAUTH2 the
     * password is the bearer token, fetched now (in the setup step).
     */
    private AuthConfig credentials(BearerTokens tokens) throws TokenUnavailableException {
        AuthConfig auth = target.auth();
        if (!mode.isRelay() || auth == null) {
            return null;
        }
        if (auth.isOAuth()) {
            return new AuthConfig(auth.username(), tokens.token(auth), "oauth", auth.mechanism(), auth.oauth());
        }
        return auth.password() != null ? auth : null;
    }

    private String mechanisms() {
        AuthConfig auth = target.auth();
        AuthMechanism mechanism = auth == null || auth.mechanism() == null ? AuthMechanism.AUTO : auth.mechanism();
        return switch (mechanism) {
            // PLAIN first: one round trip with the initial response (RFC 4954 section 4).
            case AUTO -> "PLAIN LOGIN";
            case PLAIN -> "PLAIN";
            case LOGIN -> "LOGIN";
            case XOAUTH2 -> "XOAUTH2";
        };
    }

    /** The server's last reply: the one before QUIT when the conversation succeeded. */
    public String lastReply() {
        return replyBeforeQuit != null ? replyBeforeQuit : snapshot().reply();
    }

    /** With a token, mask it; without one (it could not be had), still mask an app secret, should it appear. */
    private AuthConfig secrets() {
        return credentials != null ? credentials : target.auth();
    }

    public boolean authSent() {
        return transport != null && transport.authSent();
    }

    /**
     * Server text with every copy of our secrets masked: a hostile or broken server may echo what AUTH
     * sent (even decoded) in its reply, and replies reach /status, logs and the CLI.
     */
    public String withoutSecrets(String text) {
        return text == null ? null : new SecretMask().redact(text, secrets());
    }

    public String transcript() {
        return transcript == null ? null : new SecretMask().redact(transcript.text(), secrets());
    }
}
