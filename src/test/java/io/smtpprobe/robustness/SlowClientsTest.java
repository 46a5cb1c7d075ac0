package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.testing.Serial;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 1: clients that send a request head a byte a second, and a reload that declares a body and
 * never sends it, once stalled every scrape for 10 s (the JDK's server read heads on its two threads). With
 * 300 of them holding connections, /metrics at a thousand targets must still answer fast; and the agent
 * must close them itself once they overrun the request deadline.
 */
@Serial
class SlowClientsTest {
    private static final int TARGETS = ThousandTargetScrapeTest.TARGETS;
    private static final int SLOW_CLIENTS = 300;
    private static final int SCRAPES = 100;
    /** The agent's request deadline is 10 s; the slow clients give up on their own well after it. */
    private static final Duration SLOW_CLIENT_LIFETIME = Duration.ofSeconds(25);

    @TempDir
    Path dir;

    @Test
    void scrapesStayFastWhileSlowClientsHoldConnectionsAndTheAgentClosesThem() throws Exception {
        Path config = Files.writeString(dir.resolve("thousand.yml"),
                ThousandTargetScrapeTest.thousandRefusedTargets());
        try (AgentProcess agent = AgentProcess.start(config)) {
            agent.awaitProbes(TARGETS, 60);
            URI metrics = agent.http().uri("/metrics");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int i = 0; i < 10; i++) {
                scrape(client, metrics); // the JIT and the connection, before anything is measured
            }
            long[] alone = timeScrapes(client, metrics);
            System.out.println("/metrics at " + TARGETS + " targets alone: " + summary(alone));

            try (SlowClients slow = SlowClients.start(new InetSocketAddress("127.0.0.1", metrics.getPort()))) {
                long[] millis = timeScrapes(client, metrics);
                assertThat(slow.open()).as("slow clients still connected after the scrapes")
                        .isEqualTo(SLOW_CLIENTS + 1);
                System.out.println("/metrics at " + TARGETS + " targets beside " + (SLOW_CLIENTS + 1)
                        + " slow clients: " + summary(millis));
                // The stall this guards against was 10 s a scrape. 100 ms on a quiet machine; a loaded one may be
                // slower alone, so the bound grows with the baseline measured in this run (issue 24).
                assertThat(millis[SCRAPES - 2]).as("p99 of %s scrapes, ms (alone: %s)", SCRAPES, summary(alone))
                        .isLessThan(Math.max(100, 5 * alone[SCRAPES - 2]));

                assertThat(slow.awaitAllClosed(Duration.ofSeconds(20)))
                        .as("slow clients the agent closed after its request deadline").isTrue();
            }
            assertThat(agent.http().get("/-/healthy").statusCode()).isEqualTo(200);
        }
    }

    /** {@value #SCRAPES} scrapes one after the other, their durations in milliseconds, sorted. */
    private static long[] timeScrapes(HttpClient client, URI metrics) throws IOException, InterruptedException {
        long[] millis = new long[SCRAPES];
        for (int i = 0; i < SCRAPES; i++) {
            long start = System.nanoTime();
            scrape(client, metrics);
            millis[i] = (System.nanoTime() - start) / 1_000_000;
        }
        Arrays.sort(millis);
        return millis;
    }

    private static String summary(long[] sorted) {
        return "median " + sorted[SCRAPES / 2] + " ms, p99 " + sorted[SCRAPES - 2] + " ms, max " + sorted[SCRAPES - 1]
                + " ms";
    }

    private static void scrape(HttpClient client, URI metrics) throws IOException, InterruptedException {
        HttpResponse<java.io.InputStream> response = client.send(HttpRequest.newBuilder(metrics)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (java.io.InputStream body = response.body()) {
            // Read to the end and counted, not kept: the client's own garbage is not the agent's latency.
            assertThat(body.transferTo(java.io.OutputStream.nullOutputStream())).as("exposition bytes")
                    .isGreaterThan(1_000_000);
        }
    }

    /**
     * {@value #SLOW_CLIENTS} connections that send {@code GET /metrics} and a header line a byte a second,
     * and one {@code POST /-/reload} with {@code Content-Length: 4096} and no body. One thread drives them
     * all; they stop by themselves after {@link #SLOW_CLIENT_LIFETIME}, or when closed.
     */
    private static final class SlowClients implements AutoCloseable {
        private final List<SocketChannel> channels = new ArrayList<>();
        private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "slow-clients");
            thread.setDaemon(true);
            return thread;
        });

        static SlowClients start(InetSocketAddress agent) throws IOException {
            SlowClients slow = new SlowClients();
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                slow.open(agent, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            }
            slow.open(agent, "POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n");
            slow.ticker.scheduleAtFixedRate(slow::tick, 1, 1, TimeUnit.SECONDS);
            slow.ticker.schedule(slow::close, SLOW_CLIENT_LIFETIME.toMillis(), TimeUnit.MILLISECONDS);
            return slow;
        }

        private void open(InetSocketAddress agent, String start) throws IOException {
            SocketChannel channel = SocketChannel.open(agent);
            channel.write(ByteBuffer.wrap(start.getBytes(StandardCharsets.US_ASCII)));
            channel.configureBlocking(false);
            synchronized (channels) {
                channels.add(channel);
            }
        }

        /** One more byte of the header value on every GET; the POST's body never comes. */
        private void tick() {
            synchronized (channels) {
                for (SocketChannel channel : channels.subList(0, Math.min(SLOW_CLIENTS, channels.size()))) {
                    try {
                        channel.write(ByteBuffer.wrap(new byte[] {'a'}));
                    } catch (IOException e) {
                        // Closed by the agent: this client is done.
                    }
                }
            }
        }

        /** How many connections the agent has not closed (a read sees no end of stream). */
        int open() throws IOException {
            int open = 0;
            synchronized (channels) {
                for (SocketChannel channel : channels) {
                    if (!closedByPeer(channel)) {
                        open++;
                    }
                }
            }
            return open;
        }

        boolean awaitAllClosed(Duration within) throws IOException, InterruptedException {
            long end = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < end) {
                if (open() == 0) {
                    return true;
                }
                TimeUnit.MILLISECONDS.sleep(200); // polling a peer we do not control; no event to wait on
            }
            return open() == 0;
        }

        private static boolean closedByPeer(SocketChannel channel) {
            try {
                ByteBuffer buffer = ByteBuffer.allocate(4096);
                int n;
                while ((n = channel.read(buffer)) > 0) {
                    buffer.clear(); // an answer (408, 400) before the close: read past it
                }
                return n < 0;
            } catch (IOException e) {
                return true; // reset by the agent
            }
        }

        @Override
        public void close() {
            ticker.shutdownNow();
            synchronized (channels) {
                for (SocketChannel channel : channels) {
                    try {
                        channel.close();
                    } catch (IOException e) {
                        // Already closed.
                    }
                }
            }
        }
    }
}
