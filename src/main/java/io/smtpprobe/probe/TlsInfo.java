package io.smtpprobe.probe;

import java.time.Instant;

/**
 * What the TLS session of a probe negotiated, the server certificate it presented, and whether that
 * certificate passed verification (trusted chain, valid now, the host's name).
 *
 * @param verified whether the certificate passed; false in an opportunistic session that went on
 *     without it, or when verification was turned off
 * @param verifyError why it did not pass, shortly ("self-signed", "certificate name does not match
 *     mx.example.test"); null when verified
 */
public record TlsInfo(String version, String cipher, String certificateSubject, Instant certificateExpiry,
        boolean verified, String verifyError) {

    /** A session whose certificate passed verification. */
    public TlsInfo(String version, String cipher, String certificateSubject, Instant certificateExpiry) {
        this(version, cipher, certificateSubject, certificateExpiry, true, null);
    }
}
