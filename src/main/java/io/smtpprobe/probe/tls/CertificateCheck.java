package io.smtpprobe.probe.tls;

import io.smtpprobe.probe.step.CauseChain;
import java.net.Socket;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Checks the server certificate of one probe's TLS handshake with the configured trust (the system
 * store or {@code tls.ca_file}) and, through the socket's endpoint identification, the host name, as
 * the JDK does it. Where verification is enforced a failure fails the handshake, as before. Where it
 * is not (port 25 with {@code starttls: opportunistic}: RFC 7435 opportunistic TLS, which MTAs such
 * as Postfix at its default {@code may} level practise) the failure is recorded and the handshake
 * goes on, so the conversation still shows what the server does. One instance per probe.
 */
public final class CertificateCheck extends X509ExtendedTrustManager {
    /** {@code verify_error} when {@code tls.insecure_skip_verify} turned checking off. */
    public static final String SKIPPED = "not checked: tls.insecure_skip_verify is set";

    private final X509ExtendedTrustManager trust;
    private final String host;
    private final boolean enforced;
    private final boolean skipped;
    private volatile boolean checked;
    private volatile String problem;

    /**
     * @param trust the configured trust managers (one of them an {@link X509ExtendedTrustManager})
     * @param host the name the certificate must carry
     * @param enforced whether a failed check fails the handshake
     * @param skipped whether {@code trust} accepts anything on the operator's request
     */
    public CertificateCheck(TrustManager[] trust, String host, boolean enforced, boolean skipped) {
        this.trust = extended(trust);
        this.host = host;
        this.enforced = enforced;
        this.skipped = skipped;
    }

    private static X509ExtendedTrustManager extended(TrustManager[] managers) {
        for (TrustManager manager : managers) {
            if (manager instanceof X509ExtendedTrustManager extended) {
                return extended;
            }
        }
        // The JDK's PKIX trust managers are all extended; anything else would skip the host name check.
        throw new IllegalArgumentException("no X509ExtendedTrustManager among the configured trust managers");
    }

    boolean enforced() {
        return enforced;
    }

    /** Whether the certificate passed: false when it failed, was not checked, or no handshake got that far. */
    boolean verified() {
        return checked && problem == null && !skipped;
    }

    /** Why the certificate did not pass, shortly ("self-signed"); null when it did. */
    String verifyError() {
        if (skipped) {
            return SKIPPED;
        }
        return checked ? problem : "no certificate was checked";
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checked = true;
        try {
            trust.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            failed(e, chain);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checked = true;
        try {
            trust.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            failed(e, chain);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checked = true;
        try {
            trust.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            failed(e, chain);
        }
    }

    private void failed(CertificateException failure, X509Certificate[] chain) throws CertificateException {
        problem = describe(failure, chain, host);
        if (enforced) {
            throw failure;
        }
    }

    /** A short reason: "self-signed", "untrusted issuer (CN=...)", "expired on ...", a name mismatch. */
    static String describe(CertificateException failure, X509Certificate[] chain, String host) {
        X509Certificate leaf = chain.length > 0 ? chain[0] : null;
        CertificateExpiredException expired = CauseChain.find(failure, CertificateExpiredException.class);
        if (expired != null) {
            return leaf == null ? "expired" : "expired on " + leaf.getNotAfter().toInstant().atZone(ZoneOffset.UTC)
                    .toLocalDate();
        }
        if (CauseChain.find(failure, CertificateNotYetValidException.class) != null) {
            return leaf == null ? "not yet valid" : "not valid before " + leaf.getNotBefore().toInstant()
                    .atZone(ZoneOffset.UTC).toLocalDate();
        }
        if (CauseChain.find(failure, CertPathBuilderException.class) != null) {
            if (leaf != null && chain.length == 1 && leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
                return "self-signed";
            }
            return leaf == null ? "untrusted issuer" : "untrusted issuer (" + leaf.getIssuerX500Principal().getName() + ")";
        }
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        // The JDK's host name check: "No subject alternative DNS name matching x found.", "No name matching
        // x found", "No subject alternative names present".
        if (lower.startsWith("no subject alternative") || lower.startsWith("no name matching")) {
            return "certificate name does not match " + host;
        }
        return message.isEmpty() ? "the certificate did not verify" : message;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a probe is a TLS client; it checks no client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a probe is a TLS client; it checks no client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a probe is a TLS client; it checks no client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return trust.getAcceptedIssuers();
    }
}
