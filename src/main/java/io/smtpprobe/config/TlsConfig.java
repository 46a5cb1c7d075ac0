package io.smtpprobe.config;

import java.nio.file.Path;

/**
 * How a target's server certificate is checked.
 *
 * @param caFile a PEM bundle to trust instead of the system store, or null
 * @param insecureSkipVerify accept any certificate and name (warned about on every load)
 */
public record TlsConfig(Path caFile, boolean insecureSkipVerify) {
    public static final TlsConfig DEFAULT = new TlsConfig(null, false);
}
