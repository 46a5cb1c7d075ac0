package io.smtpprobe.probe.target;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.config.Mode;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeOptions;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.probe.dns.DnsResolver;
import io.smtpprobe.testing.FakeDnsServer;
import io.smtpprobe.testing.MutableClock;
import io.smtpprobe.testing.PolicyHttpsServer;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.SilentHttpServer;
import io.smtpprobe.testing.SubethaRelay;
import io.smtpprobe.testing.Targets;
import io.smtpprobe.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MTA-STS (RFC 8461) for mx: targets, against a real DNS server and a real HTTPS policy host on
 * loopback: where the policy is in enforce mode, certificate verification on port 25 is enforced for
 * the MX hosts it lists; elsewhere opportunistic TLS goes on as MTAs practise it.
 */
class MtaStsTest {
    private static final String DOMAIN = "example.test";
    private static final String MX = "mx1.example.test";
    private static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: " + MX + "\r\nmax_age: 86400\r\n";

    @TempDir
    static Path dir;

    static TestCertificates authority;
    static Path caFile;
    static SSLContext policyTls;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T12:00:00Z"));
    private FakeDnsServer dns;
    private PolicyHttpsServer policyHost;
    private TargetProber prober;

    @BeforeAll
    static void certificates() throws Exception {
        authority = TestCertificates.authority("mta-sts test CA");
        caFile = authority.writeCaPem(dir.resolve("ca.pem"));
        policyTls = authority.serverContext("mta-sts." + DOMAIN);
    }

    @BeforeEach
    void start() throws Exception {
        dns = FakeDnsServer.start();
        dns.mx(DOMAIN, 10, MX).a(MX, "127.0.0.1").a("mta-sts." + DOMAIN, "127.0.0.1");
        policyHost = PolicyHttpsServer.start(policyTls).policy(ENFORCE);
        DnsResolver resolver = new DnsResolver(new DnsConfig(List.of(dns.hostPort()), IpFamily.IPV4),
                Duration.ofSeconds(3));
        ProbeOptions options = new ProbeOptions(Duration.ofSeconds(10), "probe.test",
                new DnsConfig(List.of(dns.hostPort()), IpFamily.IPV4), true);
        prober = new TargetProber(options, resolver, clock, Ticker.SYSTEM, policyHost.port());
    }

    @AfterEach
    void stop() {
        prober.close();
        policyHost.close();
        dns.close();
    }

    private ProbeResult probe(SubethaRelay mx) {
        List<ProbeResult> results = prober.probe(Targets.mx(DOMAIN, 1, mx.port(), Mode.SMTP).caFile(caFile).build());
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    private static SubethaRelay mx(SSLContext tls) {
        return SubethaRelay.start(b -> b.startTlsSocketFactory(tls).enableTLS());
    }

    private long queriesFor(String name) {
        return dns.queries().stream().filter(q -> q.startsWith(name + " ")).count();
    }

    @Test
    void aDomainWithoutAPolicyCostsExactlyOneTxtLookup() throws Exception {
        try (SubethaRelay mx = mx(TestCertificates.selfSignedServerContext(MX))) {
            ProbeResult result = probe(mx);

            assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
            assertThat(result.detail()).doesNotContain("MTA-STS");
            assertThat(dns.queries()).filteredOn(q -> q.contains("mta-sts"))
                    .containsExactly("_mta-sts.example.test TXT/udp");
            assertThat(policyHost.fetches()).isZero();
            assertThat(result.phases()).as("the TXT lookup is the MTA-STS phase").containsKey(Phase.MTA_STS);
        }
    }

    @Test
    void aTxtLookupThatNeverGetsAnAnswerEndsWithinTheProbeDeadlineNotTheResolversTimeout() throws Exception {
        dns.unanswered("_mta-sts." + DOMAIN);
        Duration timeout = Duration.ofSeconds(2);
        DnsConfig dnsConfig = new DnsConfig(List.of(dns.hostPort()), IpFamily.IPV4);
        try (TargetProber bounded = new TargetProber(new ProbeOptions(timeout, "probe.test", dnsConfig, false),
                new DnsResolver(dnsConfig, Duration.ofSeconds(20)), clock, Ticker.SYSTEM, policyHost.port());
                SubethaRelay mx = mx(TestCertificates.selfSignedServerContext(MX))) {
            long start = System.nanoTime();
            List<ProbeResult> results = bounded.probe(Targets.mx(DOMAIN, 1, mx.port(), Mode.SMTP).caFile(caFile)
                    .build());
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(results).singleElement().satisfies(r ->
                    assertThat(r.detail()).contains("the _mta-sts." + DOMAIN + " TXT lookup failed"));
            assertThat(took).as("bounded by the 2 s probe deadline, not the resolver's 20 s")
                    .isLessThan(Duration.ofSeconds(8));
        }
    }

    @Nested
    class Published {
        @BeforeEach
        void publish() {
            dns.txt("_mta-sts." + DOMAIN, "v=STSv1; id=20261204T1200");
        }

        @Test
        void enforceModeFailsAnMxWithABadCertificateAndSaysWhy() throws Exception {
            try (SubethaRelay mx = mx(TestCertificates.selfSignedServerContext(MX))) {
                ProbeResult result = probe(mx);

                assertThat(result.outcome()).isEqualTo(Outcome.TLS_CERTIFICATE_INVALID);
                assertThat(result.detail()).contains("the MTA-STS policy of example.test (mode enforce, id 20261204T1200)"
                        + " enforces verified TLS for this host: senders that honour it will not deliver here");
                assertThat(policyHost.fetches()).isEqualTo(1);
            }
        }

        @Test
        void enforceModeRequiresStarttlsOfAnMxThatDoesNotOfferIt() throws Exception {
            try (ScriptedSmtpServer plain = ScriptedSmtpServer.start(peer -> {
                peer.send("220 mx1.example.test ESMTP");
                peer.expect("EHLO");
                peer.send("250 mx1.example.test");
                peer.answerEverything("221 bye");
            })) {
                ProbeResult result = prober.probe(Targets.mx(DOMAIN, 1, plain.port(), Mode.SMTP).caFile(caFile)
                        .build()).get(0);

                assertThat(result.outcome()).isEqualTo(Outcome.STARTTLS_UNAVAILABLE);
                assertThat(result.detail()).contains("senders that honour it will not deliver here");
            }
        }

        @Test
        void enforceModeWithAGoodCertificateIsOk() throws Exception {
            try (SubethaRelay mx = mx(authority.serverContext(MX))) {
                ProbeResult result = probe(mx);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.tls().verified()).isTrue();
                assertThat(result.detail()).contains("enforces verified TLS for this host");
            }
        }

        @Test
        void testingModeRecordsButDoesNotEnforce() throws Exception {
            policyHost.policy(ENFORCE.replace("mode: enforce", "mode: testing"));
            try (SubethaRelay mx = mx(TestCertificates.selfSignedServerContext(MX))) {
                ProbeResult result = probe(mx);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.tls().verified()).isFalse();
                assertThat(result.detail()).contains("continued unverified (self-signed)")
                        .contains("the MTA-STS policy of example.test (mode testing, id 20261204T1200) is in testing"
                                + " mode: certificate failures are reported, not enforced");
            }
        }

        @Test
        void anMxHostThePolicyDoesNotListIsAFindingButNotEnforced() throws Exception {
            policyHost.policy(ENFORCE.replace("mx: " + MX, "mx: *.mail.example.test"));
            try (SubethaRelay mx = mx(TestCertificates.selfSignedServerContext(MX))) {
                ProbeResult result = probe(mx);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.detail()).contains("mx1.example.test is not among the MX hosts the MTA-STS policy of"
                        + " example.test (mode enforce, id 20261204T1200) lists (*.mail.example.test): senders that"
                        + " honour the policy will not deliver to it");
            }
        }

        @Test
        void aPolicyThatCannotBeFetchedCountsAsNoneAndIsRecorded() throws Exception {
            policyHost.status(404);
            try (SubethaRelay mx = mx(TestCertificates.selfSignedServerContext(MX))) {
                ProbeResult result = probe(mx);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.detail()).contains("MTA-STS: _mta-sts.example.test announces a policy (id"
                        + " 20261204T1200), but https://mta-sts.example.test:" + policyHost.port()
                        + "/.well-known/mta-sts.txt could not be fetched: HTTP status 404")
                        .contains("treated as no policy (RFC 8461 section 5)");
            }
        }

        @Test
        void aPolicyHostThatKeepsTheConnectionAfterTheBodyIsReadByContentLength() throws Exception {
            policyHost.holdOpen().policy(ENFORCE.replace("mode: enforce", "mode: testing"));
            try (SubethaRelay mx = mx(TestCertificates.selfSignedServerContext(MX))) {
                ProbeResult result = probe(mx);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.detail()).contains("the MTA-STS policy of example.test (mode testing, id"
                        + " 20261204T1200) is in testing mode").doesNotContain("could not be fetched");
            }
        }

        @Test
        void aPolicyServedAsHtmlIsNoPolicy() throws Exception {
            policyHost.contentType("text/html; charset=utf-8");
            try (SubethaRelay mx = mx(TestCertificates.selfSignedServerContext(MX))) {
                ProbeResult result = probe(mx);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.detail()).contains("could not be fetched: the policy is served as text/html;"
                        + " charset=utf-8, not text/plain");
            }
        }

        @Test
        void aPolicyHostWithAnUntrustedCertificateCountsAsNone() throws Exception {
            policyHost.close();
            policyHost = PolicyHttpsServer.start(TestCertificates.selfSignedServerContext("mta-sts." + DOMAIN))
                    .policy(ENFORCE);
            prober.close();
            prober = new TargetProber(new ProbeOptions(Duration.ofSeconds(10), "probe.test",
                    new DnsConfig(List.of(dns.hostPort()), IpFamily.IPV4), false),
                    new DnsResolver(new DnsConfig(List.of(dns.hostPort()), IpFamily.IPV4), Duration.ofSeconds(3)),
                    clock, Ticker.SYSTEM, policyHost.port());
            try (SubethaRelay mx = mx(TestCertificates.selfSignedServerContext(MX))) {
                ProbeResult result = probe(mx);

                assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OK);
                assertThat(result.detail()).contains("could not be fetched").contains("treated as no policy");
                assertThat(policyHost.fetches()).isZero();
            }
        }

        @Test
        void aPolicyHostThatNeverAnswersEndsWithinTheProbeDeadline() throws Exception {
            Duration timeout = Duration.ofSeconds(2);
            DnsConfig dnsConfig = new DnsConfig(List.of(dns.hostPort()), IpFamily.IPV4);
            try (SilentHttpServer silent = new SilentHttpServer();
                    TargetProber bounded = new TargetProber(new ProbeOptions(timeout, "probe.test", dnsConfig, false),
                            new DnsResolver(dnsConfig, Duration.ofSeconds(1)), clock, Ticker.SYSTEM,
                            silent.endpoint().getPort());
                    SubethaRelay mx = mx(authority.serverContext(MX))) {
                long start = System.nanoTime();
                List<ProbeResult> results = bounded.probe(Targets.mx(DOMAIN, 1, mx.port(), Mode.SMTP).caFile(caFile)
                        .build());
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                assertThat(results.get(0).detail()).contains("/.well-known/mta-sts.txt did not answer within the probe"
                        + " deadline of 2s").contains("treated as no policy");
                // The policy wait ends at the deadline; the MX conversation then takes its own, short, time.
                assertThat(took).isLessThan(timeout.plus(results.get(0).total()).plusSeconds(1));
                // The wait is the mta_sts phase, in the total: the MX and policy lookups share the first 2 s.
                Map<Phase, Duration> phases = results.get(0).phases();
                assertThat(phases.get(Phase.MTA_STS).plus(phases.get(Phase.DNS)))
                        .as("the MX lookup and the policy wait, up to the lookups' deadline")
                        .isGreaterThanOrEqualTo(timeout.minusMillis(50));
                assertThat(results.get(0).total()).as("the total spans the policy wait")
                        .isGreaterThan(phases.get(Phase.MTA_STS));
            }
        }

        @Test
        void aCachedPolicyIsNotFetchedAgainWithinMaxAgeButIsAfter() throws Exception {
            try (SubethaRelay mx = mx(authority.serverContext(MX))) {
                probe(mx);
                clock.advance(Duration.ofHours(23));
                ProbeResult second = probe(mx);

                assertThat(second.detail()).contains("enforces verified TLS");
                assertThat(policyHost.fetches()).isEqualTo(1);
                // The TXT record is asked at every probe, as RFC 8461 section 5.1 has senders do.
                assertThat(queriesFor("_mta-sts.example.test")).isEqualTo(2);

                clock.advance(Duration.ofHours(2));
                probe(mx);
                assertThat(policyHost.fetches()).isEqualTo(2);
            }
        }

        @Test
        void aNewPolicyIdIsFetchedAtOnce() throws Exception {
            try (SubethaRelay mx = mx(authority.serverContext(MX))) {
                probe(mx);
                dns.clear("_mta-sts." + DOMAIN).txt("_mta-sts." + DOMAIN, "v=STSv1; id=20261205");
                probe(mx);

                assertThat(policyHost.fetches()).isEqualTo(2);
            }
        }
    }
}
