package io.smtpprobe.dashboards;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A receiving MX on port 25 that answers (220, EHLO, QUIT) until {@link #dropConnects()}, and from then
 * on leaves every connect unanswered, on the same address and port, without a moment of refusal in
 * between: it stops accepting and fills its accept queue, and Linux drops a SYN that finds the queue
 * full, which is what a client behind a silent NSG deny sees.
 */
final class SwitchableMx implements AutoCloseable {
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private volatile boolean answering = true;

    SwitchableMx(InetAddress bind, int port) throws IOException {
        listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(bind, port), 1);
        acceptor = new Thread(this::accept, "switchable-mx");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException closed) {
                return;
            }
            if (!answering) {
                // The first filler: keep it and accept no more, so the queue fills behind it.
                held.add(socket);
                return;
            }
            Thread session = new Thread(() -> converse(socket), "switchable-mx-session");
            session.setDaemon(true);
            session.start();
        }
    }

    /** 220, EHLO answered, QUIT (RFC 5321 section 4.3.2): a probe of mode smtp ends ok. */
    private static void converse(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
            out.write("220 mx.fleet.test ESMTP\r\n");
            out.flush();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                out.write(switch (verb) {
                    case "EHLO" -> "250-mx.fleet.test\r\n250 8BITMIME\r\n";
                    case "QUIT" -> "221 2.0.0 bye\r\n";
                    default -> "250 2.0.0 ok\r\n";
                });
                out.flush();
                if (verb.equals("QUIT")) {
                    return;
                }
            }
        } catch (IOException e) {
            // the probe hung up: nothing to do
        }
    }

    /** From now on every connect goes unanswered. */
    void dropConnects() throws IOException {
        answering = false;
        for (int i = 0; i < 64; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(listener.getLocalSocketAddress(), 200);
                held.add(filler);
            } catch (SocketTimeoutException full) {
                filler.close();
                return;
            }
        }
        throw new IllegalStateException("the accept queue of " + listener + " never filled up");
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : held) {
            socket.close();
        }
    }
}
