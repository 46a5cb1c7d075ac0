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
 * @param fallback {@code plaintext} when the STARTTLS handshake failed and the probe retried without TLS, as
 *     MTAs do with opportunistic TLS (revision 3); null otherwise
 * @param handshakeError with a fallback, why the handshake failed; null otherwise
 */
public record TlsInfo(String version, String cipher, String certificateSubject, Instant certificateExpiry,
        boolean verified, String verifyError, String fallback, String handshakeError) {

    /** The {@link #fallback} value of a session that went on without TLS. */
    public static final String PLAINTEXT = "plaintext";

    /** A negotiated session. */
    public TlsInfo(String version, String cipher, String certificateSubject, Instant certificateExpiry,
            boolean verified, String verifyError) {
        this(version, cipher, certificateSubject, certificateExpiry, verified, verifyError, null, null);
    }

    /** A session whose certificate passed verification. */
    public TlsInfo(String version, String cipher, String certificateSubject, Instant certificateExpiry) {
        this(version, cipher, certificateSubject, certificateExpiry, true, null);
    }

    /** No session: the handshake failed and the conversation was retried without STARTTLS. */
    public static TlsInfo plaintextFallback(String handshakeError) {
        return new TlsInfo(null, null, null, null, false, null, PLAINTEXT, handshakeError);
    }
}
