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
    private volatile String contentType = "text/plain";
    private volatile boolean holdOpen;
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    private PolicyHttpsServer(SSLContext tls) throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/.well-known/mta-sts.txt", exchange -> {
            fetches.incrementAndGet();
            byte[] body = policy.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
            if (status == 200) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                    if (holdOpen) {
                        out.flush(); // the whole body is sent; the connection stays open until the server stops
                        try {
                            closed.await(60, java.util.concurrent.TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
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

    /** Keeps each connection open after the whole body (with its Content-Length) is sent. */
    public PolicyHttpsServer holdOpen() {
        holdOpen = true;
        return this;
    }

    /** Serves the policy with this media type (text/plain is RFC 8461's). */
    public PolicyHttpsServer contentType(String type) {
        contentType = type;
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
        closed.countDown();
        server.stop(0);
    }
}
