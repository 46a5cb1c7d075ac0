package io.smtpprobe.probe.tls;

import io.smtpprobe.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the TLS client context a target's {@link TlsConfig} asks for. Each probe that starts TLS gets
 * a context of its own, so no TLS session is resumed across probes and every handshake checks the
 * certificate afresh. What is shared is the parsed trust: a {@code tls.ca_file} is read again only when its size
 * or modification time changed, not at every probe (parsing a PEM bundle was a tenth of the CPU of a
 * STARTTLS probe). Thread-safe; one instance per prober.
 */
public final class TlsContexts {
    /** What identifies one version of a CA file; a rewritten file differs in one of them. */
    private record Stamp(long size, FileTime modified) {}

    private record Trust(Stamp stamp, TrustManager[] managers) {}

    private final Map<Path, Trust> caFiles = new ConcurrentHashMap<>();

    /**
     * Loads JSSE and the system trust store once, before the first probe's deadline runs. Later
     * contexts reuse the JDK's cached trust store. A failure here is reported by the probes.
     */
    public void warmUp() {
        try {
            forConfig(TlsConfig.DEFAULT);
        } catch (TlsSetupException e) {
            // Every probe that needs the system trust store reports it, per target.
        }
    }

    /** A context with this configuration's trust: see {@link #trust}. */
    SSLContext forConfig(TlsConfig tls) throws TlsSetupException {
        try {
            return newContext(trust(tls));
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /**
     * The trust a target's TLS checks certificates against: the system trust store by default, or only
     * the CAs of {@code tls.ca_file}, or (with {@code tls.insecure_skip_verify}) no verification at all.
     * Probes ask for it in their setup, so a bad CA file is reported as the local fault it is; the
     * context itself is made only when a probe starts TLS ({@link #newContext}).
     *
     * @throws TlsSetupException when the CA file cannot be read or holds no certificate: a local fault
     */
    public TrustManager[] trust(TlsConfig tls) throws TlsSetupException {
        try {
            if (tls.insecureSkipVerify()) {
                return new TrustManager[] {new AcceptAnything()};
            }
            return tls.caFile() == null ? trustManagers(null) : caFileTrust(tls.caFile());
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** A fresh context (its own, empty session cache: nothing is resumed) over the given trust. */
    public static SSLContext newContext(TrustManager[] trust) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust, null);
        return context;
    }

    private TrustManager[] caFileTrust(Path file) throws TlsSetupException, GeneralSecurityException {
        Stamp stamp = stamp(file);
        Trust known = caFiles.get(file);
        if (known != null && known.stamp().equals(stamp)) {
            return known.managers();
        }
        TrustManager[] managers = trustManagers(caStore(file));
        if (stamp != null) {
            caFiles.put(file, new Trust(stamp, managers));
        }
        return managers;
    }

    /** The file's size and modification time; null when it cannot be read (then caStore says why). */
    private static Stamp stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.size(), attributes.lastModifiedTime());
        } catch (IOException e) {
            return null;
        }
    }

    private static TrustManager[] trustManagers(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static KeyStore caStore(Path caFile) throws TlsSetupException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new TlsSetupException("cannot read tls.ca_file " + caFile + ": " + e
                    + "; check the path and that the agent may read it", e);
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException("tls.ca_file " + caFile + " is not a PEM certificate bundle: "
                    + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new TlsSetupException("tls.ca_file " + caFile + " holds no certificate", null);
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
