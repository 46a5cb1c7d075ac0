package io.smtpprobe.probe;

import java.net.SocketTimeoutException;

/** A read was about to start after the probe's deadline had passed. */
final class DeadlineExceededException extends SocketTimeoutException {
    DeadlineExceededException() {
        super("probe deadline passed");
    }
}
