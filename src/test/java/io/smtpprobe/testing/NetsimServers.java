package io.smtpprobe.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The "internet" side of the simulated Azure network that {@code src/test/sh/azure-network-test.sh}
 * builds: one JVM, run inside the internet network namespace, serving every remote the agent probes.
 *
 * <ul>
 *   <li>{@code mx=ADDR[,ADDR...]}: an MX on each ADDR:25 (SubEthaSMTP) that offers STARTTLS, as real MX
 *       hosts do;</li>
 *   <li>{@code blocklist=ADDR}: an MX on ADDR:25 that refuses every client with a 554 greeting, the way
 *       a receiver answers an address on a blocklist (RFC 5321 section 3.1);</li>
 *   <li>{@code relay=ADDR}: a submission relay on ADDR:587 that requires STARTTLS and then AUTH PLAIN or
 *       LOGIN (RFC 3207, RFC 4954), with the credentials {@code user=} and {@code password_file=};</li>
 *   <li>{@code control=ADDR}: a TCP listener on ADDR:443 that accepts and closes, the control target.</li>
 * </ul>
 *
 * The TLS identity comes from {@code keystore=} (PKCS12, password {@code keystore_password=}), made by
 * the script with a test CA the agent trusts through {@code tls.ca_file}. When everything listens, the
 * file named by {@code ready=} is written; the servers then run until the process is terminated.
 */
public final class NetsimServers {
    private static final int SMTP = 25;
    private static final int SUBMISSION = 587;
    private static final int HTTPS = 443;

    private final Map<String, String> options;
    private final List<SMTPServer> smtpServers = new ArrayList<>();
    private final List<ServerSocket> rawListeners = new ArrayList<>();

    private NetsimServers(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        NetsimServers servers = new NetsimServers(parse(args));
        Runtime.getRuntime().addShutdownHook(new Thread(servers::stop, "netsim-stop"));
        servers.start();
        Files.writeString(Path.of(servers.required("ready")), "listening\n");
        new CountDownLatch(1).await();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, found '" + arg + "'");
            }
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return options;
    }

    private String required(String key) {
        String value = options.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("missing option " + key + "=");
        }
        return value;
    }

    private void start() throws IOException, GeneralSecurityException {
        SSLContext tls = serverTls(Path.of(required("keystore")), required("keystore_password"));
        if (options.containsKey("mx")) {
            for (String address : options.get("mx").split(",")) {
                startMx(InetAddress.getByName(address), tls);
            }
        }
        if (options.containsKey("relay")) {
            startRelay(InetAddress.getByName(options.get("relay")), tls);
        }
        if (options.containsKey("blocklist")) {
            listen(InetAddress.getByName(options.get("blocklist")), SMTP, NetsimServers::refuseAsBlocklisted);
        }
        if (options.containsKey("control")) {
            listen(InetAddress.getByName(options.get("control")), HTTPS, socket -> {});
        }
    }

    private void startMx(InetAddress address, SSLContext tls) {
        SMTPServer server = SMTPServer.port(SMTP)
                .bindAddress(address)
                .hostName("mx1.example.test")
                .softwareName("netsim MX")
                .enableTLS()
                .startTlsSocketFactory(tls)
                .messageHandler((context, from, to, data) -> {})
                .build();
        server.start();
        smtpServers.add(server);
    }

    private void startRelay(InetAddress address, SSLContext tls) throws IOException {
        String user = required("user");
        String password = Files.readString(Path.of(required("password_file"))).strip();
        SMTPServer server = SMTPServer.port(SUBMISSION)
                .bindAddress(address)
                .hostName("relay.example.test")
                .softwareName("netsim relay")
                .requireTLS()
                .startTlsSocketFactory(tls)
                .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((name, secret, context) -> {
                    if (!user.equals(name) || !password.equals(secret)) {
                        throw new LoginFailedException();
                    }
                }))
                .requireAuth()
                .messageHandler((context, from, to, data) -> {})
                .build();
        server.start();
        smtpServers.add(server);
    }

    /**
     * A 554 greeting, then what RFC 5321 section 3.1 asks of a server that refused the session: 503 to
     * every command but QUIT, which gets 221.
     */
    private static void refuseAsBlocklisted(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        String client = socket.getInetAddress().getHostAddress();
        out.write(("554 5.7.1 Service unavailable; client host [" + client + "] blocklisted by netsim-rbl.test\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.regionMatches(true, 0, "QUIT", 0, 4)) {
                out.write("221 2.0.0 Bye\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            out.write("503 5.5.1 No service\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    private interface Conversation {
        void run(Socket socket) throws IOException;
    }

    private void listen(InetAddress address, int port, Conversation conversation) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(address, port));
        rawListeners.add(listener);
        Thread acceptor = new Thread(() -> acceptLoop(listener, conversation), "netsim-" + address.getHostAddress() + ":" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void acceptLoop(ServerSocket listener, Conversation conversation) {
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread worker = new Thread(() -> {
                try (socket) {
                    conversation.run(socket);
                } catch (IOException e) {
                    // A client that goes away mid-conversation ends only its own connection.
                }
            }, "netsim-conn");
            worker.setDaemon(true);
            worker.start();
        }
    }

    private static SSLContext serverTls(Path keystore, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private void stop() {
        smtpServers.forEach(SMTPServer::stop);
        for (ServerSocket listener : rawListeners) {
            try {
                listener.close();
            } catch (IOException e) {
                // Stopping anyway: the process is exiting.
            }
        }
    }
}
