package io.smtpprobe.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.smtpprobe.daemon.FrontEnd;
import io.smtpprobe.daemon.ReloadResult;
import io.smtpprobe.daemon.RunningAgent;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.metrics.Exposition;
import io.smtpprobe.metrics.ExpositionFormat;
import io.smtpprobe.report.ReportJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The daemon's HTTP endpoints on the JDK's built-in server:
 * {@code GET /metrics} (Prometheus text or OpenMetrics by Accept), {@code GET /status} (the JSON of
 * {@code check --output json}), {@code GET /-/healthy}, {@code GET /-/ready} (503 until every target has
 * been probed once) and {@code POST /-/reload}. No endpoint takes an address, a host name or a URL from
 * the request: nothing a client sends can make the agent connect anywhere.
 */
public final class AgentHttpServer implements FrontEnd {
    /** Two threads: a scrape and a status request at once, and no thread per connection to exhaust. */
    static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService executor;
    private final RunningAgent agent;
    private final EventLog log;

    /**
     * Binds and starts serving, and registers itself to be closed when the agent shuts down.
     *
     * @param listenAddress {@code web.listen_address} or the {@code --web.listen-address} flag
     * @throws UncheckedIOException when the address cannot be bound, with the address and how to fix it
     */
    public AgentHttpServer(String listenAddress, RunningAgent agent, EventLog log) {
        this.agent = agent;
        this.log = log;
        limitJdkServer();
        InetSocketAddress address = ListenAddress.parse(listenAddress);
        try {
            server = HttpServer.create(address, 64);
        } catch (BindException e) {
            throw new UncheckedIOException("web.listen_address " + listenAddress + ": cannot listen ("
                    + e.getMessage() + "); stop what uses the port or choose another with --web.listen-address", e);
        } catch (IOException e) {
            throw new UncheckedIOException("web.listen_address " + listenAddress + ": cannot listen ("
                    + e.getMessage() + ")", e);
        }
        AtomicInteger count = new AtomicInteger();
        executor = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "smtp-probe-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::route).getFilters().add(new RequestLimits());
        server.start();
        agent.closeOnShutdown(this);
        log.info("listening", "address", server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Limits the JDK server itself, for what happens before a handler runs: header count and size,
     * and how long a client may take to send a request or read an answer (a slow client would
     * otherwise hold one of the two threads). Read once per JVM; set only when not given with -D.
     */
    private static void limitJdkServer() {
        setIfAbsent("sun.net.httpserver.maxReqHeaders", "64");
        setIfAbsent("sun.net.httpserver.maxReqHeaderSize", Integer.toString(2 * RequestLimits.MAX_HEADER_BYTES));
        setIfAbsent("sun.net.httpserver.maxReqTime", "10");
        setIfAbsent("sun.net.httpserver.maxRspTime", "10");
        // Without TCP_NODELAY, Nagle holds back the last small segment of an answer until the client's delayed
        // ACK (40 ms on Linux): at a thousand targets the slowest /metrics answers took 50 ms instead of 5.
        setIfAbsent("sun.net.httpserver.nodelay", "true");
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/metrics" -> metrics(exchange);
                case "/status" -> status(exchange);
                case "/-/healthy" -> healthy(exchange);
                case "/-/ready" -> ready(exchange);
                case "/-/reload" -> reload(exchange);
                case "/" -> index(exchange);
                default -> Responses.text(exchange, 404, "Not found. Endpoints: /metrics /status /-/healthy /-/ready"
                        + " /-/reload\n");
            }
        } catch (RuntimeException e) {
            log.error("HTTP handler failed", "path", exchange.getRequestURI().getPath(), "error", e.toString());
            Responses.text(exchange, 500, "Internal error.\n");
        }
    }

    private static boolean readOnly(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return true;
        }
        Responses.methodNotAllowed(exchange, "GET, HEAD");
        return false;
    }

    private void metrics(HttpExchange exchange) throws IOException {
        if (readOnly(exchange)) {
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            ExpositionFormat format = ExpositionFormat.negotiate(accept);
            Exposition exposition = agent.exposition(format);
            Responses.sized(exchange, format.contentType(), exposition.length(), exposition::writeTo);
            log.debug("metrics scraped", "format", format.name().toLowerCase(java.util.Locale.ROOT), "client",
                    exchange.getRemoteAddress().getAddress().getHostAddress());
        }
    }

    private void status(HttpExchange exchange) throws IOException {
        if (readOnly(exchange)) {
            String json = ReportJson.write(agent.report(), false) + "\n";
            Responses.send(exchange, 200, "application/json", json.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void healthy(HttpExchange exchange) throws IOException {
        if (readOnly(exchange)) {
            Responses.text(exchange, 200, "Healthy.\n");
        }
    }

    private void ready(HttpExchange exchange) throws IOException {
        if (readOnly(exchange)) {
            if (agent.ready()) {
                Responses.text(exchange, 200, "Ready.\n");
            } else {
                Responses.text(exchange, 503, "Not ready: " + agent.readiness() + ".\n");
            }
        }
    }

    private void reload(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            Responses.methodNotAllowed(exchange, "POST");
            return;
        }
        ReloadResult result = agent.reload();
        if (result.applied()) {
            Responses.text(exchange, 200, "Configuration reloaded.\n");
        } else {
            // As Prometheus does: 500 with the reasons; the running configuration stays.
            Responses.text(exchange, 500, "Configuration refused; the running one stays:\n"
                    + String.join("\n", result.errors()) + "\n");
        }
    }

    private static void index(HttpExchange exchange) throws IOException {
        if (readOnly(exchange)) {
            Responses.text(exchange, 200, "smtp-probe\n/metrics\n/status\n/-/healthy\n/-/ready\n/-/reload (POST)\n");
        }
    }

    @Override
    public void close() {
        // Delay 0: closes the listener and every connection now; shutdown has already waited for probes.
        server.stop(0);
        executor.shutdownNow();
    }
}
