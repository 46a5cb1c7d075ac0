package io.smtpprobe.probe;

import jakarta.mail.MessagingException;

/** Credentials are configured but the server offers no AUTH mechanism we use, over TLS. */
final class AuthUnavailableException extends MessagingException {
    AuthUnavailableException(String message) {
        super(message);
    }
}
