package io.smtpprobe.probe.net;

import java.io.IOException;

/** The server sent more than {@link ReplyLimits} allows: not an SMTP server we can talk to. */
public final class ReplyLimitExceededException extends IOException {
    ReplyLimitExceededException(String message) {
        super(message);
    }
}
