package io.smtpprobe.http;

import io.smtpprobe.daemon.ReloadResult;
import io.smtpprobe.daemon.RunningAgent;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.metrics.Exposition;
import io.smtpprobe.metrics.ExpositionFormat;
import io.smtpprobe.report.ReportJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What {@link AgentHttpServer} serves, request by request: the web config's headers, then basic
 * authentication, then the endpoint. Each endpoint answers only the methods it documents (405 with
 * Allow otherwise), and a failing handler is one logged line and a 500, never a stack trace to the client.
 */
final class Endpoints extends Handler.Abstract {
    private final RunningAgent agent;
    private final WebConfigReloader web;
    private final EventLog log;

    Endpoints(RunningAgent agent, WebConfigReloader web, EventLog log) {
        this.agent = agent;
        this.web = web;
        this.log = log;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        WebConfigReloader.Settings settings = web.current();
        Responses.configured(response, settings.headers());
        try {
            BasicAuth auth = settings.auth();
            if (!auth.enabled()) {
                authenticated(request, response, callback, settings);
                return true;
            }
            BasicAuth.Answer now = auth.check(request.getHeaders().get(HttpHeader.AUTHORIZATION),
                    // From the bcrypt thread: the answer goes back to the HTTP pool, which serves the request.
                    later -> resume(() -> answer(later, request, response, callback, settings), request, callback));
            if (now != null) {
                answer(now, request, response, callback, settings);
            }
        } catch (RuntimeException e) {
            failed(request, response, callback, e);
        }
        return true;
    }

    /** Runs the rest of a request on the HTTP pool; when the server is stopping, the request just fails. */
    private static void resume(Runnable rest, Request request, Callback callback) {
        try {
            request.getContext().execute(rest);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            callback.failed(e);
        }
    }

    private void answer(BasicAuth.Answer answer, Request request, Response response, Callback callback,
            WebConfigReloader.Settings settings) {
        try {
            switch (answer) {
                case ALLOWED -> authenticated(request, response, callback, settings);
                case REFUSED -> {
                    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic");
                    Responses.text(response, 401, "Unauthorized\n", callback);
                }
                case BUSY -> {
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                    Responses.text(response, 429, "Too many password checks at once; try again in a second.\n",
                            callback);
                }
            }
        } catch (RuntimeException e) {
            failed(request, response, callback, e);
        }
    }

    private void authenticated(Request request, Response response, Callback callback,
            WebConfigReloader.Settings settings) {
        if (request.getMethod().equals("CONNECT")) {
            // Not a proxy: a CONNECT's target is an address, which nothing here ever connects to.
            Responses.text(response, 400, "CONNECT is not served; this is not a proxy.\n", callback);
            return;
        }
        CappedBody.readThen(request, response, callback, () -> route(request, response, callback, settings));
    }

    private void failed(Request request, Response response, Callback callback, RuntimeException e) {
        log.error("HTTP handler failed", "path", request.getHttpURI().getPath(), "error", e.toString());
        if (response.isCommitted()) {
            callback.failed(e);
        } else {
            Responses.text(response, 500, "Internal error.\n", callback);
        }
    }

    private void route(Request request, Response response, Callback callback, WebConfigReloader.Settings settings) {
        try {
            String path = request.getHttpURI().getPath();
            switch (path == null ? "" : path) {
                case "/metrics" -> metrics(request, response, callback);
                case "/status" -> status(request, response, callback);
                case "/-/healthy" -> {
                    if (readOnly(request, response, callback)) {
                        Responses.text(response, 200, "Healthy.\n", callback);
                    }
                }
                case "/-/ready" -> ready(request, response, callback);
                case "/-/reload" -> reload(request, response, callback, settings);
                case "/" -> {
                    if (readOnly(request, response, callback)) {
                        Responses.text(response, 200, "smtp-probe\n/metrics\n/status\n/-/healthy\n/-/ready\n"
                                + "/-/reload (POST)\n", callback);
                    }
                }
                default -> Responses.text(response, 404, "Not found. Endpoints: /metrics /status /-/healthy /-/ready"
                        + " /-/reload\n", callback);
            }
        } catch (RuntimeException e) {
            failed(request, response, callback, e);
        }
    }

    private static boolean readOnly(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return true;
        }
        Responses.methodNotAllowed(request, response, "GET, HEAD", callback);
        return false;
    }

    private void metrics(Request request, Response response, Callback callback) {
        if (!readOnly(request, response, callback)) {
            return;
        }
        ExpositionFormat format = ExpositionFormat.negotiate(request.getHeaders().get(HttpHeader.ACCEPT));
        Exposition exposition;
        try {
            exposition = agent.exposition(format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        response.setStatus(200);
        Responses.headers(response, format.contentType(), exposition.length());
        if ("HEAD".equals(request.getMethod())) {
            response.write(true, null, callback);
        } else {
            ExpositionWriter.write(response, exposition, callback);
        }
        log.debug("metrics scraped", "format", format.name().toLowerCase(Locale.ROOT), "client",
                Request.getRemoteAddr(request));
    }

    private void status(Request request, Response response, Callback callback) {
        if (readOnly(request, response, callback)) {
            String json = agent.status() + "\n";
            Responses.send(response, 200, "application/json", json.getBytes(StandardCharsets.UTF_8), callback);
        }
    }

    private void ready(Request request, Response response, Callback callback) {
        if (readOnly(request, response, callback)) {
            if (agent.ready()) {
                Responses.text(response, 200, "Ready.\n", callback);
            } else {
                Responses.text(response, 503, "Not ready: " + agent.readiness() + ".\n", callback);
            }
        }
    }

    private void reload(Request request, Response response, Callback callback, WebConfigReloader.Settings settings) {
        if (!request.getMethod().equals("POST")) {
            Responses.methodNotAllowed(request, response, "POST", callback);
            return;
        }
        if (!settings.clientsAuthenticated() && !LocalAddresses.isLocal(Request.getRemoteAddr(request))) {
            // Issue 23: open to any client, looping reloads took /metrics p99 from 8 ms to 1.5 s.
            Responses.text(response, 403, "POST /-/reload is served to this machine only; to reload from others,"
                    + " give --web.config.file basic_auth_users or client_auth_type: RequireAndVerifyClientCert.\n",
                    callback);
            return;
        }
        ReloadResult result = agent.reload();
        if (result.applied()) {
            Responses.text(response, 200, "Configuration reloaded.\n", callback);
        } else {
            // As Prometheus does: 500 with the reasons; the running configuration stays.
            Responses.text(response, 500, "Configuration refused; the running one stays:\n"
                    + String.join("\n", result.errors()) + "\n", callback);
        }
    }
}
