package io.smtpprobe.probe.tls;

import io.smtpprobe.probe.TlsInfo;
import io.smtpprobe.probe.net.ConversationSocket;
import io.smtpprobe.probe.net.ReplyLimits;
import io.smtpprobe.probe.net.Transcript;
import io.smtpprobe.probe.step.CauseChain;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The TLS layer of one probe, handed to Angus Mail as {@code mail.smtp.ssl.socketFactory} for
 * STARTTLS and used directly for smtps. It layers TLS over the {@code DeadlineSocket}, so the
 * deadline and caps keep holding, names the target host (not the IP) for SNI and the certificate
 * check, runs the handshake itself (the {@link CertificateCheck} decides whether a certificate that
 * fails verification fails it) and hands Angus a {@link ConversationSocket} over the TLS socket: not
 * an {@code SSLSocket}, so Angus neither handshakes again nor checks the name its own way. It
 * remembers the session for {@link TlsInfo}. The JDK's TLS context behind it is made at the first TLS
 * socket: most probes of a VM whose port 25 is blocked never get that far, and 500 of them waiting for
 * their SYNs held 500 unused contexts.
 */
public final class TlsSocketFactory extends SSLSocketFactory {
    /** RFC 6125 matching as the JDK does it for LDAPS; the same algorithm Angus Mail selects. */
    static final String IDENTIFICATION_ALGORITHM = "LDAPS";

    /** Makes the context; called at most once, when TLS starts. */
    public interface ContextSource {
        SSLContext make() throws GeneralSecurityException;
    }

    private final ContextSource source;
    private SSLSocketFactory delegate;
    private final String expectedHost;
    private final boolean verifyHostname;
    private final ReplyLimits limits;
    private final CertificateCheck check;
    private final Transcript transcript;
    private SSLSocket socket;
    private boolean established;

    /**
     * @param source makes the context; its trust must be {@code check}
     * @param transcript where to note the TLS session, or null
     */
    public TlsSocketFactory(ContextSource source, String expectedHost, boolean verifyHostname, ReplyLimits limits,
            CertificateCheck check, Transcript transcript) {
        this.source = source;
        this.expectedHost = expectedHost;
        this.verifyHostname = verifyHostname;
        this.limits = limits;
        this.check = check;
        this.transcript = transcript;
    }

    /** Layers TLS over {@code plain} (the connection under it, if it is a conversation socket) and handshakes. */
    @Override
    public Socket createSocket(Socket plain, String host, int port, boolean autoClose) throws IOException {
        SSLSocket ssl;
        synchronized (this) {
            ssl = (SSLSocket) delegate().createSocket(ConversationSocket.unwrap(plain), expectedHost, port, autoClose);
            limits.tlsStarted();
            SSLParameters parameters = ssl.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm(verifyHostname ? IDENTIFICATION_ALGORITHM : null);
            ssl.setSSLParameters(parameters);
            socket = ssl;
        }
        try {
            ssl.startHandshake();
        } catch (IOException e) {
            if (transcript != null) {
                String problem = check.verifyError();
                transcript.note("TLS handshake failed: " + (check.enforced() && !check.verified() && problem != null
                        && !problem.equals("no certificate was checked") ? "certificate rejected (" + problem + ")"
                        : CauseChain.message(e)));
            }
            throw e;
        }
        synchronized (this) {
            established = true;
        }
        if (transcript != null) {
            SSLSession session = ssl.getSession();
            transcript.note("TLS established: " + session.getProtocol() + ", " + session.getCipherSuite() + ", "
                    + (check.verified() ? "certificate verified"
                    : "certificate not verified (" + check.verifyError() + ")"
                    + (check.enforced() ? "" : "; the session continues, as opportunistic TLS allows")));
        }
        return new ConversationSocket(ssl, transcript);
    }

    private synchronized SSLSocketFactory delegate() throws SSLException {
        if (delegate == null) {
            try {
                delegate = source.make().getSocketFactory();
            } catch (GeneralSecurityException e) {
                // The trust was loaded in the probe's setup; what is left to fail is the JDK's own TLS provider.
                throw new SSLException("cannot set up TLS: " + e.getMessage(), e);
            }
        }
        return delegate;
    }

    public synchronized boolean established() {
        return established;
    }

    /** The negotiated session, or null when no handshake completed. */
    public synchronized TlsInfo info() {
        if (!established) {
            return null;
        }
        SSLSession session = socket.getSession();
        String subject = null;
        java.time.Instant expiry = null;
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
                subject = leaf.getSubjectX500Principal().getName();
                expiry = leaf.getNotAfter().toInstant();
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            // An anonymous session has no certificate to report.
        }
        return new TlsInfo(session.getProtocol(), session.getCipherSuite(), subject, expiry, check.verified(),
                check.verified() ? null : check.verifyError());
    }

    @Override
    public String[] getDefaultCipherSuites() {
        try {
            return delegate().getDefaultCipherSuites();
        } catch (SSLException e) {
            return new String[0];
        }
    }

    @Override
    public String[] getSupportedCipherSuites() {
        try {
            return delegate().getSupportedCipherSuites();
        } catch (SSLException e) {
            return new String[0];
        }
    }

    // Refused on purpose, not unfinished: a probe always layers TLS over the connected DeadlineSocket
    // it made and timed itself. A factory that opened its own connections would let TLS bypass the
    // probe's deadline and reply caps, so the API's connecting variants must never be used.
    @Override
    public Socket createSocket(String host, int port) {
        throw new UnsupportedOperationException("probes layer TLS over their own connected socket");
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
        throw new UnsupportedOperationException("probes layer TLS over their own connected socket");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) {
        throw new UnsupportedOperationException("probes layer TLS over their own connected socket");
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
        throw new UnsupportedOperationException("probes layer TLS over their own connected socket");
    }
}
