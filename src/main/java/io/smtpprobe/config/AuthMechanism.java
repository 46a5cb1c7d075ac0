package io.smtpprobe.config;

import java.util.Locale;

/**
 * SASL mechanisms a probe may use (RFC 4954). {@link #AUTO} lets the server's EHLO choose between
 * PLAIN and LOGIN; {@link #XOAUTH2} sends an OAuth 2.0 bearer token (Microsoft 365, Gmail) obtained
 * as {@code auth.oauth} describes.
 */
public enum AuthMechanism {
    AUTO,
    PLAIN,
    LOGIN,
    XOAUTH2;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
