package io.smtpprobe.probe.step;

import java.net.SocketTimeoutException;

/** A read or write was about to start, or a read returned, after the probe's deadline had passed. */
public final class DeadlineExceededException extends SocketTimeoutException {
    public DeadlineExceededException() {
        super("probe deadline passed");
    }
}
