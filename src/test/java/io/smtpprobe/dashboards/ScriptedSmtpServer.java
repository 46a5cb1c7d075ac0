package io.smtpprobe.dashboards;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small SMTP server on a loopback address that plays one scripted part, enough to put a probe
 * into a chosen outcome: a plain receiver, a receiver refusing us at the greeting, or a relay that
 * offers STARTTLS (RFC 3207) and then rejects every AUTH with 535 (RFC 4954 section 6).
 */
final class ScriptedSmtpServer implements AutoCloseable {
    enum Part {
        /** 220, EHLO answered, QUIT: a probe of mode smtp ends ok. */
        RECEIVER,
        /** 554 at the greeting, as a receiver that blocklists the client does (RFC 5321 section 3.1). */
        REJECTING_RECEIVER,
        /** STARTTLS with the given certificate, then 535 to any AUTH. */
        RELAY_REJECTING_AUTH
    }

    private final ServerSocket socket;
    private final Part part;
    private final SSLContext tls;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-smtp");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private ScriptedSmtpServer(ServerSocket socket, Part part, SSLContext tls) {
        this.socket = socket;
        this.part = part;
        this.tls = tls;
        workers.execute(this::acceptLoop);
    }

    /** Listens on {@code address:port} (port 0: any free one). {@code tls} is needed for the relay part only. */
    static ScriptedSmtpServer start(InetAddress address, int port, Part part, SSLContext tls) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port), 50);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new ScriptedSmtpServer(socket, part, tls);
    }

    int port() {
        return socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                open.add(client);
                workers.execute(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(20_000);
            Conversation c = new Conversation(client);
            if (part == Part.REJECTING_RECEIVER) {
                c.reply("554 5.7.1 Service unavailable; client host blocked using a test blocklist");
                return;
            }
            c.reply("220 scripted.test ESMTP");
            boolean secured = false;
            for (String line = c.read(); line != null; line = c.read()) {
                String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> {
                        if (part == Part.RELAY_REJECTING_AUTH && !secured) {
                            c.reply("250-scripted.test", "250-PIPELINING", "250 STARTTLS");
                        } else if (part == Part.RELAY_REJECTING_AUTH) {
                            c.reply("250-scripted.test", "250 AUTH PLAIN LOGIN");
                        } else {
                            c.reply("250-scripted.test", "250 8BITMIME");
                        }
                    }
                    case "HELO" -> c.reply("250 scripted.test");
                    case "STARTTLS" -> {
                        if (part != Part.RELAY_REJECTING_AUTH || secured) {
                            c.reply("502 5.5.1 not offered");
                            continue;
                        }
                        c.reply("220 2.0.0 ready to start TLS");
                        c = c.upgrade(tls);
                        secured = true;
                    }
                    case "AUTH" -> {
                        if (line.split(" ").length == 2) {
                            c.reply("334 ");
                            c.read(); // the initial response, unread
                        }
                        c.reply("535 5.7.8 Authentication credentials invalid");
                    }
                    case "QUIT" -> {
                        c.reply("221 2.0.0 bye");
                        return;
                    }
                    case "RSET", "NOOP" -> c.reply("250 2.0.0 ok");
                    default -> c.reply("502 5.5.2 command not recognized");
                }
            }
        } catch (IOException e) {
            // the probe hung up; nothing to report
        } finally {
            open.remove(client);
        }
    }

    /** Line-oriented SMTP I/O over one socket, plain or TLS. */
    private static final class Conversation {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Conversation(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            this.out = socket.getOutputStream();
        }

        String read() throws IOException {
            return in.readLine();
        }

        void reply(String... lines) throws IOException {
            StringBuilder text = new StringBuilder();
            for (String line : lines) {
                text.append(line).append("\r\n");
            }
            out.write(text.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        Conversation upgrade(SSLContext tls) throws IOException {
            SSLSocket secured = (SSLSocket) tls.getSocketFactory()
                    .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
            secured.setUseClientMode(false);
            secured.startHandshake();
            return new Conversation(secured);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket client : open) {
            client.close();
        }
        workers.shutdownNow();
    }
}
