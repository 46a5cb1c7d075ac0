package io.smtpprobe.probe.target;

import static io.smtpprobe.probe.step.CauseChain.find;
import static io.smtpprobe.probe.step.CauseChain.message;

import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.dns.ResolutionException;
import io.smtpprobe.probe.net.ReplyLimitExceededException;
import io.smtpprobe.probe.smtp.AuthUnavailableException;
import io.smtpprobe.probe.smtp.ReplyRejectedException;
import io.smtpprobe.probe.smtp.StartTlsUnavailableException;
import io.smtpprobe.probe.step.DeadlineExceededException;
import io.smtpprobe.probe.step.Step;
import io.smtpprobe.probe.tls.TlsSetupException;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * The one place where what went wrong becomes an {@link Outcome}: by exception type and cause
 * chain, the step it happened in, and the server's last reply code. Where the JDK or Angus Mail
 * tell us only in message text, the match is here too, pinned by tests against real servers.
 */
final class OutcomeMapper {
    private static final Pattern OAUTH_STATUS = Pattern.compile("\"status\"\\s*:\\s*\"?(\\w{1,10})");

    /** What the probe knew when it failed. */
    record Context(
            Step step, boolean deadlinePassed, long timeoutMillis, boolean peerSpoke, String notSmtp, int replyCode,
            String reply, boolean authSent, boolean tlsEstablished) {}

    record Mapped(Outcome outcome, String detail) {}

    Mapped map(Throwable failure, Context context) {
        Step step = context.step();
        if (failure instanceof ResolutionException) {
            // The resolver's message already says why: NXDOMAIN, SERVFAIL, timeout, no records.
            return new Mapped(Outcome.DNS_FAILURE, failure.getMessage());
        }
        ReplyLimitExceededException overLimit = find(failure, ReplyLimitExceededException.class);
        if (overLimit != null) {
            return new Mapped(Outcome.PROTOCOL_ERROR, overLimit.getMessage() + " during " + step.label());
        }
        if (context.deadlinePassed() || find(failure, DeadlineExceededException.class) != null) {
            return deadline(context);
        }
        if (find(failure, TlsSetupException.class) != null) {
            return new Mapped(Outcome.ERROR, find(failure, TlsSetupException.class).getMessage());
        }
        if (step == Step.CONNECT) {
            return connect(failure, context);
        }
        if (find(failure, StartTlsUnavailableException.class) != null) {
            return new Mapped(Outcome.STARTTLS_UNAVAILABLE,
                    find(failure, StartTlsUnavailableException.class).getMessage() + "; TLS is required here");
        }
        if (find(failure, AuthUnavailableException.class) != null) {
            return new Mapped(Outcome.AUTH_UNAVAILABLE, find(failure, AuthUnavailableException.class).getMessage());
        }
        SSLException tlsFailure = find(failure, SSLException.class);
        if (tlsFailure != null) {
            return tls(failure, tlsFailure);
        }
        if (failure instanceof AuthenticationFailedException) {
            return authentication(context);
        }
        if (find(failure, SocketTimeoutException.class) != null) {
            // Reads wait until the deadline, so a read timeout is the deadline seen from below.
            return deadline(context);
        }
        if (failure instanceof MessagingException) {
            return reply(failure, context);
        }
        return unexpected(failure, step);
    }

    private static Mapped deadline(Context context) {
        String seconds = String.format(Locale.ROOT, "%.1fs", context.timeoutMillis() / 1000.0);
        return switch (context.step()) {
            case SETUP, DNS -> new Mapped(Outcome.ERROR, "local setup used up the probe deadline of " + seconds);
            case CONNECT -> new Mapped(Outcome.TCP_TIMEOUT, "no answer to the TCP connect within " + seconds);
            // Silence is a server that never greets; a greeting still trickling in is a slow peer;
            // bytes that cannot start a reply (a TLS alert on a plain port) are not SMTP at all.
            case GREETING -> context.notSmtp() != null
                    ? new Mapped(Outcome.PROTOCOL_ERROR, context.notSmtp() + "; no greeting within " + seconds)
                    : context.tlsEstablished()
                    ? new Mapped(Outcome.GREETING_TIMEOUT, "the TLS handshake completed, but the server sent no greeting"
                            + " within " + seconds)
                    : context.peerSpoke()
                    ? new Mapped(Outcome.DEADLINE_EXCEEDED,
                            "the greeting was still arriving when the probe deadline of " + seconds + " passed")
                    : new Mapped(Outcome.GREETING_TIMEOUT, "connected, but the server sent no greeting within " + seconds);
            case THREAD_WAIT, TLS, EHLO, STARTTLS, AUTH, MAIL_FROM, RCPT_TO, QUIT -> new Mapped(Outcome.DEADLINE_EXCEEDED,
                    "the probe deadline of " + seconds + " passed during " + context.step().label());
        };
    }

    private static Mapped connect(Throwable failure, Context context) {
        if (find(failure, SocketTimeoutException.class) != null) {
            // A connect waits exactly until the deadline: one outcome and one wording whether the deadline
            // was seen to pass before this mapping or a moment after (the blocking and the selector path).
            return deadline(context);
        }
        SocketException socket = find(failure, SocketException.class);
        // ENETUNREACH: the kernel has no route for the address, so no packet left (r3: no_route, not a block).
        // The JDK reports it as a plain SocketException, or a ConnectException, with the errno text.
        if (socket != null && contains(socket, "network is unreachable")) {
            return new Mapped(Outcome.NO_ROUTE, "this VM has no route to the address (network unreachable): no packet"
                    + " left it, as on a VM without IPv6; mail servers skip such an address");
        }
        if (find(failure, NoRouteToHostException.class) != null) {
            // EHOSTUNREACH: an ICMP host unreachable or administratively prohibited (a firewall that rejects
            // with ICMP, on the path or on this VM), or a route of type unreachable.
            return new Mapped(Outcome.UNREACHABLE, "an ICMP unreachable came back (no route to host, or"
                    + " administratively prohibited): a router or firewall on the path, or this VM's own, rejects");
        }
        ConnectException refused = find(failure, ConnectException.class);
        if (refused != null) {
            // The JDK reports ETIMEDOUT (the kernel gave up on the SYN) as a ConnectException too.
            if (contains(refused, "timed out")) {
                return new Mapped(Outcome.TCP_TIMEOUT, "no answer to the TCP connect (" + refused.getMessage() + ")");
            }
            return new Mapped(Outcome.TCP_REFUSED, "connection refused (RST): nothing listens there, or a firewall"
                    + " rejects");
        }
        if (socket != null && (contains(socket, "unreachable") || contains(socket, "no route"))) {
            return new Mapped(Outcome.UNREACHABLE, "an ICMP unreachable came back: a router or firewall on the path,"
                    + " or this VM's own, rejects");
        }
        return unexpected(failure, Step.CONNECT);
    }

    private static Mapped tls(Throwable failure, SSLException tlsFailure) {
        if (find(failure, CertificateExpiredException.class) != null) {
            return certificate("the server certificate has expired ("
                    + find(failure, CertificateExpiredException.class).getMessage() + ")");
        }
        if (find(failure, CertificateNotYetValidException.class) != null) {
            return certificate("the server certificate is not valid yet ("
                    + find(failure, CertificateNotYetValidException.class).getMessage() + ")");
        }
        if (find(failure, CertPathBuilderException.class) != null) {
            return certificate("the server certificate is not issued by a trusted CA (" + message(failure) + ")");
        }
        if (find(failure, CertificateException.class) != null || find(failure, CertPathValidatorException.class) != null) {
            // The JDK's hostname check says "No subject alternative DNS name matching <host> found."
            return certificate(message(failure));
        }
        return new Mapped(Outcome.TLS_HANDSHAKE_FAILED, "TLS failed: " + tlsFailure.getMessage());
    }

    private static Mapped certificate(String reason) {
        return new Mapped(Outcome.TLS_CERTIFICATE_INVALID, "server certificate rejected: " + reason);
    }

    private static Mapped authentication(Context context) {
        if (!context.authSent()) {
            return new Mapped(Outcome.AUTH_UNAVAILABLE,
                    "the server offers no AUTH mechanism this probe uses (PLAIN, LOGIN)");
        }
        int code = context.replyCode();
        if (code == 334) {
            // XOAUTH2's error challenge: the server answers the initial response with 334 and a base64
            // JSON status instead of 235 (RFC 7628 section 3.2.2); Angus then gives up.
            return new Mapped(Outcome.AUTH_REJECTED, "the server rejected the bearer token" + oauthStatus(context));
        }
        if (code >= 400 && code < 500) {
            return new Mapped(Outcome.AUTH_TEMPFAIL, "authentication failed temporarily (" + code + ")");
        }
        if (code >= 500 && code < 600) {
            return new Mapped(Outcome.AUTH_REJECTED, "the server rejected the credentials (" + code + ")");
        }
        return new Mapped(Outcome.PROTOCOL_ERROR, "no valid reply to AUTH" + peerSaid(context));
    }

    /** The {@code status} of an XOAUTH2 error challenge ({"status":"401",...}), when it can be read. */
    private static String oauthStatus(Context context) {
        String reply = context.reply() == null ? "" : context.reply().strip();
        if (!reply.startsWith("334 ")) {
            return " (334)";
        }
        try {
            String json = new String(Base64.getDecoder().decode(reply.substring(4).strip()),
                    StandardCharsets.UTF_8);
            Matcher status = OAUTH_STATUS.matcher(json);
            return status.find() ? " (334, status " + status.group(1) + ")" : " (334)";
        } catch (IllegalArgumentException e) {
            return " (334)";
        }
    }

    private static Mapped reply(Throwable failure, Context context) {
        int code = context.replyCode();
        if (failure instanceof ReplyRejectedException rejected) {
            code = rejected.code();
        }
        if (code >= 400 && code < 600) {
            String says = " with " + code;
            return switch (context.step()) {
                case GREETING -> new Mapped(Outcome.GREETING_REJECTED, "the server greeted" + says);
                case EHLO -> new Mapped(Outcome.EHLO_REJECTED, "the server refused EHLO and HELO" + says);
                case STARTTLS -> new Mapped(Outcome.TLS_HANDSHAKE_FAILED, "the server refused STARTTLS" + says);
                case AUTH -> new Mapped(code < 500 ? Outcome.AUTH_TEMPFAIL : Outcome.AUTH_REJECTED, "AUTH refused" + says);
                case MAIL_FROM -> new Mapped(Outcome.SENDER_REJECTED, "the server refused the sender" + says);
                // Postfix delays its restrictions to RCPT TO (smtpd_delay_reject): a refused sender comes there.
                case RCPT_TO -> new Mapped(Outcome.RECIPIENT_REJECTED, contains(context.reply(), "sender address rejected")
                        ? "the server refused the sender at RCPT TO (as Postfix does when it delays its checks)" + says
                        : "the server refused the recipient" + says);
                case SETUP, DNS, CONNECT, THREAD_WAIT, TLS, QUIT -> new Mapped(Outcome.PROTOCOL_ERROR,
                        "unexpected " + code + " during " + context.step().label());
            };
        }
        if (context.notSmtp() != null && context.step() == Step.GREETING) {
            return new Mapped(Outcome.PROTOCOL_ERROR, context.notSmtp());
        }
        // After an implicit TLS handshake (smtps) the server has shown it speaks TLS on this port; what it
        // does next is about the server, not the mode (a smarthost whose smtpd dies after TLS, for one).
        boolean afterTls = context.tlsEstablished() && context.step() == Step.GREETING;
        if (code == -1 && "[EOF]".equals(context.reply())) {
            return new Mapped(Outcome.PROTOCOL_ERROR, afterTls
                    ? "the server closed the connection after the TLS handshake, before its greeting"
                    : "the server closed the connection during " + context.step().label());
        }
        if (find(failure, EOFException.class) != null || find(failure, SocketException.class) != null) {
            return new Mapped(Outcome.PROTOCOL_ERROR, (afterTls
                    ? "the connection broke after the TLS handshake, before the server's greeting"
                    : "the connection broke during " + context.step().label()) + " (" + message(failure) + ")");
        }
        return new Mapped(Outcome.PROTOCOL_ERROR, "not an SMTP reply during " + context.step().label() + peerSaid(context));
    }

    private static String peerSaid(Context context) {
        String reply = context.reply() == null ? "" : context.reply().strip();
        if (reply.isEmpty()) {
            return "";
        }
        if (reply.startsWith("HTTP/")) {
            return ": the peer answers like an HTTP server";
        }
        return ": the peer sent something that is not an SMTP reply";
    }

    private static Mapped unexpected(Throwable failure, Step step) {
        // No class name in the detail (r3): it is read by the person at the shell; the step and message say enough.
        return new Mapped(Outcome.ERROR, "an unexpected local failure during " + step.label() + ": " + message(failure));
    }

    private static boolean contains(Throwable failure, String text) {
        return contains(failure.getMessage(), text);
    }

    private static boolean contains(String message, String text) {
        return message != null && message.toLowerCase(Locale.ROOT).contains(text);
    }
}
