package io.smtpprobe.delivery;

import static io.smtpprobe.probe.step.CauseChain.find;

import io.smtpprobe.config.Mode;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.tls.TlsContexts;
import io.smtpprobe.probe.tls.TlsSetupException;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Sends the probe message through the relay target with that target's host, port, TLS and AUTH settings: TLS
 * before credentials always (RFC 8314; STARTTLS required on submission, RFC 3207), the certificate checked as the
 * relay's check checks it, and every timeout set (Angus Mail waits forever by default).
 */
final class Submission {
    /** Why the relay did not take the message, in the relay's outcome vocabulary where it has a word for it. */
    static final class Refused extends Exception {
        private final Outcome outcome;
        private final String reply;

        Refused(Outcome outcome, String reply, String message, Throwable cause) {
            super(message, cause);
            this.outcome = outcome;
            this.reply = reply;
        }

        Outcome outcome() {
            return outcome;
        }

        String reply() {
            return reply;
        }
    }

    private final TlsContexts tls;
    private final Duration timeout;
    private final String heloName;

    Submission(TlsContexts tls, Duration timeout, String heloName) {
        this.tls = tls;
        this.timeout = timeout;
        this.heloName = heloName;
    }

    void send(TargetConfig relay, String from, String to, String target, String token, Instant sent) throws Refused {
        String protocol = relay.mode() == Mode.SMTPS ? "smtps" : "smtp";
        Properties properties = new Properties();
        String millis = Long.toString(timeout.toMillis());
        properties.put("mail." + protocol + ".connectiontimeout", millis);
        properties.put("mail." + protocol + ".timeout", millis);
        properties.put("mail." + protocol + ".writetimeout", millis);
        properties.put("mail." + protocol + ".localhost", heloName);
        properties.put("mail." + protocol + ".auth", Boolean.toString(relay.auth() != null));
        if (relay.mode() == Mode.SUBMISSION && relay.starttls() != StartTls.OFF) {
            properties.put("mail.smtp.starttls.enable", "true");
            properties.put("mail.smtp.starttls.required", Boolean.toString(relay.starttls() == StartTls.REQUIRED
                    || relay.auth() != null));
        }
        try {
            properties.put("mail." + protocol + ".ssl.socketFactory",
                    TlsContexts.newContext(tls.trust(relay.tls())).getSocketFactory());
        } catch (TlsSetupException | GeneralSecurityException e) {
            throw new Refused(Outcome.ERROR, null, "cannot set up TLS for the relay: " + e.getMessage(), e);
        }
        properties.put("mail." + protocol + ".ssl.checkserveridentity", Boolean.toString(!relay.tls().insecureSkipVerify()));
        Session session = Session.getInstance(properties);
        try {
            MimeMessage message = ProbeMessage.build(session, from, to, target, token, sent);
            try (Transport transport = session.getTransport(protocol)) {
                if (relay.auth() != null) {
                    transport.connect(relay.host(), relay.port(), relay.auth().username(),
                            relay.auth().password().reveal());
                } else {
                    transport.connect(relay.host(), relay.port(), null, null);
                }
                transport.sendMessage(message, message.getAllRecipients());
            }
        } catch (MessagingException e) {
            throw refused(relay, e);
        }
    }

    /** The one place a failed submission becomes an outcome of the relay's vocabulary. */
    private static Refused refused(TargetConfig relay, MessagingException e) {
        String where = relay.name() + " (" + relay.host() + ":" + relay.port() + ")";
        if (e instanceof AuthenticationFailedException) {
            return new Refused(Outcome.AUTH_REJECTED, reply(e), "the relay " + where + " refused the login of "
                    + relay.auth().username() + "; check the relay's auth.username and password file", e);
        }
        SMTPSenderFailedException sender = find(e, SMTPSenderFailedException.class);
        if (sender != null) {
            return new Refused(Outcome.SENDER_REJECTED, reply(sender), "the relay " + where + " refused the sender "
                    + sender.getAddress() + "; mail_from must be an address the relay lets this login send as", e);
        }
        SMTPAddressFailedException recipient = find(e, SMTPAddressFailedException.class);
        if (recipient != null) {
            return new Refused(Outcome.RECIPIENT_REJECTED, reply(recipient), "the relay " + where
                    + " refused the recipient " + recipient.getAddress(), e);
        }
        SMTPSendFailedException sendFailed = find(e, SMTPSendFailedException.class);
        if (sendFailed != null) {
            // Refused at DATA or after it (RFC 5321 section 4.2.5): a policy the relay's check, which stops
            // before DATA, cannot see.
            return new Refused(null, reply(sendFailed), "the relay " + where + " refused the message at "
                    + sendFailed.getCommand().trim() + ": " + reply(sendFailed), e);
        }
        if (find(e, SSLException.class) != null) {
            return new Refused(Outcome.TLS_HANDSHAKE_FAILED, null, "TLS with the relay " + where + " failed: "
                    + find(e, SSLException.class).getMessage(), e);
        }
        if (find(e, ConnectException.class) != null) {
            return new Refused(Outcome.TCP_REFUSED, null, "the relay " + where + " refused the connection", e);
        }
        if (find(e, SocketTimeoutException.class) != null) {
            return new Refused(Outcome.DEADLINE_EXCEEDED, null, "the relay " + where + " did not answer in time", e);
        }
        return new Refused(Outcome.PROTOCOL_ERROR, reply(e), "sending through the relay " + where + " failed: "
                + firstLine(e.getMessage()), e);
    }

    private static String reply(MessagingException e) {
        return firstLine(e.getMessage());
    }

    private static String firstLine(String text) {
        if (text == null) {
            return null;
        }
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).strip();
    }
}
