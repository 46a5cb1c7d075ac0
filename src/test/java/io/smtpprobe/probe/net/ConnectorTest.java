package io.smtpprobe.probe.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprobe.probe.Ticker;
import io.smtpprobe.probe.step.ProbeDeadline;
import io.smtpprobe.testing.BacklogFullListener;
import io.smtpprobe.testing.Descriptors;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The selector thread that waits for TCP handshakes, against real loopback listeners. */
class ConnectorTest {
    private final Connector connector = new Connector();
    private final List<SocketChannel> channels = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        connector.close();
        for (SocketChannel channel : channels) {
            channel.close();
        }
    }

    @Test
    void handsBackAConnectedChannelThatWorksInBlockingMode() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            SocketChannel channel = open();
            AtomicReference<String> settledOn = new AtomicReference<>();

            connector.connect(channel, listener.getLocalSocketAddress(), deadline(Duration.ofSeconds(10)),
                    connected -> settledOn.set(Thread.currentThread().getName())).get(10, TimeUnit.SECONDS);
            channel.configureBlocking(true);
            try (Socket peer = listener.accept()) {
                peer.getOutputStream().write("220 hello\r\n".getBytes());
                byte[] greeting = new byte[11];
                assertThat(channel.socket().getInputStream().readNBytes(greeting, 0, 11)).isEqualTo(11);
                assertThat(new String(greeting)).isEqualTo("220 hello\r\n");
            }
            assertThat(settledOn.get()).isNotNull();
        }
    }

    @Test
    void failsARefusedConnectWithTheExceptionABlockingConnectThrows() throws Exception {
        int closedPort;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closedPort = listener.getLocalPort();
        }
        InetSocketAddress nowhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort);
        IOException blocking;
        try (Socket socket = new Socket()) {
            socket.connect(nowhere, 5000);
            throw new AssertionError("nothing listens on " + nowhere);
        } catch (IOException e) {
            blocking = e;
        }

        CompletableFuture<Void> connect = connector.connect(open(), nowhere, deadline(Duration.ofSeconds(10)), connected -> { });

        assertThatThrownBy(() -> connect.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ConnectException.class).isExactlyInstanceOf(blocking.getClass())
                .hasMessage(blocking.getMessage());
    }

    @Test
    void failsAnUnansweredConnectWithATimeoutOnceItsDeadlineHasPassed() throws Exception {
        try (BacklogFullListener silent = new BacklogFullListener()) {
            ProbeDeadline deadline = deadline(Duration.ofMillis(300));
            AtomicReference<Boolean> passedWhenSettled = new AtomicReference<>();

            CompletableFuture<Void> connect = connector.connect(open(), address(silent), deadline,
                    connected -> passedWhenSettled.set(deadline.passed()));

            assertThatThrownBy(() -> connect.get(10, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(passedWhenSettled.get()).as("settled only once the deadline had passed").isTrue();
        }
    }

    @Test
    void waitsForEveryPendingConnectOnOneThread() throws Exception {
        try (BacklogFullListener silent = new BacklogFullListener()) {
            long threads = threadsNamed("smtp-probe-connect");
            List<CompletableFuture<Void>> connects = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                connects.add(connector.connect(open(), address(silent), deadline(Duration.ofMinutes(5)), connected -> { }));
            }

            assertThat(connector.waiting()).isEqualTo(40);
            assertThat(connects).noneMatch(CompletableFuture::isDone);
            assertThat(threadsNamed("smtp-probe-connect")).isEqualTo(threads).isPositive();
        }
    }

    @Test
    void failsPendingConnectsAndLeavesNoThreadOrDescriptorWhenClosed() throws Exception {
        try (BacklogFullListener silent = new BacklogFullListener()) {
            // The listener's own backlog-filling clients are sockets to it too; what the connector opened must go.
            long sockets = Descriptors.socketsTo(silent.port());
            long threads = threadsNamed("smtp-probe-connect");
            Connector closing = new Connector();
            List<SocketChannel> opened = new ArrayList<>();
            List<CompletableFuture<Void>> connects = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                SocketChannel channel = SocketChannel.open();
                opened.add(channel);
                connects.add(closing.connect(channel, address(silent), deadline(Duration.ofMinutes(5)), connected -> { }));
            }

            closing.close();

            assertThat(connects).allSatisfy(connect -> assertThatThrownBy(() -> connect.get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOf(IOException.class).hasMessageContaining("closed"));
            assertThat(threadsNamed("smtp-probe-connect")).isEqualTo(threads);
            for (SocketChannel channel : opened) {
                channel.close();
            }
            assertThat(Descriptors.socketsTo(silent.port())).as("sockets to the silent listener").isEqualTo(sockets);
            CompletableFuture<Void> late = closing.connect(open(), address(silent), deadline(Duration.ofMinutes(5)),
                    connected -> { });
            assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS)).cause().hasMessageContaining("closed");
        }
    }

    private SocketChannel open() throws IOException {
        SocketChannel channel = SocketChannel.open();
        channels.add(channel);
        return channel;
    }

    private static ProbeDeadline deadline(Duration timeout) {
        return new ProbeDeadline(Ticker.SYSTEM, timeout);
    }

    private static InetSocketAddress address(BacklogFullListener silent) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.port());
    }

    private static long threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).count();
    }
}
