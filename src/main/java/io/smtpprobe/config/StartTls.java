package io.smtpprobe.config;

/** Whether a probe upgrades a plain connection with STARTTLS (RFC 3207). */
public enum StartTls {
    /** Upgrade when the server offers it; carry on in plain text when it does not. */
    OPPORTUNISTIC,
    /** Upgrade, or fail with {@code starttls_unavailable}. */
    REQUIRED,
    /** Never upgrade. */
    OFF
}
