package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.testing.Serial;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23's first high finding, as it was reproduced: {@code smtp-probe run} with 200 targets, then 300 clients
 * each looping {@code GET /metrics} with {@code Connection: close}. The old listener reset connections after
 * about a second, then refused them: the connection limit had toggled accepting on a connector without an
 * acceptor thread until Jetty closed the listening socket, while the process lived on. For a minute of that,
 * the agent must keep answering, and still answer afterwards.
 */
@Serial
class ChurningScrapersTest {
    private static final int TARGETS = 200;
    private static final int CLIENTS = 300;
    private static final Duration LENGTH = Duration.ofSeconds(60);
    private static final Duration WINDOW = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void answersScrapesThroughoutAMinuteOfThreeHundredChurningClientsAndAfterIt() throws Exception {
        Path config = Files.writeString(dir.resolve("churn.yml"), ThousandTargetScrapeTest.refusedTargets(TARGETS));
        try (AgentProcess agent = AgentProcess.start(config)) {
            agent.awaitProbes(TARGETS, 60);
            int windows = (int) (LENGTH.toMillis() / WINDOW.toMillis());
            AtomicLongArray answered = churn(agent.http().uri("/").getPort(), windows);

            for (int w = 0; w < windows; w++) {
                assertThat(answered.get(w)).as("scrapes answered 200 in seconds %d to %d of the churn",
                        w * WINDOW.toSeconds(), (w + 1) * WINDOW.toSeconds()).isPositive();
            }
            assertThat(agent.process().process().isAlive()).as("agent alive; output:\n%s", agent.process().output())
                    .isTrue();
            assertThat(agent.scrape().text()).as("a scrape after the churn")
                    .contains("smtp_probe_outcome{host=\"127.0.0.1\",outcome=\"tcp_refused\",target=\"t199\"} 1");
            assertThat(agent.process().output()).doesNotContain("HTTP listener");
        }
    }

    /** {@link #CLIENTS} threads looping connect, {@code GET /metrics}, read to the end, close: 200s counted per window. */
    private static AtomicLongArray churn(int port, int windows) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLongArray answered = new AtomicLongArray(windows);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Thread thread = new Thread(() -> {
                while (!stop.get()) {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                        socket.setSoTimeout(10_000);
                        if (scrape(socket)) {
                            int window = (int) ((System.nanoTime() - start) / WINDOW.toNanos());
                            if (window < windows) {
                                answered.incrementAndGet(window);
                            }
                        }
                    } catch (IOException e) {
                        // A reset or a refusal is what the old listener gave; the windows show it.
                    }
                }
            }, "scraper-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        Thread.sleep(LENGTH.toMillis()); // the load's length: nothing waits on a result here
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(20_000);
        }
        return answered;
    }

    /** One {@code GET /metrics} with {@code Connection: close}, read to the end; whether it was a 200. */
    private static boolean scrape(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] head = in.readNBytes(12);
        in.transferTo(OutputStream.nullOutputStream());
        return new String(head, StandardCharsets.US_ASCII).equals("HTTP/1.1 200");
    }
}
