package io.smtpprobe.delivery;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;

/**
 * The message a delivery probe sends: {@code Subject: smtp-probe delivery <token>}, {@code Auto-Submitted:
 * auto-generated} so that no vacation responder answers it (RFC 3834 section 5), the token again in
 * {@code X-Smtp-Probe-Token} for finding it, and a two-line text body saying what it is.
 */
final class ProbeMessage {
    static final String SUBJECT_PREFIX = "smtp-probe delivery ";
    static final String TOKEN_HEADER = "X-Smtp-Probe-Token";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ProbeMessage() {}

    /** A fresh token: 16 random bytes in hex, so no two probes anywhere share one. */
    static String newToken() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static MimeMessage build(Session session, String from, String to, String target, String token, Instant sent)
            throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(SUBJECT_PREFIX + token, "US-ASCII");
        message.setSentDate(Date.from(sent));
        message.setHeader("Auto-Submitted", "auto-generated");
        message.setHeader(TOKEN_HEADER, token);
        message.setText("This message was sent by smtp-probe's delivery target " + target + " to measure delivery.\r\n"
                + "It deletes it once found; nothing needs to be done with it.\r\n", "US-ASCII");
        return message;
    }

    /** The token of a probe message, or null when the message is not one (never touch other mail). */
    static String tokenOf(Message message) throws MessagingException {
        String[] tokens = message.getHeader(TOKEN_HEADER);
        String subject = message.getSubject();
        if (tokens == null || tokens.length != 1 || subject == null || !subject.startsWith(SUBJECT_PREFIX)) {
            return null;
        }
        return subject.equals(SUBJECT_PREFIX + tokens[0].trim()) ? tokens[0].trim() : null;
    }
}
