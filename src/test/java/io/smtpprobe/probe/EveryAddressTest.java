package io.smtpprobe.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.config.Mode;
import io.smtpprobe.probe.target.TargetProber;
import io.smtpprobe.testing.LoopbackResolver;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.Targets;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Revision 3: a host is tried on its addresses in DNS order, at most {@code probe.addresses_per_host}, until one
 * answers, as an MTA does (RFC 5321 section 5.1). A real server listens on 127.0.0.1 only, so a connect to
 * another loopback address of the same host name is reset by the kernel.
 */
class EveryAddressTest {
    private final LoopbackResolver resolver = new LoopbackResolver();
    private TargetProber prober;

    private TargetProber prober(int addressesPerHost) {
        close();
        prober = new TargetProber(new ProbeOptions(Duration.ofSeconds(5), "probe.test",
                new DnsConfig(List.of(), IpFamily.ANY), false, addressesPerHost), resolver, Clock.systemUTC(),
                Ticker.SYSTEM);
        return prober;
    }

    @AfterEach
    void close() {
        if (prober != null) {
            prober.close();
        }
    }

    private static ScriptedSmtpServer greeting(String greeting) throws Exception {
        return ScriptedSmtpServer.start(InetAddress.getByName("127.0.0.1"), 0, peer -> {
            peer.send(greeting);
            String line;
            while ((line = peer.readLine()) != null) {
                if (line.startsWith("QUIT")) {
                    peer.send("221 bye");
                    return;
                }
                peer.send(line.startsWith("EHLO") ? "250 mx.test" : "250 ok");
            }
        });
    }

    @Test
    void goesOnToTheNextAddressWhenTheFirstResetsAndListsTheOneBefore() throws Exception {
        try (ScriptedSmtpServer server = greeting("220 mx.test ESMTP")) {
            resolver.host("mx.test", "127.0.0.3", "127.0.0.1");
            ProbeResult result = prober(2).probe(Targets.host("mx.test", server.port(), Mode.SMTP).build()).get(0);

            assertThat(result.outcome()).isEqualTo(Outcome.OK);
            assertThat(result.address()).isEqualTo("127.0.0.1");
            assertThat(result.attempts()).singleElement().satisfies(a -> {
                assertThat(a.address()).isEqualTo("127.0.0.3");
                assertThat(a.outcome()).isEqualTo(Outcome.TCP_REFUSED);
                assertThat(a.detail()).contains("nothing listens there, or a firewall rejects");
            });
            assertThat(result.phases()).containsKeys(Phase.CONNECT, Phase.GREETING, Phase.TOTAL);
        }
    }

    @Test
    void stopsAtTheFirstAddressThatAnswersEvenWhenItRefuses() throws Exception {
        try (ScriptedSmtpServer server = greeting("554 5.7.1 go away")) {
            resolver.host("mx.test", "127.0.0.1", "127.0.0.3");
            ProbeResult result = prober(2).probe(Targets.host("mx.test", server.port(), Mode.SMTP).build()).get(0);

            assertThat(result.outcome()).isEqualTo(Outcome.GREETING_REJECTED);
            assertThat(result.attempts()).isEmpty();
        }
    }

    @Test
    void triesNoMoreAddressesThanConfiguredAndKeepsTheFirstWhenNoneAnswers() throws Exception {
        try (ScriptedSmtpServer server = greeting("220 mx.test ESMTP")) {
            resolver.host("mx.test", "127.0.0.3", "127.0.0.4", "127.0.0.1");
            ProbeResult result = prober(2).probe(Targets.host("mx.test", server.port(), Mode.SMTP).build()).get(0);

            assertThat(result.outcome()).isEqualTo(Outcome.TCP_REFUSED);
            assertThat(result.address()).isEqualTo("127.0.0.3");
            assertThat(result.attempts()).extracting(ProbeResult.AddressAttempt::address).containsExactly("127.0.0.4");
            assertThat(server.accepted()).as("the third address, the one that listens, is past the limit").isZero();

            ProbeResult one = prober(1).probe(Targets.host("mx.test", server.port(), Mode.SMTP).build()).get(0);
            assertThat(one.attempts()).isEmpty();
        }
    }
}
