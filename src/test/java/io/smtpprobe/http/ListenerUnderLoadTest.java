package io.smtpprobe.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.daemon.Daemon;
import io.smtpprobe.testing.Churn;
import io.smtpprobe.testing.GatedProber;
import io.smtpprobe.testing.Serial;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23, first high finding: clients that open and close connections around the connection limit once
 * made Jetty close the listening socket for good (the limit toggled accepting on a connector without an
 * acceptor thread; re-registering the accept key failed and Jetty closed the channel). The process lived
 * on and probed, unreachable. However many clients churn, the listener must answer afterwards.
 */
@Serial
class ListenerUnderLoadTest {
    @TempDir
    Path dir;

    private final GatedProber prober = new GatedProber(Clock.systemUTC());
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private Daemon daemon;

    @AfterEach
    void stop() throws InterruptedException {
        if (daemon != null) {
            daemon.agent().shutdown();
            daemon.agent().awaitShutdown();
        }
    }

    private AgentHttpServer http;

    private Daemon start(RequestLimits limits) {
        daemon = OneRelayDaemon.start(dir, prober, logBytes,
                (address, agent, log) -> http = new AgentHttpServer(address, WebConfigFile.NONE, limits, agent, log));
        return daemon;
    }

    @Test
    void keepsListeningWhileClientsChurnAcrossTheConnectionLimit() throws Exception {
        // A limit of 8 with 48 churning clients crosses the limit thousands of times a second: the old
        // connector closed its listener within the first second of this.
        start(new RequestLimits(Duration.ofSeconds(10), 8));
        Churn churn = Churn.run(daemon.port(), "/-/healthy", 48, Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThat(churn.answered()).as("requests answered while churning").isGreaterThan(100);
        assertThat(healthy(daemon.port())).as("the listener after the churn").isTrue();
    }

    @Test
    void keepsListeningWithTheDefaultLimitFilledByIdleConnectionsAndTheRestChurning() throws Exception {
        start(RequestLimits.DEFAULT);
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < RequestLimits.DEFAULT.maxConnections() - 7; i++) {
                idle.add(new Socket("127.0.0.1", daemon.port()));
            }
            Churn.run(daemon.port(), "/-/healthy", 30, Duration.ofSeconds(5), Duration.ofSeconds(5));
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
        assertThat(healthy(daemon.port())).as("the listener after the churn").isTrue();
    }

    @Test
    void stopsWithExitCode70AndSaysWhyWhenItsListenerClosesUnderIt() throws Exception {
        start(RequestLimits.DEFAULT);
        http.listener().close();
        int exit = daemon.agent().awaitShutdown();
        daemon = null;
        assertThat(exit).as("exit code, for systemd's Restart=on-failure").isEqualTo(70);
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("level=error msg=\"the HTTP listener on"
                + " 127.0.0.1:0 closed; stopping so that the service manager restarts the agent\"",
                "error=\"the listening socket was closed");
    }

    /** One request on a fresh connection, answered 200 within 10 s. */
    static boolean healthy(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            return Churn.answers200(socket, "/-/healthy");
        } catch (IOException e) {
            return false;
        }
    }
}
