package io.smtpprobe.delivery;

/** The mailbox could not be read; the message says which step failed and what to check. */
final class MailboxFailedException extends Exception {
    MailboxFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
