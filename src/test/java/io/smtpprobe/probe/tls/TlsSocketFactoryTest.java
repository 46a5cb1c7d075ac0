package io.smtpprobe.probe.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprobe.probe.net.ReplyLimits;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** The TLS context of a probe is made when TLS starts, once, and never for a probe that does not get there. */
class TlsSocketFactoryTest {
    @Test
    void makesNoContextForAProbeThatNeverStartsTls() throws Exception {
        AtomicInteger made = new AtomicInteger();
        TlsSocketFactory factory = factory(() -> {
            made.incrementAndGet();
            return SSLContext.getDefault();
        }, "mail.test");

        assertThat(factory.established()).isFalse();
        assertThat(factory.info()).isNull();
        assertThat(made).hasValue(0);
    }

    @Test
    void makesTheContextOnceWhenTlsStarts() throws Exception {
        AtomicInteger made = new AtomicInteger();
        TlsSocketFactory factory = factory(() -> {
            made.incrementAndGet();
            return SSLContext.getDefault();
        }, "mail.test");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            // The peer hangs up: both handshakes fail at once, and neither makes a second context.
            accepted.close();
            assertThatThrownBy(() -> factory.createSocket(plain, "127.0.0.1", server.getLocalPort(), false))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> factory.createSocket(plain, "127.0.0.1", server.getLocalPort(), false))
                    .isInstanceOf(IOException.class);
        }
        assertThat(made).hasValue(1);
    }

    /** A factory checking certificates against the system trust store, enforced, as submission does. */
    static TlsSocketFactory factory(TlsSocketFactory.ContextSource source, String host) throws Exception {
        CertificateCheck check = new CertificateCheck(new TlsContexts().trust(io.smtpprobe.config.TlsConfig.DEFAULT),
                host, true, false);
        return new TlsSocketFactory(source, host, true, new ReplyLimits(), check, null);
    }
}
