package io.smtpprobe.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Client threads that each loop, for a while: connect to the agent on loopback, {@code GET path} with
 * {@code Connection: close}, read the answer to its end, close. The 200s are counted per window of time, so a
 * test sees whether the agent kept answering throughout, not only at the end.
 */
public final class Churn {
    private final AtomicLongArray answered;

    private Churn(AtomicLongArray answered) {
        this.answered = answered;
    }

    /** {@code clients} threads churning for {@code length}; the 200s counted per {@code window}. */
    public static Churn run(int port, String path, int clients, Duration length, Duration window)
            throws InterruptedException {
        int windows = (int) Math.max(1, length.toNanos() / window.toNanos());
        AtomicLongArray answered = new AtomicLongArray(windows);
        AtomicBoolean stop = new AtomicBoolean();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> {
                while (!stop.get()) {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                        socket.setSoTimeout(10_000);
                        if (answers200(socket, path)) {
                            answered.incrementAndGet((int) Math.min(windows - 1,
                                    (System.nanoTime() - start) / window.toNanos()));
                        }
                    } catch (IOException e) {
                        // A reset or a refusal is what the old listener gave; the counts show it.
                    }
                }
            }, "churn-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        Thread.sleep(length.toMillis()); // the load's length: nothing waits on a result here
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(20_000);
        }
        return new Churn(answered);
    }

    public int windows() {
        return answered.length();
    }

    /** The 200s answered in window {@code w}. */
    public long answeredIn(int w) {
        return answered.get(w);
    }

    public long answered() {
        long sum = 0;
        for (int w = 0; w < answered.length(); w++) {
            sum += answered.get(w);
        }
        return sum;
    }

    /** One {@code GET path} with {@code Connection: close} on {@code socket}, read to the end: whether it was a 200. */
    public static boolean answers200(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] head = in.readNBytes(12);
        in.transferTo(OutputStream.nullOutputStream());
        return new String(head, StandardCharsets.US_ASCII).equals("HTTP/1.1 200");
    }
}
