package io.smtpprobe.probe;

import jakarta.mail.MessagingException;

/** The server answered a command of ours with a code other than the ones that mean success. */
final class ReplyRejectedException extends MessagingException {
    private final int code;

    ReplyRejectedException(String command, int code) {
        super(command + " answered with " + code);
        this.code = code;
    }

    int code() {
        return code;
    }
}
