package io.smtpprobe.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.config.Mode;
import io.smtpprobe.probe.dns.DnsResolver;
import io.smtpprobe.probe.target.TargetProber;
import io.smtpprobe.testing.FakeDnsServer;
import io.smtpprobe.testing.Targets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 4: one deadline bounds a probe's DNS with the rest of it. Three silent name servers
 * once made a 3 s probe take 9 s (a full timeout each), and an MX target with ten hosts whose address
 * lookups go unanswered took 40 s at a 2 s timeout; in the daemon both overran and were recorded as
 * deadline_exceeded, while what happened was a dns_failure.
 */
class DnsDeadlineTest {
    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private final List<FakeDnsServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(FakeDnsServer::close);
    }

    private TargetProber prober(String... unanswered) throws Exception {
        List<String> hostPorts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FakeDnsServer dns = FakeDnsServer.start();
            for (String name : unanswered) {
                dns.unanswered(name);
            }
            servers.add(dns);
            hostPorts.add(dns.hostPort());
        }
        DnsConfig config = new DnsConfig(hostPorts, IpFamily.IPV4);
        return new TargetProber(new ProbeOptions(TIMEOUT, "probe.test", config, false),
                new DnsResolver(config, TIMEOUT), Clock.systemUTC(), Ticker.SYSTEM);
    }

    @Test
    void threeSilentNameServersEndAsDnsFailureWithinOneProbeTimeoutNotThree() throws Exception {
        try (TargetProber prober = prober("silent.test")) {
            long start = System.nanoTime();
            List<ProbeResult> results = prober.probe(Targets.host("silent.test", 25, Mode.SMTP).build());
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(results).singleElement().satisfies(r -> {
                assertThat(r.outcome()).isEqualTo(Outcome.DNS_FAILURE);
                // Each of the three servers was asked, for a third of the deadline.
                assertThat(r.detail()).startsWith("silent.test: A lookup failed: timed out after 500ms querying ")
                        .contains(servers.get(0).hostPort()).contains(servers.get(1).hostPort())
                        .contains(servers.get(2).hostPort());
            });
            assertThat(took).isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50)).isLessThan(TIMEOUT.plusMillis(700));
        }
    }

    @Test
    void anMxTargetWhoseTenHostsGoUnresolvedEndsWithinOneProbeTimeoutWithADnsFailurePerHost() throws Exception {
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            hosts.add("mx" + i + ".ten.test");
        }
        try (TargetProber prober = prober(hosts.toArray(String[]::new))) {
            for (FakeDnsServer dns : servers) {
                for (int i = 0; i < hosts.size(); i++) {
                    dns.mx("ten.test", 10 + i, hosts.get(i));
                }
            }
            long start = System.nanoTime();
            List<ProbeResult> results = prober.probe(Targets.mx("ten.test", 10, 25, Mode.SMTP).build());
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(results).hasSize(10).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.DNS_FAILURE));
            assertThat(results.get(0).detail()).startsWith("mx0.ten.test: A lookup failed: timed out after");
            assertThat(results.get(9).detail()).isEqualTo("mx9.ten.test: no time left to resolve it: this MX"
                    + " target's earlier lookups used up its DNS time of 1.5s");
            assertThat(took).isLessThan(TIMEOUT.plusMillis(700));
        }
    }
}
