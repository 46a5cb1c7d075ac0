package io.smtpprobe.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Mode;
import io.smtpprobe.testing.BacklogFullListener;
import io.smtpprobe.testing.Targets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcpProbeTest {
    /** For the one test that waits for the deadline (an unanswered SYN). */
    private final ProberFixture deadline = new ProberFixture(Duration.ofMillis(1500));
    /** For outcomes that come at once (OK, RST, DNS): a budget CPU starvation on a loaded machine cannot use up. */
    private final ProberFixture fixture = new ProberFixture(Duration.ofSeconds(10));

    @AfterEach
    void close() {
        fixture.close();
        deadline.close();
    }

    @Test
    void reportsOkWhenSomethingListens() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ProbeResult result = fixture.probe(Targets.host("localhost", listener.getLocalPort(), Mode.TCP).build());

            assertThat(result.outcome()).isEqualTo(Outcome.OK);
            assertThat(result.address()).isEqualTo("127.0.0.1");
            assertThat(result.host()).isEqualTo("localhost");
            assertThat(result.phases()).containsKeys(Phase.DNS, Phase.CONNECT, Phase.TOTAL)
                    .doesNotContainKeys(Phase.GREETING, Phase.EHLO);
            assertThat(result.phases().get(Phase.CONNECT)).isLessThanOrEqualTo(result.total());
        }
    }

    @Test
    void reportsTcpRefusedWhenNothingListens() throws Exception {
        int closedPort;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closedPort = listener.getLocalPort();
        }
        ProbeResult result = fixture.probe(Targets.host("127.0.0.1", closedPort, Mode.SMTP).build());

        assertThat(result.outcome()).isEqualTo(Outcome.TCP_REFUSED);
        assertThat(result.phases()).containsKeys(Phase.CONNECT, Phase.TOTAL).doesNotContainKey(Phase.GREETING);
    }

    @Test
    void reportsTcpTimeoutWhenTheSynGoesUnanswered() throws Exception {
        try (BacklogFullListener silent = new BacklogFullListener()) {
            ProbeResult result = deadline.probe(Targets.host("localhost", silent.port(), Mode.SMTP).build());

            assertThat(result.outcome()).isEqualTo(Outcome.TCP_TIMEOUT);
            assertThat(result.phases().get(Phase.CONNECT)).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
            assertThat(deadline.lastElapsed()).isLessThan(deadline.timeout.plusMillis(300));
        }
    }

    @Test
    void probesAnIpv6HostAndWritesItsAddressTheShortWay() throws Exception {
        try (io.smtpprobe.testing.ScriptedSmtpServer mx = io.smtpprobe.testing.ScriptedSmtpServer.start(
                InetAddress.getByName("::1"), 0, peer -> {
                    peer.send("220 mx6.test ESMTP");
                    peer.expect("EHLO");
                    peer.send("250 mx6.test");
                    peer.expect("QUIT");
                    peer.send("221 bye");
                })) {
            fixture.resolver.host("mx6.test", "::1");
            ProbeResult result = fixture.probe(Targets.host("mx6.test", mx.port(), Mode.SMTP).build());

            assertThat(result.outcome()).isEqualTo(Outcome.OK);
            assertThat(result.address()).isEqualTo("::1");
        }
    }

    @Test
    void writesIpv6AddressesInTheirRfc5952Form() throws Exception {
        assertThat(IpLiteral.format(InetAddress.getByName("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(IpLiteral.format(InetAddress.getByName("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(IpLiteral.format(InetAddress.getByName("fe80::"))).isEqualTo("fe80::");
        assertThat(IpLiteral.format(InetAddress.getByName("192.0.2.25"))).isEqualTo("192.0.2.25");
    }

    @Test
    void reportsDnsFailureWithTheResolversReason() {
        ProbeResult result = fixture.probe(Targets.host("no-such-host.invalid", 25, Mode.SMTP).build());

        assertThat(result.outcome()).isEqualTo(Outcome.DNS_FAILURE);
        assertThat(result.detail()).contains("NXDOMAIN");
        assertThat(result.address()).isNull();
        assertThat(result.phases()).containsKeys(Phase.DNS, Phase.TOTAL).doesNotContainKey(Phase.CONNECT);
    }

    @Test
    void probesEachMxHostAndReportsAnUnresolvableDomainOnce() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            fixture.resolver.host("mx1.test", "127.0.0.1").host("mx2.test", "127.0.0.1")
                    .mx("mail.test", "mx1.test", "mx2.test", "mx3.test");
            int port = ((InetSocketAddress) listener.getLocalSocketAddress()).getPort();

            assertThat(fixture.probeAll(Targets.mx("mail.test", 2, port, Mode.TCP).build()))
                    .extracting(ProbeResult::host, ProbeResult::outcome)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("mx1.test", Outcome.OK),
                            org.assertj.core.groups.Tuple.tuple("mx2.test", Outcome.OK));
            assertThat(fixture.probeAll(Targets.mx("nowhere.test", 2, port, Mode.TCP).build()))
                    .singleElement()
                    .satisfies(r -> {
                        assertThat(r.outcome()).isEqualTo(Outcome.DNS_FAILURE);
                        assertThat(r.host()).isEqualTo("nowhere.test");
                        assertThat(r.phases()).containsKeys(Phase.DNS, Phase.TOTAL);
                    });
        }
    }
}
