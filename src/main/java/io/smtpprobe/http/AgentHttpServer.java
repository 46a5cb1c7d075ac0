package io.smtpprobe.http;

import io.smtpprobe.daemon.FrontEnd;
import io.smtpprobe.daemon.RunningAgent;
import io.smtpprobe.engine.EventLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The daemon's HTTP endpoints on Jetty's core server (no servlets):
 * {@code GET /metrics} (Prometheus text or OpenMetrics by Accept), {@code GET /status} (the JSON of
 * {@code check --output json}), {@code GET /-/healthy}, {@code GET /-/ready} (503 until every target has
 * been probed once) and {@code POST /-/reload}, behind the TLS and basic authentication of
 * {@code --web.config.file} when one is given. No endpoint takes an address, a host name or a URL from
 * the request: nothing a client sends can make the agent connect anywhere.
 *
 * <p>Why Jetty rather than the JDK's server: the JDK's reads a request head on a pool thread, blocking, so
 * two clients trickling a byte a second took both threads and stalled every scrape (issue 14). Jetty parses
 * heads and bodies as bytes arrive and writes answers asynchronously; a connection costs a socket and a
 * few objects, never a thread, whatever the client does. {@link RequestLimits} caps the rest.
 */
public final class AgentHttpServer implements FrontEnd {
    /**
     * Threads of the pool: one selector, one acceptor, and the rest run handlers, none of which waits on a
     * client. More than three so that a slow reload (a config file on a hung mount) leaves scrapes a thread.
     */
    static final int MAX_THREADS = 7;

    private final Server server;
    private final ServerConnector connector;
    private final EventLog log;
    private final BcryptChecks bcrypt = new BcryptChecks();

    /**
     * Binds and starts serving plain HTTP without authentication, and registers itself to be closed when
     * the agent shuts down.
     *
     * @param listenAddress {@code web.listen_address} or the {@code --web.listen-address} flag
     * @throws UncheckedIOException when the address cannot be bound, with the address and how to fix it
     */
    public AgentHttpServer(String listenAddress, RunningAgent agent, EventLog log) {
        this(listenAddress, WebConfigFile.NONE, agent, log);
    }

    /**
     * As above, with the TLS, users and headers of a {@code --web.config.file}.
     *
     * @param web {@link WebConfigFile#NONE} for plain HTTP without authentication
     */
    public AgentHttpServer(String listenAddress, WebConfigFile web, RunningAgent agent, EventLog log) {
        this(listenAddress, null, web, Map.of(), RequestLimits.DEFAULT, agent, log);
    }

    /**
     * As above, its users and headers following {@code webFile} as it changes ({@link WebConfigReloader}).
     *
     * @param web what {@code webFile} held at start, already checked
     */
    public AgentHttpServer(String listenAddress, Path webFile, WebConfigFile web, RunningAgent agent, EventLog log) {
        this(listenAddress, webFile, web, Map.of(), RequestLimits.DEFAULT, agent, log);
    }

    /** As above, with {@code ${VAR}} in the web config's paths read again from {@code environment} at each change. */
    public AgentHttpServer(String listenAddress, Path webFile, WebConfigFile web, Map<String, String> environment,
            RunningAgent agent, EventLog log) {
        this(listenAddress, webFile, web, environment, RequestLimits.DEFAULT, agent, log);
    }

    AgentHttpServer(String listenAddress, WebConfigFile web, RequestLimits limits, RunningAgent agent, EventLog log) {
        this(listenAddress, null, web, Map.of(), limits, agent, log);
    }

    private AgentHttpServer(String listenAddress, Path webFile, WebConfigFile web, Map<String, String> environment,
            RequestLimits limits, RunningAgent agent, EventLog log) {
        this.log = log;
        InetSocketAddress address = ListenAddress.parse(listenAddress);
        // All of them from the start: a pool that grows under load makes a thread count that drifts with
        // traffic, where a fixed one shows a leak at once.
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MAX_THREADS);
        threads.setName("smtp-probe-http");
        threads.setDaemon(true);
        threads.setReservedThreads(0);
        // Buffers are not pooled: a pool keeps its largest buffers for the life of the process, and a scrape
        // every 15 s gains nothing from reusing them. Heap buffers, so that -Xmx bounds them too.
        server = new Server(threads, null, new ByteBufferPool.NonPooling());
        HttpConfiguration http = new HttpConfiguration();
        limits.applyTo(http);
        if (web.tls() != null) {
            // No SNI host check: a fleet's Prometheus scrapes each agent by its private address (the Host header)
            // with tls_config.server_name naming the one certificate name all agents share (dashboards/FLEET.md).
            // Jetty's default check answered every such scrape 400; exporter-toolkit makes no such check.
            http.addCustomizer(new org.eclipse.jetty.server.SecureRequestCustomizer(false));
        }
        HttpConnectionFactory httpFactory = new HttpConnectionFactory(http);
        httpFactory.addEventListener(new RequestLimits.HeadDeadline(server.getScheduler(), limits.headerDeadline()));
        ConnectionFactory[] factories = web.tls() == null ? new ConnectionFactory[] {httpFactory}
                : new ConnectionFactory[] {new SslConnectionFactory(sslContextFactory(web.tls()), "http/1.1"),
                    httpFactory};
        // An acceptor thread of its own: the connection limit pauses it and resumes it. Without one, the limit
        // took the listening socket off the selector and put it back, and under churn around the limit the
        // re-registration failed (a cancelled key) and Jetty closed the listener for good (issue 23).
        connector = new WatchedConnector(server, factories,
                reason -> agent.fail("the HTTP listener on " + listenAddress + " closed", reason));
        connector.setHost(address.getAddress().isAnyLocalAddress() ? null : address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        connector.setAcceptQueueSize(64);
        connector.setIdleTimeout(limits.headerDeadline().toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), server));
        server.setHandler(new Endpoints(agent, new WebConfigReloader(webFile, web, bcrypt, environment, log), log));
        server.setErrorHandler(new PlainErrors());
        try {
            server.start();
        } catch (IOException e) {
            close();
            Throwable cause = e instanceof BindException || e.getCause() instanceof BindException ? e : null;
            throw new UncheckedIOException("web.listen_address " + listenAddress + ": cannot listen ("
                    + e.getMessage() + ")" + (cause != null
                            ? "; stop what uses the port or choose another with --web.listen-address" : ""), e);
        } catch (Exception e) {
            close();
            throw new IllegalStateException("the HTTP server did not start: " + e, e);
        }
        agent.closeOnShutdown(this);
        log.info("listening", "address", connector.getHost() == null ? ":" + port() : hostPort(), "tls",
                web.tls() == null ? "off" : "on", "basic_auth", web.basicAuthUsers().isEmpty() ? "off" : "on");
    }

    private String hostPort() {
        String host = connector.getHost();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port();
    }

    private org.eclipse.jetty.util.ssl.SslContextFactory.Server sslContextFactory(TlsServerConfig tls) {
        try {
            return tls.sslContextFactory(new RepeatedWarning(log, "TLS handshake without a certificate", System::nanoTime));
        } catch (PemFiles.PemException | java.security.GeneralSecurityException e) {
            // WebConfigFile.load read the same files a moment ago; only a change in between gets here.
            throw new UncheckedIOException(new IOException(e.getMessage(), e));
        }
    }

    /** The listening socket, for tests that break it. */
    java.nio.channels.ServerSocketChannel listener() {
        return ((WatchedConnector) connector).channel();
    }

    /** The port actually bound (useful with port 0). */
    @Override
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * A connector that says when its listening socket closed while the server runs: no client can reach the
     * agent after that, so the agent stops with an error and its service manager starts it again.
     */
    private static final class WatchedConnector extends ServerConnector {
        private final java.util.function.Consumer<String> lost;
        private final java.util.concurrent.atomic.AtomicBoolean reported = new java.util.concurrent.atomic.AtomicBoolean();

        WatchedConnector(Server server, ConnectionFactory[] factories, java.util.function.Consumer<String> lost) {
            super(server, 1, 1, factories);
            this.lost = lost;
        }

        @Override
        public void accept(int acceptorId) throws IOException {
            if (isRunning() && !isOpen()) {
                // Jetty's own accept returns at once on a closed channel, and its acceptor would spin on it.
                throw new java.nio.channels.ClosedChannelException();
            }
            super.accept(acceptorId);
        }

        @Override
        protected boolean handleAcceptFailure(Throwable failure) {
            if (isRunning() && !isOpen()) {
                if (reported.compareAndSet(false, true)) {
                    lost.accept("the listening socket was closed (" + failure + ")");
                }
                return false;
            }
            return super.handleAcceptFailure(failure);
        }

        /** The listening socket, for the test that closes it under the server. */
        java.nio.channels.ServerSocketChannel channel() {
            return (java.nio.channels.ServerSocketChannel) getTransport();
        }
    }

    /** Jetty's own refusals (400, 431, ...) as one line of text, without its HTML page or version. */
    private static final class PlainErrors implements Request.Handler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus();
            String reason = org.eclipse.jetty.http.HttpStatus.getMessage(status);
            String body = status == 431 ? "Request headers larger than " + RequestLimits.MAX_HEADER_BYTES + " bytes.\n"
                    : reason + ".\n";
            Responses.text(response, status, body, callback);
            return true;
        }
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception e) {
            // Nothing was served yet; the caller reports why it did not start.
        }
    }

    @Override
    public void close() {
        // Closes the listener and every connection now; shutdown has already waited for probes.
        stopQuietly();
        bcrypt.close();
    }
}
