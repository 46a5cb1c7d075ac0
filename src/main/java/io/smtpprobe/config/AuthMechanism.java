package io.smtpprobe.config;

import java.util.Locale;

/** SASL mechanisms a probe may use (RFC 4954). {@link #AUTO} lets the server's EHLO choose. */
public enum AuthMechanism {
    AUTO,
    PLAIN,
    LOGIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
