package io.smtpprobe.probe.smtp;

import jakarta.mail.MessagingException;

/** The server answered a command of ours with a code other than the ones that mean success. */
public final class ReplyRejectedException extends MessagingException {
    private final int code;

    ReplyRejectedException(String command, int code) {
        super(command + " answered with " + code);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
