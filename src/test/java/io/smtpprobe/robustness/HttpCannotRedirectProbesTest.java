package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.testing.ScriptedSmtpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md "HTTP endpoints": no endpoint makes the agent connect to an address a request names. A bait listener
 * on loopback is named in every place a request can carry an address (path, query, Host and forwarding
 * headers, request target in absolute form, CONNECT, bodies, a config file path) while the agent runs;
 * the bait must see no connection, and every answer is a refusal or the endpoint's normal page.
 */
class HttpCannotRedirectProbesTest {
    /** Refusals (400 for what the JDK server will not parse), or the normal pages (503: not ready yet). */
    private static final Set<Integer> ALLOWED = Set.of(200, 400, 404, 405, 413, 431, 503);

    @TempDir
    Path dir;

    @Test
    void noRequestMakesTheAgentConnectToAnAddressItNames() throws Exception {
        AtomicInteger baited = new AtomicInteger();
        try (ServerSocket bait = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ScriptedSmtpServer mx = ScriptedSmtpServer.start(peer -> {
                    peer.send("220 mx.test ESMTP");
                    peer.expect("EHLO");
                    peer.send("250 mx.test");
                    peer.answerEverything("221 bye");
                })) {
            Thread acceptor = new Thread(() -> {
                while (!bait.isClosed()) {
                    try (Socket ignored = bait.accept()) {
                        baited.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "bait");
            acceptor.setDaemon(true);
            acceptor.start();
            int port = bait.getLocalPort();
            String hostPort = "127.0.0.1:" + port;
            // A config that would probe the bait, on disk for a request to name.
            Path evil = Files.writeString(dir.resolve("evil.yml"), "azure:\n  metadata: off\ntargets:\n"
                    + "  - name: bait\n    host: 127.0.0.1\n    mode: tcp\n    port: " + port + "\n");
            Path config = Files.writeString(dir.resolve("smtp-probe.yml"), "subscription:\n  offer: pay-as-you-go\n"
                    + "azure:\n  metadata: off\n"
                    + "probe:\n  interval: 1s\n  jitter: 0s\n  timeout: 500ms\n  helo_name: vm.test\n"
                    + "targets:\n  - name: mx\n    host: 127.0.0.1\n    mode: smtp\n    port: " + mx.port() + "\n");

            try (AgentProcess agent = AgentProcess.start(config)) {
                int agentPort = agent.http().uri("/").getPort();
                List<String> requests = requests(hostPort, port, evil);
                Map<String, Integer> answers = new LinkedHashMap<>();
                for (int i = 0; i < requests.size(); i++) {
                    answers.put(i + ": " + requests.get(i).lines().findFirst().orElseThrow(),
                            status(agentPort, requests.get(i)));
                }
                // Whatever a request might have set in motion has had a round to happen in.
                int before = mx.accepted();
                agent.awaitProbes(before + 1, 30); // one probe of mx (one accept) more than now

                System.out.println("HTTP requests naming " + hostPort + ": " + answers);
                assertThat(answers).hasSize(requests.size());
                assertThat(answers.values()).allSatisfy(status -> assertThat(status).isIn(ALLOWED));
                assertThat(answers).containsEntry("0: GET /probe?target=" + hostPort + "&module=smtp HTTP/1.1", 404)
                        .containsEntry("13: CONNECT " + hostPort + " HTTP/1.1", 400)
                        .containsEntry("21: POST /-/reload?config=" + evil + " HTTP/1.1", 200)
                        .containsEntry("25: PUT /metrics?target=" + hostPort + " HTTP/1.1", 405)
                        .containsEntry("30: GET /metrics?target=" + hostPort + " HTTP/1.1", 431)
                        .containsEntry("31: POST /-/reload HTTP/1.1", 413);
                assertThat(mx.accepted()).as("the configured target is still probed").isGreaterThan(before);
                assertThat(agent.http().get("/status").body()).doesNotContain("\"bait\"").contains("\"mx\"");
                assertThat(agent.process().output()).doesNotContain(":" + port + " ").doesNotContain("target=bait");
                assertThat(baited.get()).as("connections to the address the requests named").isZero();
            }
            // The bait does count connections: one of our own.
            new Socket(InetAddress.getLoopbackAddress(), port).close();
            long end = System.nanoTime() + 5_000_000_000L;
            while (baited.get() == 0 && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            assertThat(baited.get()).isEqualTo(1);
        }
    }

    /** Raw HTTP/1.1 requests, each naming the bait somewhere. */
    private static List<String> requests(String hostPort, int port, Path evil) {
        String url = "http://" + hostPort + "/";
        String yamlBody = "targets:\n  - host: 127.0.0.1\n    mode: tcp\n    port: " + port + "\n";
        String jsonBody = "{\"target\":\"" + hostPort + "\",\"url\":\"" + url + "\",\"module\":\"smtp\"}";
        List<String> requests = new ArrayList<>();
        // Query strings and paths, as blackbox_exporter's /probe takes them.
        requests.add(get("/probe?target=" + hostPort + "&module=smtp", ""));
        requests.add(get("/probe?target=smtp://" + hostPort, ""));
        requests.add(get("/metrics?target=" + hostPort, ""));
        requests.add(get("/metrics?target=" + hostPort + "&module=smtp", ""));
        requests.add(get("/status?host=127.0.0.1&port=" + port, ""));
        requests.add(get("/status?target=" + url, ""));
        requests.add(get("/-/ready?target=" + hostPort, ""));
        requests.add(get("/-/healthy?url=" + url, ""));
        requests.add(get("/" + url, ""));
        requests.add(get("/" + hostPort, ""));
        requests.add(get("/metrics/" + hostPort, ""));
        // The request target in absolute form (RFC 9112 section 3.2.2), as to a proxy, and CONNECT.
        requests.add("GET " + url + "metrics HTTP/1.1\r\nHost: " + hostPort + "\r\nConnection: close\r\n\r\n");
        requests.add("GET " + url + " HTTP/1.1\r\nHost: " + hostPort + "\r\nConnection: close\r\n\r\n");
        requests.add("CONNECT " + hostPort + " HTTP/1.1\r\nHost: " + hostPort + "\r\nConnection: close\r\n\r\n");
        // Headers that proxies and redirect-following code trust.
        requests.add(get("/metrics", "Host: " + hostPort + "\r\n"));
        requests.add(get("/status", "X-Forwarded-Host: " + hostPort + "\r\nX-Forwarded-For: 127.0.0.1\r\n"
                + "Forwarded: for=127.0.0.1;host=" + hostPort + ";proto=http\r\n"));
        requests.add(get("/status", "Referer: " + url + "\r\nOrigin: " + url + "\r\nLocation: " + url + "\r\n"));
        requests.add(get("/metrics", "X-Prometheus-Scrape-Target: " + hostPort + "\r\nX-Target: " + hostPort + "\r\n"));
        // Bodies: a config, JSON, a form, the path of a config file on disk; on every method.
        requests.add(post("/-/reload", "application/yaml", yamlBody));
        requests.add(post("/-/reload", "application/json", jsonBody));
        requests.add(post("/-/reload", "text/plain", evil.toString()));
        requests.add(post("/-/reload?config=" + evil, "application/x-www-form-urlencoded", "config=" + evil));
        requests.add(post("/probe", "application/json", jsonBody));
        requests.add(post("/status", "application/json", jsonBody));
        requests.add(post("/metrics", "application/x-www-form-urlencoded", "target=" + hostPort));
        requests.add(withBody("PUT", "/metrics?target=" + hostPort, "application/json", jsonBody));
        requests.add(withBody("PATCH", "/status", "application/json", jsonBody));
        requests.add(withBody("DELETE", "/-/reload?target=" + hostPort, "text/plain", hostPort));
        requests.add("OPTIONS " + url + " HTTP/1.1\r\nHost: " + hostPort + "\r\nConnection: close\r\n\r\n");
        requests.add("TRACE /status?target=" + hostPort + " HTTP/1.1\r\nHost: " + hostPort + "\r\nConnection: close"
                + "\r\n\r\n");
        // Over the caps, still naming the bait.
        requests.add(get("/metrics?target=" + hostPort, "X-Target: " + (hostPort + ",").repeat(800) + "\r\n"));
        requests.add(post("/-/reload", "application/yaml", yamlBody.repeat(200)));
        return requests;
    }

    private static String get(String target, String headers) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "Connection: close\r\n\r\n";
    }

    private static String post(String target, String type, String body) {
        return withBody("POST", target, type, body);
    }

    private static String withBody(String method, String target, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + type + "\r\nContent-Length: "
                + bytes.length + "\r\nConnection: close\r\n\r\n" + body;
    }

    /** Sends one raw request and returns the status code of the answer. */
    private static int status(int port, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
                line.write(b);
            }
            String statusLine = line.toString(StandardCharsets.US_ASCII).strip();
            assertThat(statusLine).as("answer to %s", request.lines().findFirst().orElseThrow()).startsWith("HTTP/1.1 ");
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }
}
