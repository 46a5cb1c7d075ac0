package io.smtpprobe.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 5: an Azure endpoint (the token endpoint, in the report) that sends its headers at
 * once and then trickles its body a byte every 200 ms. The request timeout of the JDK client ends with
 * the headers, and {@code readNBytes} then read for as long as the server liked; the timeout must
 * bound the whole call.
 */
class AzureHttpTrickleTest {
    private ServerSocket server;
    private Thread trickler;

    @BeforeEach
    void startTrickler() throws IOException {
        server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        trickler = new Thread(() -> {
            try (Socket client = server.accept()) {
                readHeaders(client.getInputStream());
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                for (int i = 0; i < 10_000; i++) {
                    Thread.sleep(200); // the fake's behaviour: a byte every 200 ms, 33 minutes in all
                    out.write(' ');
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the client gave up, or the test is over
            }
        }, "trickling-token-endpoint");
        trickler.setDaemon(true);
        trickler.start();
    }

    @AfterEach
    void stop() throws IOException {
        trickler.interrupt();
        server.close();
    }

    private static void readHeaders(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    @Test
    void aBodyTrickledAfterPromptHeadersEndsTheCallAtItsTimeout() {
        AzureHttp http = new AzureHttp(Duration.ofSeconds(1));
        URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/metadata/identity/oauth2/token?x=1");
        long start = System.nanoTime();

        assertThatThrownBy(() -> http.send(http.request(uri).GET().build()))
                .isInstanceOf(AzureCallException.class)
                .hasMessage("http://127.0.0.1:" + server.getLocalPort()
                        + "/metadata/identity/oauth2/token did not answer within 1.0s");

        // Unbounded, the call would read for 33 minutes; 10 s leaves a loaded machine room (issue 24).
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
}
