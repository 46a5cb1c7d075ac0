package io.smtpprobe.probe.smtp;

import jakarta.mail.MessagingException;

/** Credentials are configured but the server offers no AUTH mechanism we use, over TLS. */
public final class AuthUnavailableException extends MessagingException {
    AuthUnavailableException(String message) {
        super(message);
    }
}
