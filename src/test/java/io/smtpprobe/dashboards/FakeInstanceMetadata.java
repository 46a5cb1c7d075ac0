package io.smtpprobe.dashboards;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Azure's instance metadata service on loopback, answering {@code /metadata/instance} for one VM. */
final class FakeInstanceMetadata implements AutoCloseable {
    private final HttpServer server;

    FakeInstanceMetadata(String subscriptionId, String vmId, String vmName, String resourceGroup, String location)
            throws IOException {
        byte[] body = ("{\"compute\":{\"azEnvironment\":\"AzurePublicCloud\",\"location\":\"" + location
                + "\",\"name\":\"" + vmName + "\",\"resourceGroupName\":\"" + resourceGroup
                + "\",\"subscriptionId\":\"" + subscriptionId + "\",\"vmId\":\"" + vmId
                + "\",\"vmSize\":\"Standard_B2s\"}}").getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/metadata/instance", exchange -> {
            boolean asked = "true".equals(exchange.getRequestHeaders().getFirst("Metadata"));
            byte[] answer = asked ? body : "{\"error\":\"Bad request. Required metadata header not specified\"}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(asked ? 200 : 400, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
