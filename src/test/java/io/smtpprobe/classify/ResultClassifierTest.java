package io.smtpprobe.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.ExpectSetting;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.RoleSetting;
import io.smtpprobe.config.Route;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.config.TlsConfig;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The role of a result (README.md "Reading the verdicts"): guessed from mode and destination, or configured. */
class ResultClassifierTest {
    private static final Port25Policy PAYG = PolicyTable.evaluate("pay-as-you-go", null, false, "config");

    @ParameterizedTest(name = "{0} {1}:{2} route {3} role {4} -> {5}")
    @CsvSource({
        // mode, destination (mx:DOMAIN or host), address probed (- for none), route, role key, role
        "smtp, mx:example.com, 20.0.0.1, auto, auto, mx",
        "smtp, mx.example.com, 20.0.0.1, auto, auto, mx",
        "smtp, 10.1.2.3, 10.1.2.3, auto, auto, relay",
        "smtp, 172.16.0.9, 172.16.0.9, auto, auto, relay",
        "smtp, 192.168.1.25, 192.168.1.25, auto, auto, relay",
        "smtp, 100.64.1.1, 100.64.1.1, auto, auto, relay",
        "smtp, fd00::25, fd00::25, auto, auto, relay",
        "smtp, fe80::1, fe80::1, auto, auto, relay",
        "smtp, 127.0.0.1, 127.0.0.1, auto, auto, relay",
        "smtp, smarthost.corp.example, 10.0.0.25, auto, auto, relay",
        "smtp, smarthost.corp.example, 20.0.0.25, private, auto, relay",
        "smtp, nowhere.example, -, auto, auto, mx",
        "submission, smtp.example.net, 20.0.0.2, auto, auto, relay",
        "smtps, smtp.example.net, 20.0.0.2, auto, auto, relay",
        "tcp, www.example.com, 20.0.0.3, auto, auto, control",
        "tcp, 10.0.0.3, 10.0.0.3, auto, auto, control",
        "smtp, mx.example.com, 20.0.0.1, auto, relay, relay",
        "submission, smtp.example.net, 20.0.0.2, auto, mx, mx",
        "tcp, www.example.com, 20.0.0.3, auto, relay, relay",
        "smtp, 10.1.2.3, 10.1.2.3, auto, control, control",
    })
    void guessesTheRoleUnlessConfigured(String mode, String destination, String address, String route, String role,
            String expected) {
        boolean mx = destination.startsWith("mx:");
        Mode m = Mode.valueOf(mode.toUpperCase(Locale.ROOT));
        TargetConfig target = new TargetConfig("t", mx ? null : destination, mx ? destination.substring(3) : null,
                mx ? 1 : 0, m == Mode.TCP ? 443 : m.defaultPort(), m, null, ExpectSetting.AUTO,
                Route.valueOf(route.toUpperCase(Locale.ROOT)), StartTls.OFF, TlsConfig.DEFAULT, null, null,
                RoleSetting.valueOf(role.toUpperCase(Locale.ROOT)));
        ProbeResult result = new ProbeResult("t", mx ? "mx1." + destination.substring(3) : destination,
                address.equals("-") ? null : address, target.port(), m,
                address.equals("-") ? Outcome.DNS_FAILURE : Outcome.OK, null, "",
                Map.of(Phase.TOTAL, Duration.ofMillis(1)), null, Instant.EPOCH, null);

        assertThat(ResultClassifier.classify(PAYG, target, result).role().label()).isEqualTo(expected);
    }
}
