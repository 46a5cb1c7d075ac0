package io.smtpprobe.probe;

import io.smtpprobe.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** Builds the TLS client context a target's {@link TlsConfig} asks for. */
final class TlsContexts {
    private TlsContexts() {}

    /**
     * Loads JSSE and the system trust store once. Later contexts reuse the JDK's cached trust store
     * (about 1 ms); each probe still builds its own, so no TLS session is resumed across probes and
     * every handshake checks the certificate afresh. A failure here is reported by the probes.
     */
    static void warmUp() {
        try {
            forConfig(TlsConfig.DEFAULT);
        } catch (TlsSetupException e) {
            // Every probe that needs the system trust store reports it, per target.
        }
    }

    /**
     * The system trust store by default, or only the CAs of {@code tls.ca_file}, or (with
     * {@code tls.insecure_skip_verify}) no verification at all.
     *
     * @throws TlsSetupException when the CA file cannot be read or holds no certificate: a local fault
     */
    static SSLContext forConfig(TlsConfig tls) throws TlsSetupException {
        try {
            TrustManager[] trust;
            if (tls.insecureSkipVerify()) {
                trust = new TrustManager[] {new AcceptAnything()};
            } else {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(tls.caFile() == null ? null : caStore(tls));
                trust = factory.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static KeyStore caStore(TlsConfig tls) throws TlsSetupException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(tls.caFile())) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new TlsSetupException("cannot read tls.ca_file " + tls.caFile() + ": " + e
                    + "; check the path and that the agent may read it", e);
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException("tls.ca_file " + tls.caFile() + " is not a PEM certificate bundle: "
                    + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new TlsSetupException("tls.ca_file " + tls.caFile() + " holds no certificate", null);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new TlsSetupException("cannot create an in-memory trust store: " + e, e);
        }
        int i = 0;
        for (Certificate certificate : certificates) {
            store.setCertificateEntry("ca-" + i++, certificate);
        }
        return store;
    }

    /** {@code tls.insecure_skip_verify}: the operator asked for no checks, and was warned at load. */
    private static final class AcceptAnything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
