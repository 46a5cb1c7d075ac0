package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.testing.Serial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand targets under the systemd unit's small heap: the exposition is megabytes, and the agent
 * must serve it without running out of memory (with the unit's ExitOnOutOfMemoryError, an OOM at
 * scrape time would restart the agent at every scrape).
 */
@Serial
class ThousandTargetScrapeTest {
    static final int TARGETS = 1000;

    @TempDir
    Path dir;

    @Test
    void servesTheExpositionOfAThousandTargetsWithinTheUnitsHeap() throws Exception {
        Path file = Files.writeString(dir.resolve("thousand.yml"), thousandRefusedTargets());

        try (AgentProcess agent = AgentProcess.start(file)) {
            agent.awaitProbes(TARGETS, 60);
            for (int scrape = 0; scrape < 3; scrape++) {
                AgentProcess.Scrape metrics = agent.scrape();
                // About 1.5 MB since issue 15 left out zero one-hots and unmeasured series (4.3 MB before).
                assertThat(metrics.text().length()).as("exposition size").isGreaterThan(1_400_000);
                assertThat(metrics.text()).contains("smtp_probe_outcome{host=\"127.0.0.1\",outcome=\"tcp_refused\","
                        + "target=\"t999\"} 1");
            }
            assertThat(agent.process().process().isAlive()).as("agent alive after the scrapes; output:\n%s",
                    agent.process().output()).isTrue();
        }
    }

    /**
     * A loopback port held by a socket that is bound but never listens, for the JVM's life: a connect to it is
     * refused at once, and no listener can take it meanwhile. A port merely closed again could be handed to the
     * next bind to port 0, and once was: the agent's own HTTP listener took it, and its probes met Jetty
     * (greeting_timeout) instead of an RST.
     */
    private static final java.net.Socket CLOSED_PORT = reserveClosedPort();

    private static java.net.Socket reserveClosedPort() {
        try {
            java.net.Socket socket = new java.net.Socket();
            socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            return socket;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String thousandRefusedTargets() throws IOException {
        return refusedTargets(TARGETS);
    }

    /** A config of {@code count} smtp targets on a closed loopback port: every probe is refused at once. */
    static String refusedTargets(int count) throws IOException {
        int closedPort = CLOSED_PORT.getLocalPort();
        StringBuilder config = new StringBuilder("""
                azure:
                  metadata: off
                probe:
                  interval: 1h
                  jitter: 1s
                  timeout: 2s
                  concurrency: 64
                  helo_name: vm.test
                targets:
                """);
        for (int i = 0; i < count; i++) {
            config.append("  - name: t").append(i).append("\n    host: 127.0.0.1\n    mode: smtp\n    port: ")
                    .append(closedPort).append('\n');
        }
        return config.toString();
    }
}
