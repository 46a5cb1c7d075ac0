package io.smtpprobe.probe;

import java.net.SocketTimeoutException;

/** A read or write was about to start, or a read returned, after the probe's deadline had passed. */
final class DeadlineExceededException extends SocketTimeoutException {
    DeadlineExceededException() {
        super("probe deadline passed");
    }
}
