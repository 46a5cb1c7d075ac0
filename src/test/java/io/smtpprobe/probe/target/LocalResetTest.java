package io.smtpprobe.probe.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An RST from an internet address within a millisecond is named local (README.md "Reading the verdicts"). */
class LocalResetTest {
    @Test
    void anRstFromTheInternetWithinAMillisecondIsNamedTheVmsOwnFirewall() throws Exception {
        assertThat(LocalReset.note(InetAddress.getByName("203.0.113.10"), Duration.ofNanos(120_000)))
                .isEqualTo("; the RST came back in 0.12 ms, too soon to have crossed the internet: a firewall on this"
                        + " VM (nftables, iptables, ufw, firewalld) or right beside it sent it");
        assertThat(LocalReset.note(InetAddress.getByName("2001:db8::25"), Duration.ofNanos(900_000))).contains("0.90 ms");
    }

    @Test
    void anRstThatTookAMillisecondOrMoreSaysNothingOfWhereItCameFrom() throws Exception {
        assertThat(LocalReset.note(InetAddress.getByName("203.0.113.10"), Duration.ofMillis(1))).isEmpty();
        assertThat(LocalReset.note(InetAddress.getByName("203.0.113.10"), Duration.ofMillis(23))).isEmpty();
    }

    @Test
    void addressesOffTheInternetAreNearAnywaySoTheirSpeedSaysNothing() throws Exception {
        for (String address : new String[] {"127.0.0.1", "::1", "10.0.0.4", "172.16.5.5", "192.168.1.1",
                "100.64.0.1", "169.254.1.1", "fd00::1", "fe80::1"}) {
            assertThat(LocalReset.note(InetAddress.getByName(address), Duration.ofNanos(50_000))).as(address).isEmpty();
        }
        assertThat(LocalReset.note(null, Duration.ZERO)).isEmpty();
    }
}
