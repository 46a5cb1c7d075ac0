package io.smtpprobe.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smtpprobe.classify.Diagnosis;
import io.smtpprobe.classify.Finding;
import io.smtpprobe.classify.ResultClassifier;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.TlsInfo;
import io.smtpprobe.testing.DaemonFixtures;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code tls.verified} and {@code tls.verify_error} in {@code check --output json} and {@code /status} (r2). */
class ReportJsonTlsTest {
    private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");
    private static final Port25Policy POLICY = PolicyTable.evaluate("enterprise-agreement", null, false, "config");

    @Test
    void writesWhetherTheCertificateWasVerifiedAndWhyNot() throws Exception {
        TargetConfig mx = DaemonFixtures.host("mx", "mx.example.test", 25, Mode.SMTP);
        ProbeResult plain = DaemonFixtures.result(mx, "mx.example.test", "203.0.113.25", Outcome.OK, T0, 3, 20, 40);
        ProbeResult unverified = new ProbeResult(plain.target(), plain.host(), plain.address(), plain.port(),
                plain.mode(), plain.outcome(), "250 2.0.0 Ok", plain.detail(), plain.phases(),
                new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", "CN=mx.example.test", T0.plusSeconds(86400), false,
                        "self-signed"), T0, null);
        ProbeResult verified = DaemonFixtures.withTls(plain, T0.plusSeconds(86400));
        RoundReport report = new RoundReport(POLICY, List.of(ResultClassifier.classify(POLICY, mx, unverified),
                ResultClassifier.classify(POLICY, mx, verified), ResultClassifier.classify(POLICY, mx, plain)),
                new Finding(Diagnosis.PORT25_OPEN_AS_EXPECTED, "", ""));

        JsonNode results = new ObjectMapper().readTree(ReportJson.write(report, false)).get("results");

        assertThat(results.at("/0/tls/verified").asBoolean()).isFalse();
        assertThat(results.at("/0/tls/verify_error").asText()).isEqualTo("self-signed");
        assertThat(results.at("/1/tls/verified").asBoolean()).isTrue();
        assertThat(results.at("/1/tls/verify_error").isNull()).isTrue();
        assertThat(results.at("/2/tls").isNull()).isTrue();
    }
}
