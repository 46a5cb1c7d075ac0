package io.smtpprobe.testing;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * An HTTPS server on 127.0.0.1 that serves an MTA-STS policy at {@code /.well-known/mta-sts.txt}
 * (RFC 8461 section 3.3), with a test certificate, counting the fetches. The policy text and the status
 * can be changed while it runs.
 */
public final class PolicyHttpsServer implements AutoCloseable {
    private final HttpsServer server;
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile String policy = "";
    private volatile int status = 200;

    private PolicyHttpsServer(SSLContext tls) throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/.well-known/mta-sts.txt", exchange -> {
            fetches.incrementAndGet();
            byte[] body = policy.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
            if (status == 200) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    /** A server whose certificate comes from {@code tls} (for {@code mta-sts.<domain>}). */
    public static PolicyHttpsServer start(SSLContext tls) throws IOException {
        return new PolicyHttpsServer(tls);
    }

    public PolicyHttpsServer policy(String text) {
        policy = text;
        return this;
    }

    /** Answers every fetch with this HTTP status (200: the policy). */
    public PolicyHttpsServer status(int code) {
        status = code;
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public int fetches() {
        return fetches.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
