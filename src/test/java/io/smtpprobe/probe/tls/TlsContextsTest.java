package io.smtpprobe.probe.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprobe.config.TlsConfig;
import io.smtpprobe.testing.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust of a {@code tls.ca_file} is parsed once and kept while the file is unchanged, and read
 * again as soon as it changes. Proved with real handshakes against a loopback TLS server whose
 * certificate one CA signed and the other did not.
 */
class TlsContextsTest {
    @TempDir
    Path dir;

    private TestCertificates serverCa;
    private TestCertificates otherCa;
    private SSLServerSocket server;
    private Thread acceptor;

    @BeforeEach
    void startServer() throws Exception {
        serverCa = TestCertificates.authority("the server's CA");
        otherCa = TestCertificates.authority("another CA");
        server = (SSLServerSocket) serverCa.serverContext("localhost").getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (SSLSocket peer = (SSLSocket) server.accept()) {
                    peer.startHandshake();
                    peer.getInputStream().read(); // until the client closes
                } catch (IOException e) {
                    // a client that refused our certificate, or the server closing: take the next one
                }
            }
        }, "tls-contexts-test-server");
        acceptor.start();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
        acceptor.join(5_000);
    }

    @Test
    void keepsTheParsedCaFileWhileItsSizeAndTimeAreUnchanged() throws Exception {
        Path caFile = serverCa.writeCaPem(dir.resolve("ca.pem"));
        TlsContexts contexts = new TlsContexts();
        TlsConfig config = new TlsConfig(caFile, false);
        handshake(contexts.forConfig(config));

        // Same length, same modification time, different bytes: only a re-read would notice.
        FileTime modified = Files.getLastModifiedTime(caFile);
        Files.write(caFile, new byte[(int) Files.size(caFile)]);
        Files.setLastModifiedTime(caFile, modified);

        handshake(contexts.forConfig(config));
    }

    @Test
    void readsTheCaFileAgainWhenItChanges() throws Exception {
        Path caFile = serverCa.writeCaPem(dir.resolve("ca.pem"));
        TlsContexts contexts = new TlsContexts();
        TlsConfig config = new TlsConfig(caFile, false);
        handshake(contexts.forConfig(config));

        otherCa.writeCaPem(caFile);
        Files.setLastModifiedTime(caFile, FileTime.fromMillis(Files.getLastModifiedTime(caFile).toMillis() + 2_000));

        SSLContext afterChange = contexts.forConfig(config);
        assertThatThrownBy(() -> handshake(afterChange)).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void reportsAnUnreadableCaFileAtEveryAttemptUntilItAppears() throws Exception {
        Path caFile = dir.resolve("later.pem");
        TlsContexts contexts = new TlsContexts();
        TlsConfig config = new TlsConfig(caFile, false);
        assertThatThrownBy(() -> contexts.forConfig(config)).isInstanceOf(TlsSetupException.class)
                .hasMessageContaining("cannot read tls.ca_file " + caFile);

        serverCa.writeCaPem(caFile);
        handshake(contexts.forConfig(config));
    }

    private void handshake(SSLContext context) throws IOException {
        try (SSLSocket client = (SSLSocket) context.getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            client.setSoTimeout(10_000);
            client.startHandshake();
            assertThat(client.getSession().getPeerCertificates()).isNotEmpty();
        }
    }
}
