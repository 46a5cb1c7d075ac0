package io.smtpprobe.metrics;

import static io.smtpprobe.metrics.AgentMetricsTest.PAYG;
import static io.smtpprobe.metrics.AgentMetricsTest.T0;
import static io.smtpprobe.metrics.AgentMetricsTest.classify;
import static io.smtpprobe.metrics.AgentMetricsTest.resource;
import static io.smtpprobe.testing.DaemonFixtures.host;
import static io.smtpprobe.testing.DaemonFixtures.mx;
import static io.smtpprobe.testing.DaemonFixtures.result;
import static io.smtpprobe.testing.DaemonFixtures.withTls;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.classify.ResultClassifier;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.ProbeResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The per-target families: exactly the right samples after each change, rendered when a target's results
 * change and never by a scrape.
 */
class TargetExpositionTest {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final AgentMetrics metrics = new AgentMetrics(registry, "0.1.0", T0);
    final TargetConfig gmail = mx("gmail", "gmail.example", 2);
    final TargetConfig relay = host("relay", "smtp.relay.example", 587, Mode.SUBMISSION);

    String scrape(ExpositionFormat format) {
        return AgentMetricsTest.withoutRevision(new String(metrics.scrape(format), StandardCharsets.UTF_8));
    }

    List<ClassifiedResult> gmailTimedOut(Instant at) {
        return classify(gmail,
                result(gmail, "mx1.gmail.example", "203.0.113.25", Outcome.TCP_TIMEOUT, at, 4, 15000),
                result(gmail, "mx2.gmail.example", "203.0.113.26", Outcome.TCP_TIMEOUT, at.plusSeconds(1), 3, 15000));
    }

    void recordBoth() {
        metrics.record(gmail, gmailTimedOut(T0));
        metrics.record(relay, classify(relay, withTls(
                result(relay, "smtp.relay.example", "198.51.100.7", Outcome.OK, T0.plusSeconds(2), 2, 20, 30, 5, 40),
                Instant.parse("2027-02-01T00:00:00Z"))));
    }

    @Nested
    class Scrapes {
        @Test
        void copyTheLinesRenderedAtTheLastRecordWithoutRenderingAgain() {
            recordBoth();
            long renders = metrics.renders();
            RenderedTarget gmailLines = metrics.rendered("gmail");

            String first = scrape(ExpositionFormat.PROMETHEUS_TEXT);
            scrape(ExpositionFormat.OPENMETRICS);
            String again = scrape(ExpositionFormat.PROMETHEUS_TEXT);

            assertThat(metrics.renders()).as("renders during three scrapes").isEqualTo(renders);
            assertThat(metrics.rendered("gmail")).isSameAs(gmailLines);
            assertThat(again).isEqualTo(first).contains(gmailLines.lines(TargetFamily.OUTCOME));
        }

        @Test
        void renderOnlyTheTargetThatRecorded() {
            recordBoth();
            long renders = metrics.renders();
            RenderedTarget gmailBefore = metrics.rendered("gmail");
            RenderedTarget relayBefore = metrics.rendered("relay");

            metrics.record(gmail, gmailTimedOut(T0.plusSeconds(300)));

            assertThat(metrics.renders()).isEqualTo(renders + 1);
            assertThat(metrics.rendered("gmail")).isNotSameAs(gmailBefore);
            assertThat(metrics.rendered("relay")).isSameAs(relayBefore);
            assertThat(scrape(ExpositionFormat.PROMETHEUS_TEXT))
                    .contains("smtp_probe_runs_total{outcome=\"tcp_timeout\",target=\"gmail\"} 4.0")
                    .contains("smtp_probe_duration_seconds_count{target=\"gmail\"} 4\n");
        }
    }

    @Nested
    class Rejudge {
        @Test
        void changesVerdictsAndExpectationWithoutCountingAProbe() {
            recordBoth();
            Port25Policy enterprise = PolicyTable.evaluate("enterprise-agreement", null, false, "config");
            List<ClassifiedResult> again = gmailTimedOut(T0).stream()
                    .map(c -> ResultClassifier.classify(enterprise, gmail, c.result())).toList();
            long renders = metrics.renders();

            metrics.rejudge(gmail, again);

            assertThat(metrics.renders()).isEqualTo(renders + 1);
            RenderedTarget lines = metrics.rendered("gmail");
            assertThat(lines.lines(TargetFamily.VERDICT)).isEqualTo(verdicts("mx1.gmail.example", "unexpectedly_blocked")
                    + verdicts("mx2.gmail.example", "unexpectedly_blocked"));
            assertThat(lines.lines(TargetFamily.EXPECTED_REACHABLE))
                    .isEqualTo("smtp_probe_expected_reachable{target=\"gmail\"} 1.0\n");
            assertThat(lines.lines(TargetFamily.RUNS))
                    .contains("smtp_probe_runs_total{outcome=\"tcp_timeout\",target=\"gmail\"} 2.0\n");
            assertThat(lines.lines(TargetFamily.DURATION))
                    .contains("smtp_probe_duration_seconds_count{target=\"gmail\"} 2\n");
            assertThat(lines.lines(TargetFamily.LAST_RUN))
                    .isEqualTo("smtp_probe_last_run_timestamp_seconds{target=\"gmail\"} 1.795773616003E9\n");
        }

        @Test
        void theLastRunFollowsTheWallClockBackAfterAClockStep() {
            metrics.record(gmail, gmailTimedOut(T0.plusSeconds(3600)));
            metrics.record(gmail, gmailTimedOut(T0)); // the clock was stepped back an hour

            assertThat(metrics.rendered("gmail").lines(TargetFamily.LAST_RUN))
                    .isEqualTo("smtp_probe_last_run_timestamp_seconds{target=\"gmail\"} 1.795773616003E9\n");
        }

        @Test
        void leavesATargetWithoutSeriesAlone() {
            metrics.rejudge(gmail, gmailTimedOut(T0));

            assertThat(metrics.targetNames()).isEmpty();
            assertThat(scrape(ExpositionFormat.PROMETHEUS_TEXT)).doesNotContain("gmail");
        }
    }

    @Nested
    class Removal {
        @Test
        void ofEveryTargetLeavesTheExpositionOfAnAgentThatNeverProbed() throws IOException {
            metrics.policy(PAYG);
            String policyLine = "smtp_probe_policy_info{offer=\"pay-as-you-go\",port25_expected=\"blocked\","
                    + "source=\"config\"} 1\n";
            recordBoth();

            metrics.retainTargets(List.of());

            String expected = resource("before-first-probe.prom");
            assertThat(scrape(ExpositionFormat.PROMETHEUS_TEXT)).isEqualTo(expected
                    + "# HELP smtp_probe_policy_info Azure's port-25 policy as applied: the offer, the expectation"
                    + " for port 25 and where the offer came from\n# TYPE smtp_probe_policy_info gauge\n" + policyLine);
            assertThat(metrics.rendered("gmail")).isNull();
        }

        @Test
        void ofTheOnlyTargetWithTlsDropsTheCertificateFamilyHeaderToo() {
            recordBoth();
            // gmail's hosts timed out before any TLS: no expiry series for them, not NaN ones.
            assertThat(scrape(ExpositionFormat.PROMETHEUS_TEXT))
                    .contains("# TYPE smtp_probe_tls_certificate_expiry_timestamp_seconds gauge\n"
                            + "smtp_probe_tls_certificate_expiry_timestamp_seconds{host=\"smtp.relay.example\","
                            + "target=\"relay\"} 1.80144E9\n")
                    .doesNotContain("smtp_probe_tls_certificate_expiry_timestamp_seconds{host=\"mx1.gmail.example\"");
            TargetConfig tcp = host("https", "www.example", 443, Mode.TCP);
            metrics.record(tcp, classify(tcp,
                    result(tcp, "www.example", "198.51.100.80", Outcome.OK, T0.plusSeconds(3), 1, 12)));

            metrics.retainTargets(List.of("gmail", "https"));

            assertThat(scrape(ExpositionFormat.PROMETHEUS_TEXT)).doesNotContain("smtp_probe_tls_certificate_expiry")
                    .contains("target=\"gmail\"").doesNotContain("target=\"relay\"")
                    .contains("smtp_probe_success{host=\"www.example\",mode=\"tcp\",port=\"443\",role=\"control\",target=\"https\"} 1.0");
        }
    }

    @Nested
    class EveryFamily {
        /** A family added to TargetFamily without a case that renders it fails here, not silently in production. */
        @Test
        void hasSamplesForATargetWithTlsAndAnExpectation() {
            recordBoth();
            RenderedTarget relayLines = metrics.rendered("relay");

            for (TargetFamily family : TargetFamily.values()) {
                // A refusal's cause exists only while the last probe was refused, deliverable only for mx
                // targets: their own tests below.
                if (family != TargetFamily.REFUSAL && family != TargetFamily.DELIVERABLE) {
                    assertThat(relayLines.lines(family)).as("samples of %s", family)
                            .startsWith(family.sampleName()).contains("target=\"relay\"");
                }
            }
        }
    }

    @Nested
    class Deliverable {
        @Test
        void isOneWhenAHostOfTheMxDomainTookTheSessionAndAbsentForOtherTargets() {
            metrics.record(gmail, gmailTimedOut(T0));
            assertThat(scrape(ExpositionFormat.PROMETHEUS_TEXT)).contains("# TYPE smtp_probe_deliverable gauge\n"
                    + "smtp_probe_deliverable{target=\"gmail\"} 0.0\n");

            metrics.record(gmail, classify(gmail,
                    new ProbeResult("gmail", "mx1.gmail.example", "203.0.113.25", 25, Mode.SMTP, Outcome.TCP_REFUSED,
                            null, "refused", java.util.Map.of(), null, T0.plusSeconds(60), null),
                    result(gmail, "mx2.gmail.example", "203.0.113.26", Outcome.OK, T0.plusSeconds(61), 4, 9)));
            metrics.record(relay, classify(relay,
                    result(relay, "smtp.relay.example", "198.51.100.7", Outcome.OK, T0.plusSeconds(62), 2, 20)));
            assertThat(scrape(ExpositionFormat.PROMETHEUS_TEXT)).as("the second MX took the session")
                    .contains("smtp_probe_deliverable{target=\"gmail\"} 1.0\n")
                    .doesNotContain("smtp_probe_deliverable{target=\"relay\"}");
        }
    }

    @Nested
    class Refusal {
        @Test
        void carriesTheCauseOfTheLastRefusalAndIsGoneOnceAProbeIsNotRefused() {
            ProbeResult refused = new ProbeResult("gmail", "mx1.gmail.example", "203.0.113.25", 25, Mode.SMTP,
                    Outcome.RECIPIENT_REJECTED, "554 5.7.1 Service unavailable; Client host [20.1.2.3] blocked using"
                            + " zen.spamhaus.org", "refused", java.util.Map.of(), null, T0, null);
            metrics.record(gmail, classify(gmail, refused));
            assertThat(scrape(ExpositionFormat.PROMETHEUS_TEXT)).contains("# TYPE smtp_probe_refusal gauge\n"
                    + "smtp_probe_refusal{cause=\"ip_blocklisted\",host=\"mx1.gmail.example\",target=\"gmail\"} 1.0\n");

            metrics.record(gmail, classify(gmail,
                    result(gmail, "mx1.gmail.example", "203.0.113.25", Outcome.OK, T0.plusSeconds(60), 4, 9)));
            assertThat(scrape(ExpositionFormat.PROMETHEUS_TEXT)).as("no sample, so no family either")
                    .doesNotContain("smtp_probe_refusal");
        }
    }

    @Nested
    class TlsVerified {
        @Test
        void isOneForAVerifiedSessionZeroForAnUnverifiedOneAndAbsentWithoutTls() {
            recordBoth();
            assertThat(scrape(ExpositionFormat.PROMETHEUS_TEXT))
                    .contains("# TYPE smtp_probe_tls_verified gauge\n"
                            + "smtp_probe_tls_verified{host=\"smtp.relay.example\",target=\"relay\"} 1.0\n")
                    .doesNotContain("smtp_probe_tls_verified{host=\"mx1.gmail.example\"");

            ProbeResult plain = result(gmail, "mx1.gmail.example", "203.0.113.25", Outcome.OK, T0.plusSeconds(5), 4, 9);
            ProbeResult unverified = new ProbeResult(plain.target(), plain.host(), plain.address(), plain.port(),
                    plain.mode(), plain.outcome(), plain.reply(), plain.detail(), plain.phases(),
                    new io.smtpprobe.probe.TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", "CN=mx1.gmail.example",
                            Instant.parse("2027-02-01T00:00:00Z"), false, "self-signed"),
                    plain.startedAt(), null);
            metrics.record(gmail, classify(gmail, unverified));

            assertThat(scrape(ExpositionFormat.PROMETHEUS_TEXT))
                    .contains("smtp_probe_tls_verified{host=\"mx1.gmail.example\",target=\"gmail\"} 0.0\n");
        }
    }

    @Nested
    class Labels {
        @Test
        void escapeBackslashQuoteAndNewlineInValues() {
            TargetConfig odd = host("a\\b\"c\nd", "odd.example", 587, Mode.SUBMISSION);
            ProbeResult refused = result(odd, "odd\"host.example", "198.51.100.9", Outcome.TCP_REFUSED, T0, 1, 2);

            metrics.record(odd, classify(odd, refused));

            assertThat(scrape(ExpositionFormat.PROMETHEUS_TEXT))
                    .contains("smtp_probe_success{host=\"odd\\\"host.example\",mode=\"submission\",port=\"587\","
                            + "role=\"relay\",target=\"a\\\\b\\\"c\\nd\"} 0.0\n")
                    .contains("smtp_probe_last_run_timestamp_seconds{target=\"a\\\\b\\\"c\\nd\"} 1.795773600003E9\n");
            assertThat(TargetRenderer.escape("plain")).isEqualTo("plain");
            assertThat(TargetRenderer.escape("\\\"\n")).isEqualTo("\\\\\\\"\\n");
        }

        @Test
        void spellValuesAsBothFormatsDo() {
            assertThat(TargetRenderer.number(Double.NaN)).isEqualTo("NaN");
            assertThat(TargetRenderer.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
            assertThat(TargetRenderer.number(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
            assertThat(TargetRenderer.number(1)).isEqualTo("1.0");
            assertThat(TargetRenderer.number(1.7957736E9)).isEqualTo("1.7957736E9");
        }
    }

    /** The one verdict line of a host: the current verdict as 1, no line for the others (issue 15). */
    static String verdicts(String host, String current) {
        return "smtp_probe_verdict{host=\"" + host + "\",target=\"gmail\",verdict=\"" + current + "\"} 1.0\n";
    }
}
