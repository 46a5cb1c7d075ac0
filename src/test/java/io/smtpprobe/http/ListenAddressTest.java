package io.smtpprobe.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ListenAddressTest {
    @Test
    void readsAPortAloneAsEveryInterface() {
        InetSocketAddress any = ListenAddress.parse(":9925");
        assertThat(any.getAddress().isAnyLocalAddress()).isTrue();
        assertThat(any.getPort()).isEqualTo(9925);
    }

    @Test
    void readsHostAndPortForIpv4AndBracketedIpv6() {
        assertThat(ListenAddress.parse("127.0.0.1:9925")).isEqualTo(new InetSocketAddress("127.0.0.1", 9925));
        assertThat(ListenAddress.parse("[::1]:9925")).isEqualTo(new InetSocketAddress("::1", 9925));
    }

    @Test
    void saysWhatIsWrongWithAnAddressItCannotUse() {
        assertThatThrownBy(() -> ListenAddress.parse("9925"))
                .hasMessage("web.listen_address: expected host:port or :port, found \"9925\"");
        assertThatThrownBy(() -> ListenAddress.parse(":http"))
                .hasMessage("web.listen_address: the port must be a number, found \":http\"");
        assertThatThrownBy(() -> ListenAddress.parse(":70000"))
                .hasMessage("web.listen_address: the port must be between 0 and 65535, found 70000");
    }
}
