package io.smtpprobe.probe.smtp;

import jakarta.mail.MessagingException;

/** TLS was required but the server does not offer STARTTLS (RFC 3207 section 4). */
public final class StartTlsUnavailableException extends MessagingException {
    StartTlsUnavailableException(String message) {
        super(message);
    }
}
