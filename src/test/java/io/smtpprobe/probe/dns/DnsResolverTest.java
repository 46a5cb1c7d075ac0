package io.smtpprobe.probe.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.probe.DnsFailure;
import io.smtpprobe.testing.FakeDnsServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DnsResolverTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private FakeDnsServer dns;

    @BeforeEach
    void startDns() throws Exception {
        dns = FakeDnsServer.start();
    }

    @AfterEach
    void stopDns() {
        dns.close();
    }

    private DnsResolver resolver(IpFamily family) {
        return resolver(family, TIMEOUT);
    }

    private DnsResolver resolver(IpFamily family, Duration timeout) {
        return new DnsResolver(new DnsConfig(List.of(dns.hostPort()), family), timeout);
    }

    private static List<String> addressesOf(List<InetAddress> addresses) {
        return addresses.stream().map(InetAddress::getHostAddress).toList();
    }

    @Nested
    class MxHosts {
        @Test
        void listsExchangesLowestPreferenceFirstWithoutTrailingDot() throws Exception {
            dns.mx("example.test", 30, "c.example.test").mx("example.test", 10, "a.example.test")
                    .mx("example.test", 20, "b.example.test");

            assertThat(resolver(IpFamily.IPV4).mxHosts("example.test", 5))
                    .containsExactly("a.example.test", "b.example.test", "c.example.test");
        }

        @Test
        void keepsAnswerOrderAmongEqualPreferences() throws Exception {
            dns.mx("example.test", 10, "x.example.test").mx("example.test", 10, "y.example.test")
                    .mx("example.test", 5, "z.example.test");

            assertThat(resolver(IpFamily.IPV4).mxHosts("example.test.", 5))
                    .containsExactly("z.example.test", "x.example.test", "y.example.test");
        }

        @Test
        void returnsAtMostMaxHosts() throws Exception {
            dns.mx("example.test", 20, "b.example.test").mx("example.test", 10, "a.example.test")
                    .mx("example.test", 30, "c.example.test");

            assertThat(resolver(IpFamily.IPV4).mxHosts("example.test", 2))
                    .containsExactly("a.example.test", "b.example.test");
            assertThat(resolver(IpFamily.IPV4).mxHosts("example.test", 1)).containsExactly("a.example.test");
        }

        @Test
        void usesDomainAsImplicitMxWhenItHasOnlyAnAddress() throws Exception {
            dns.a("example.test", "192.0.2.10");

            assertThat(resolver(IpFamily.IPV4).mxHosts("example.test", 2)).containsExactly("example.test");
            assertThat(dns.queries()).containsExactly("example.test MX/udp", "example.test A/udp");
        }

        @Test
        void explainsDomainWithNeitherMxNorAddressInTheFamily() {
            dns.aaaa("example.test", "2001:db8::10");

            assertThatThrownBy(() -> resolver(IpFamily.IPV4).mxHosts("example.test", 2))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessage("example.test: no MX records, and no address to use as an implicit MX"
                            + " (RFC 5321 section 5.1): no A records (the name exists but has no IPv4 address;"
                            + " dns.ip_family is ipv4)");
        }

        @Test
        void refusesDomainPublishingNullMx() {
            dns.nullMx("nomail.test").a("nomail.test", "192.0.2.10");

            assertThatThrownBy(() -> resolver(IpFamily.IPV4).mxHosts("nomail.test", 2))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessage("domain nomail.test publishes a null MX (RFC 7505): it accepts no mail");
        }

        @Test
        void skipsANullMxListedAmongRealExchanges() throws Exception {
            dns.nullMx("mixed.test").mx("mixed.test", 10, "mx.mixed.test");

            assertThat(resolver(IpFamily.IPV4).mxHosts("mixed.test", 2)).containsExactly("mx.mixed.test");
        }

        @Test
        void asksAgainForEveryLookupSoZoneChangesShowAtOnce() throws Exception {
            DnsResolver resolver = resolver(IpFamily.IPV4);
            dns.mx("example.test", 10, "old.example.test");
            assertThat(resolver.mxHosts("example.test", 2)).containsExactly("old.example.test");

            dns.clear("example.test").mx("example.test", 10, "new.example.test");

            assertThat(resolver.mxHosts("example.test", 2)).containsExactly("new.example.test");
        }

        @Test
        void reportsNxdomainAsDomainThatDoesNotExist() {
            assertThatThrownBy(() -> resolver(IpFamily.IPV4).mxHosts("gmail.invalid", 2))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessage("gmail.invalid: MX lookup failed: NXDOMAIN (the domain does not exist)");
        }

        @Test
        void reportsServfailNamingTheServer() {
            dns.servfail("broken.test");

            assertThatThrownBy(() -> resolver(IpFamily.IPV4).mxHosts("broken.test", 2))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessageStartingWith("broken.test: MX lookup failed: SERVFAIL from " + dns.hostPort() + " (")
                    .hasMessageContaining("DNSSEC");
        }

        @Test
        void givesUpAfterTheTimeoutWhenTheServerNeverAnswers() {
            dns.unanswered("slow.test");
            Duration timeout = Duration.ofMillis(500);
            DnsResolver resolver = resolver(IpFamily.IPV4, timeout);

            long start = System.nanoTime();
            assertThatThrownBy(() -> resolver.mxHosts("slow.test", 2))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessageStartingWith("slow.test: MX lookup failed: timed out after 500ms querying "
                            + dns.hostPort() + " (check dns.servers");
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertThat(elapsed).isBetween(timeout, timeout.plusMillis(400));
            assertThat(dns.queries()).containsExactly("slow.test MX/udp");
        }

        @Test
        void retriesOverTcpWhenTheUdpAnswerIsTruncated() throws Exception {
            dns.mx("big.test", 10, "mx.big.test").tcpOnly("big.test");

            assertThat(resolver(IpFamily.IPV4).mxHosts("big.test", 2)).containsExactly("mx.big.test");
            assertThat(dns.queries()).containsExactly("big.test MX/udp", "big.test MX/tcp");
        }

        @Test
        void followsCnameToTheMxRecords() throws Exception {
            dns.cname("alias.test", "real.test").mx("real.test", 10, "mx.real.test");

            assertThat(resolver(IpFamily.IPV4).mxHosts("alias.test", 2)).containsExactly("mx.real.test");
        }

        @Test
        void rejectsNamesThatAreNotDomainNames() {
            assertThatThrownBy(() -> resolver(IpFamily.IPV4).mxHosts("a..test", 2))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessageStartingWith("'a..test' is not a valid domain name");
            assertThat(dns.queries()).isEmpty();
        }
    }

    @Nested
    class Addresses {
        @BeforeEach
        void dualStackHost() {
            dns.a("mx.example.test", "192.0.2.25").a("mx.example.test", "192.0.2.26")
                    .aaaa("mx.example.test", "2001:db8::25");
        }

        @Test
        void ipv4LooksUpOnlyARecords() throws Exception {
            assertThat(addressesOf(resolver(IpFamily.IPV4).addresses("mx.example.test")))
                    .containsExactly("192.0.2.25", "192.0.2.26");
            assertThat(dns.queries()).containsExactly("mx.example.test A/udp");
        }

        @Test
        void ipv6LooksUpOnlyAaaaRecords() throws Exception {
            assertThat(addressesOf(resolver(IpFamily.IPV6).addresses("mx.example.test")))
                    .containsExactly("2001:db8:0:0:0:0:0:25");
            assertThat(dns.queries()).containsExactly("mx.example.test AAAA/udp");
        }

        @Test
        void anyListsIpv4BeforeIpv6() throws Exception {
            assertThat(addressesOf(resolver(IpFamily.ANY).addresses("mx.example.test")))
                    .containsExactly("192.0.2.25", "192.0.2.26", "2001:db8:0:0:0:0:0:25");
        }

        @Test
        void anyUsesIpv6WhenTheHostHasNoIpv4() throws Exception {
            dns.aaaa("v6only.test", "2001:db8::26");

            assertThat(addressesOf(resolver(IpFamily.ANY).addresses("v6only.test")))
                    .containsExactly("2001:db8:0:0:0:0:0:26");
        }

        @Test
        void anyAsksNoAaaaForANameThatDoesNotExist() {
            assertThatThrownBy(() -> resolver(IpFamily.ANY).addresses("nowhere.test"))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessage("nowhere.test: A lookup failed: NXDOMAIN (the domain does not exist)");
            assertThat(dns.queries()).containsExactly("nowhere.test A/udp");
        }

        @Test
        void explainsAHostWithoutAddressInTheConfiguredFamily() {
            dns.aaaa("v6only.test", "2001:db8::26");

            assertThatThrownBy(() -> resolver(IpFamily.IPV4).addresses("v6only.test"))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessage("v6only.test: no A records (the name exists but has no IPv4 address;"
                            + " dns.ip_family is ipv4)");
        }

        @Test
        void anyExplainsANameWithNeitherFamily() {
            dns.mx("mailonly.test", 10, "mx.example.test");

            assertThatThrownBy(() -> resolver(IpFamily.ANY).addresses("mailonly.test"))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessage("mailonly.test: no A or AAAA records (the name exists but has no address)");
            assertThat(dns.queries()).containsExactly("mailonly.test A/udp", "mailonly.test AAAA/udp");
        }

        @Test
        void followsCnameToTheAddresses() throws Exception {
            dns.cname("smtp.relay.test", "mx.example.test");

            assertThat(addressesOf(resolver(IpFamily.IPV4).addresses("smtp.relay.test")))
                    .containsExactly("192.0.2.25", "192.0.2.26");
        }

        @Test
        void anyAsksNoAaaaWhenTheALookupFails() {
            dns.servfail("broken.test");

            assertThatThrownBy(() -> resolver(IpFamily.ANY).addresses("broken.test"))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessageStartingWith("broken.test: A lookup failed: SERVFAIL from " + dns.hostPort() + " (")
                    .hasMessageNotContaining("AAAA");
            assertThat(dns.queries()).containsExactly("broken.test A/udp");
        }

        @Test
        void timesOutAnAddressLookupWithinTheConfiguredTimeout() {
            dns.unanswered("slow.test");
            Duration timeout = Duration.ofMillis(400);
            DnsResolver resolver = resolver(IpFamily.IPV6, timeout);

            long start = System.nanoTime();
            assertThatThrownBy(() -> resolver.addresses("slow.test"))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessageStartingWith("slow.test: AAAA lookup failed: timed out after 400ms querying "
                            + dns.hostPort());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(timeout, timeout.plusMillis(400));
        }

        @Test
        void returnsIpLiteralsWithoutAnyQuery() throws Exception {
            DnsResolver resolver = resolver(IpFamily.IPV4);

            assertThat(addressesOf(resolver.addresses("192.0.2.7"))).containsExactly("192.0.2.7");
            assertThat(addressesOf(resolver.addresses("2001:db8::7"))).containsExactly("2001:db8:0:0:0:0:0:7");
            assertThat(addressesOf(resolver.addresses("[2001:db8::7]"))).containsExactly("2001:db8:0:0:0:0:0:7");
            assertThat(addressesOf(resolver.addresses("::1"))).containsExactly("0:0:0:0:0:0:0:1");
            assertThat(dns.queries()).isEmpty();
        }

        @Test
        void rejectsBracketsAroundSomethingThatIsNoIpv6Address() {
            assertThatThrownBy(() -> resolver(IpFamily.IPV4).addresses("[mx.example.test]"))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessage("'[mx.example.test]' is not a valid IPv6 address");
            assertThat(dns.queries()).isEmpty();
        }

        @Test
        void answersConcurrentProbesIndependently() throws Exception {
            for (int i = 0; i < 16; i++) {
                dns.a("host" + i + ".test", "192.0.2." + (100 + i));
            }
            DnsResolver resolver = resolver(IpFamily.IPV4);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<List<InetAddress>>> results = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    String host = "host" + i + ".test";
                    results.add(pool.submit(() -> resolver.addresses(host)));
                }
                for (int i = 0; i < 16; i++) {
                    assertThat(addressesOf(results.get(i).get())).containsExactly("192.0.2." + (100 + i));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    class NameServerList {
        @Test
        void movesOnToTheNextServerWhenOneFails() throws Exception {
            try (FakeDnsServer second = FakeDnsServer.start()) {
                dns.servfail("example.test");
                second.mx("example.test", 10, "mx.example.test");
                DnsResolver resolver = new DnsResolver(
                        new DnsConfig(List.of(dns.hostPort(), second.hostPort()), IpFamily.IPV4), TIMEOUT);

                assertThat(resolver.mxHosts("example.test", 2)).containsExactly("mx.example.test");
                assertThat(dns.queries()).containsExactly("example.test MX/udp");
                assertThat(second.queries()).containsExactly("example.test MX/udp");
            }
        }

        @Test
        void namesEveryServerWhenAllFailAndStaysWithinOneTimeoutEach() throws Exception {
            try (FakeDnsServer second = FakeDnsServer.start()) {
                dns.unanswered("example.test");
                second.servfail("example.test");
                Duration timeout = Duration.ofMillis(300);
                DnsResolver resolver = new DnsResolver(
                        new DnsConfig(List.of(dns.hostPort(), second.hostPort()), IpFamily.IPV4), timeout);

                long start = System.nanoTime();
                assertThatThrownBy(() -> resolver.mxHosts("example.test", 2))
                        .isInstanceOf(ResolutionException.class)
                        .hasMessageStartingWith("example.test: MX lookup failed: timed out after 300ms querying "
                                + dns.hostPort() + "; SERVFAIL from " + second.hostPort() + " (");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(timeout.multipliedBy(2).plusMillis(400));
            }
        }

        @Test
        void reportsAServerWhereNothingListens() throws Exception {
            String closed;
            try (FakeDnsServer gone = FakeDnsServer.start()) {
                closed = gone.hostPort();
            }
            DnsResolver resolver = new DnsResolver(new DnsConfig(List.of(closed), IpFamily.IPV4), TIMEOUT);

            assertThatThrownBy(() -> resolver.addresses("mx.example.test"))
                    .isInstanceOf(ResolutionException.class)
                    .hasMessageStartingWith("mx.example.test: A lookup failed: ")
                    .hasMessageContaining(closed);
        }

        @Test
        void rejectsAServerGivenByNameWithTheConfigKey() {
            assertThatThrownBy(() -> new DnsResolver(
                    new DnsConfig(List.of("127.0.0.1:53", "dns.example.test"), IpFamily.IPV4), TIMEOUT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("dns.servers[1]: 'dns.example.test' is not an IP address;");
        }

        @Test
        void rejectsAPortOutOfRange() {
            assertThatThrownBy(() -> new DnsResolver(new DnsConfig(List.of("127.0.0.1:0"), IpFamily.IPV4), TIMEOUT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("dns.servers[0]: '127.0.0.1:0': port must be a number between 1 and 65535, found '0'");
        }

        @Test
        void acceptsEveryAddressForm() {
            assertThat(NameServers.parse(List.of("10.0.0.4", "10.0.0.4:5353", "[2001:db8::53]:5353", "2001:db8::53",
                    "[::1]")))
                    .containsExactly(
                            new InetSocketAddress("10.0.0.4", 53),
                            new InetSocketAddress("10.0.0.4", 5353),
                            new InetSocketAddress("2001:db8::53", 5353),
                            new InetSocketAddress("2001:db8::53", 53),
                            new InetSocketAddress("::1", 53));
        }
    }

    @Nested
    class SystemResolver {
        @Test
        void readsTheSystemNameServersOnlyWhenAskingAndThenUsesThem() throws Exception {
            dns.mx("example.test", 10, "mx.example.test");
            AtomicInteger reads = new AtomicInteger();
            DnsResolver resolver = new DnsResolver(new DnsConfig(List.of(), IpFamily.IPV4), TIMEOUT, () -> {
                reads.incrementAndGet();
                return List.of(dns.address());
            });

            assertThat(reads).hasValue(0);
            assertThat(dns.queries()).isEmpty();
            assertThat(resolver).hasToString("DnsResolver[system name servers, ipv4]");

            assertThat(resolver.mxHosts("example.test", 2)).containsExactly("mx.example.test");
            assertThat(reads).hasValue(1);
        }

        @Test
        void constructsFromEmptyServersWithoutContactingAnything() {
            DnsResolver resolver = new DnsResolver(new DnsConfig(List.of(), IpFamily.ANY), TIMEOUT);

            assertThat(resolver).hasToString("DnsResolver[system name servers, any]");
            assertThat(dns.queries()).isEmpty();
        }
    }

    /** Whether DNS answered "no such name" or gave no usable answer: the diagnosis tells them apart. */
    @Nested
    class KindOfFailure {
        @Test
        void nxdomainAndMissingRecordsAreNoSuchName() {
            dns.a("mx.example.test", "192.0.2.25");

            assertThat(kind(() -> resolver(IpFamily.IPV4).mxHosts("nowhere.example.test", 1)))
                    .isEqualTo(DnsFailure.NO_SUCH_NAME);
            assertThat(kind(() -> resolver(IpFamily.IPV4).addresses("nowhere.example.test")))
                    .isEqualTo(DnsFailure.NO_SUCH_NAME);
            assertThat(kind(() -> resolver(IpFamily.IPV6).addresses("mx.example.test")))
                    .isEqualTo(DnsFailure.NO_SUCH_NAME);
        }

        @Test
        void servfailAndSilenceAreResolverFailures() {
            dns.servfail("broken.example.test").unanswered("silent.example.test");

            assertThat(kind(() -> resolver(IpFamily.IPV4).mxHosts("broken.example.test", 1)))
                    .isEqualTo(DnsFailure.RESOLVER_FAILED);
            assertThat(kind(() -> resolver(IpFamily.ANY, Duration.ofMillis(300)).addresses("silent.example.test")))
                    .isEqualTo(DnsFailure.RESOLVER_FAILED);
        }

        private DnsFailure kind(org.assertj.core.api.ThrowableAssert.ThrowingCallable lookup) {
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(lookup);
            assertThat(thrown).isInstanceOf(ResolutionException.class);
            return ((ResolutionException) thrown).kind();
        }
    }
}
