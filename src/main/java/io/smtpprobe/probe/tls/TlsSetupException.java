package io.smtpprobe.probe.tls;

/** The local TLS setup failed (an unreadable CA file): a fault on this machine, not the peer's. */
public final class TlsSetupException extends Exception {
    TlsSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
