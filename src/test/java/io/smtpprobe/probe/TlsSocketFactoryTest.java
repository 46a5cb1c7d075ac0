package io.smtpprobe.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** The TLS context of a probe is made when TLS starts, once, and never for a probe that does not get there. */
class TlsSocketFactoryTest {
    @Test
    void makesNoContextForAProbeThatNeverStartsTls() {
        AtomicInteger made = new AtomicInteger();
        TlsSocketFactory factory = new TlsSocketFactory(() -> {
            made.incrementAndGet();
            return SSLContext.getDefault();
        }, "mail.test", true, new ReplyLimits());

        assertThat(factory.established()).isFalse();
        assertThat(factory.info()).isNull();
        assertThat(made).hasValue(0);
    }

    @Test
    void makesTheContextOnceWhenTlsStarts() throws Exception {
        AtomicInteger made = new AtomicInteger();
        TlsSocketFactory factory = new TlsSocketFactory(() -> {
            made.incrementAndGet();
            return SSLContext.getDefault();
        }, "mail.test", true, new ReplyLimits());
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            factory.createSocket(plain, "127.0.0.1", server.getLocalPort(), false);
            factory.createSocket(plain, "127.0.0.1", server.getLocalPort(), false);
        }
        assertThat(made).hasValue(1);
    }
}
