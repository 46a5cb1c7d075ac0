package io.smtpprobe.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Who may {@code POST /-/reload} without authentication: this machine only (issue 23). The refusal of another
 * machine is pinned in the simulated network, where a second namespace is another machine.
 */
class LocalAddressesTest {
    @Test
    void loopbackIsThisMachineAndAnAddressNoInterfaceHasIsNot() {
        assertThat(LocalAddresses.isLocal("127.0.0.1")).isTrue();
        assertThat(LocalAddresses.isLocal("127.8.9.10")).isTrue();
        assertThat(LocalAddresses.isLocal("::1")).isTrue();
        assertThat(LocalAddresses.isLocal("192.0.2.77")).as("TEST-NET-1, on no interface here").isFalse();
        assertThat(LocalAddresses.isLocal("not an address")).isFalse();
        assertThat(LocalAddresses.isLocal(null)).isFalse();
    }
}
