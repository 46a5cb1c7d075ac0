package io.smtpprobe.delivery;

import java.util.Locale;

/** How one delivery probe ended (smtp-probe.yml(5), "Delivery targets"). */
public enum DeliveryOutcome {
    /** The message was found in the mailbox within {@code delivery_timeout}. */
    DELIVERED,
    /** The relay took the message, but it was not in the mailbox when {@code delivery_timeout} passed. */
    NOT_DELIVERED,
    /** The relay's own check failed, or it refused the message: nothing arrived because nothing was accepted. */
    SUBMIT_FAILED,
    /** The mailbox could not be read: IMAP connect, TLS or login failed. Nothing was sent. */
    MAILBOX_FAILED,
    /** A message was sent less than {@code interval} ago (the state file says when): none is sent now. */
    NOT_DUE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
