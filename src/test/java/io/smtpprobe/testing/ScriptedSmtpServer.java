package io.smtpprobe.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A loopback server that plays a script per connection, for the peer behaviours real mail servers
 * will not produce: silence, garbage, a banner one byte at a time, endless replies. Everything the
 * client sends is recorded, so a test can prove what never left the client (a password).
 */
public final class ScriptedSmtpServer implements AutoCloseable {

    /** What the server does with one accepted connection. */
    @FunctionalInterface
    public interface Script {
        void play(Peer peer) throws IOException, InterruptedException;
    }

    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<Throwable> scriptFailures = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

    private ScriptedSmtpServer(InetAddress bind, int port, Script script) throws IOException {
        listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(bind, port), 50);
        acceptor = new Thread(() -> acceptLoop(script), "scripted-smtp-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A server on 127.0.0.1 and a random port. */
    public static ScriptedSmtpServer start(Script script) throws IOException {
        return new ScriptedSmtpServer(InetAddress.getLoopbackAddress(), 0, script);
    }

    /** A server on a chosen loopback address and port (root may bind 127.x.y.z:25). */
    public static ScriptedSmtpServer start(InetAddress bind, int port, Script script) throws IOException {
        return new ScriptedSmtpServer(bind, port, script);
    }

    /** How many connections the server has accepted. */
    public int accepted() {
        return accepted.get();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Every line the clients sent, in order, across connections. */
    public List<String> received() {
        return List.copyOf(received);
    }

    /** Everything the clients sent, as one text. */
    public String receivedText() {
        return String.join("\n", received);
    }

    private void acceptLoop(Script script) {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                connections.add(socket);
                accepted.incrementAndGet();
                Thread worker = new Thread(() -> serve(socket, script), "scripted-smtp-peer");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, Script script) {
        try (socket) {
            script.play(new Peer(socket, received));
        } catch (IOException | InterruptedException e) {
            // The client hung up or the server closed: the script simply ends.
        } catch (RuntimeException e) {
            scriptFailures.add(e);
        } finally {
            connections.remove(socket);
        }
    }

    /** Waits (bounded) until every accepted connection's script has ended and its socket closed. */
    public void awaitIdle(java.time.Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!connections.isEmpty()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException(connections.size() + " connections still open after " + limit);
            }
            Thread.sleep(10);
        }
    }

    /** Closes the listening socket only: connections made are served on, the next connect is refused (RST). */
    public void stopListening() throws IOException {
        listener.close();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : connections) {
            socket.close();
        }
        if (!scriptFailures.isEmpty()) {
            throw new IllegalStateException("a server script failed", scriptFailures.get(0));
        }
    }

    /** One accepted connection, as a script sees it. */
    public static final class Peer {
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private final List<String> received;

        Peer(Socket socket, List<String> received) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.received = received;
        }

        /** Sends one line with CRLF. */
        /**
         * Greets, answers EHLO with {@code extensions} and says 220 to STARTTLS (RFC 3207 section 4),
         * leaving the handshake (or the stall) to the script.
         */
        public Peer greetAndAcceptStarttls(String greeting, String... extensions) throws IOException {
            send(greeting);
            expect("EHLO");
            for (String line : ehloReply(extensions)) {
                send(line);
            }
            expect("STARTTLS");
            return send("220 2.0.0 go ahead");
        }

        public Peer send(String line) throws IOException {
            return sendRaw((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        }

        public Peer sendRaw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
            return this;
        }

        /** Reads one line the client sent (without CRLF), or null at end of stream. */
        public String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (b != '\r' && line.size() < 8192) {
                    line.write(b);
                }
            }
            if (b == -1 && line.size() == 0) {
                return null;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            received.add(text);
            return text;
        }

        /** Reads a command and checks that it starts with {@code verb}, case-insensitively. */
        public String expect(String verb) throws IOException {
            String line = readLine();
            if (line == null || !line.regionMatches(true, 0, verb, 0, verb.length())) {
                throw new IOException("expected " + verb + " but the client sent " + line);
            }
            return line;
        }

        /** Reads commands until the client closes, answering each with {@code reply}. */
        public void answerEverything(String reply) throws IOException {
            while (readLine() != null) {
                send(reply);
            }
        }

        /** Switches this connection to TLS as the server side (after a 220 to STARTTLS). */
        public Peer startTls(SSLContext context) throws IOException {
            SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
            ssl.setUseClientMode(false);
            ssl.startHandshake();
            socket = ssl;
            in = ssl.getInputStream();
            out = ssl.getOutputStream();
            return this;
        }

        /**
         * Waits {@code quiet} (a real socket timeout) for the client to send nothing, as a client
         * waiting for our greeting does; fails if it sends or closes instead.
         */
        public Peer awaitSilence(java.time.Duration quiet) throws IOException {
            socket.setSoTimeout((int) quiet.toMillis());
            try {
                int b = in.read();
                throw new IOException("expected silence but the client " + (b < 0 ? "closed" : "sent a byte"));
            } catch (java.net.SocketTimeoutException e) {
                return this;
            } finally {
                socket.setSoTimeout(0);
            }
        }

        /** Drops the connection with an RST (SO_LINGER 0), as a crashing or firewalled server does. */
        public void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        /** Waits until the client closes or the socket is closed under us. */
        public void awaitClose() throws IOException {
            while (in.read() != -1) {
                // discard
            }
        }
    }

    /** Lines of a typical EHLO reply, for scripts: {@code ehloReply("250", "PIPELINING", "STARTTLS")}. */
    public static List<String> ehloReply(String... extensions) {
        List<String> lines = new ArrayList<>();
        lines.add("mail.test");
        lines.addAll(List.of(extensions));
        List<String> reply = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            reply.add("250" + (i == lines.size() - 1 ? " " : "-") + lines.get(i));
        }
        return reply;
    }
}
