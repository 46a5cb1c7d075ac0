package io.smtpprobe.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code no_route} and {@code unreachable} as the kernel reports them, in a network namespace this test
 * creates with only a loopback interface (iproute2, as root). Nothing can leave the namespace: two
 * destinations have no route at all (ENETUNREACH: {@code no_route}, revision 3; the IPv6 one is the VM
 * without IPv6 that an AAAA-only MX meets), the third an explicit unreachable route (EHOSTUNREACH, what an
 * ICMP host-unreachable or admin-prohibited also yields). All are documentation addresses (RFC 5737,
 * RFC 3849). The asynchronous probe, its connect on a selector, must end each exactly as the blocking one does.
 */
class UnreachableProbeTest {

    @Test
    void reportsUnreachableWhenTheKernelHasNoRouteToTheDestination() throws Exception {
        String namespace = "smtpprobe-unreach-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", namespace);
        try {
            run("ip", "-n", namespace, "link", "set", "lo", "up");
            run("ip", "-n", namespace, "route", "add", "unreachable", "192.0.2.0/24");

            List<String> lines = probeInside(namespace, "2000", "198.51.100.1:25", "192.0.2.1:25", "[2001:db8::25]:25");

            assertThat(lines).hasSize(6);
            assertThat(lines.get(0)).isEqualTo("198.51.100.1 no_route this VM has no route to the address (network"
                    + " unreachable): no packet left it, as on a VM without IPv6; mail servers skip such an address");
            assertThat(lines.get(1)).isEqualTo("async " + lines.get(0));
            assertThat(lines.get(2)).startsWith("192.0.2.1 unreachable an ICMP unreachable came back (no route to host,"
                    + " or administratively prohibited)").doesNotContain("Exception");
            assertThat(lines.get(3)).isEqualTo("async " + lines.get(2));
            assertThat(lines.get(4)).startsWith("2001:db8::25 no_route this VM has no route to the address");
            assertThat(lines.get(5)).isEqualTo("async " + lines.get(4));
        } finally {
            run("ip", "netns", "delete", namespace);
        }
    }

    @Test
    void reportsTcpTimeoutWhenTheKernelGivesUpOnTheSynBeforeTheDeadline() throws Exception {
        // A veth pair inside the namespace, the far end without an address and the destination's MAC
        // pinned to nobody: every SYN is silently dropped there. With one SYN retry the kernel gives
        // up after about 3 s with ETIMEDOUT, which the JDK reports as ConnectException "Connection timed out".
        String namespace = "smtpprobe-synto-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", namespace);
        try {
            run("ip", "-n", namespace, "link", "set", "lo", "up");
            run("ip", "-n", namespace, "link", "add", "near0", "type", "veth", "peer", "name", "far0");
            run("ip", "-n", namespace, "addr", "add", "203.0.113.1/24", "dev", "near0");
            run("ip", "-n", namespace, "link", "set", "near0", "up");
            run("ip", "-n", namespace, "link", "set", "far0", "up");
            run("ip", "-n", namespace, "neigh", "replace", "203.0.113.25", "lladdr", "02:00:00:00:00:19", "dev", "near0",
                    "nud", "permanent");
            // Per-namespace sysctl, written directly so that only iproute2 is needed.
            run("ip", "netns", "exec", namespace, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/tcp_syn_retries");

            List<String> lines = probeInside(namespace, "10000", "203.0.113.25:25");

            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).startsWith("203.0.113.25 tcp_timeout ").containsIgnoringCase("timed out");
            assertThat(lines.get(1)).isEqualTo("async " + lines.get(0));
        } finally {
            run("ip", "netns", "delete", namespace);
        }
    }

    /** Runs {@link UnreachableProbeMain} inside the namespace on this JVM and class path: its output lines. */
    private static List<String> probeInside(String namespace, String timeoutMillis, String... destinations)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                UnreachableProbeMain.class.getName(), timeoutMillis));
        command.addAll(List.of(destinations));
        return run(command.toArray(String[]::new));
    }

    private static List<String> run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
        }
        List<String> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.strip());
            }
        }
        return lines;
    }
}
