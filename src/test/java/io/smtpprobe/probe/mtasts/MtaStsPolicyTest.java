package io.smtpprobe.probe.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** An MTA-STS policy (RFC 8461 section 3.2) as a sender reads it: its fields, and the MX hosts it covers. */
class MtaStsPolicyTest {
    @Test
    void matchesExactNamesAndOneLabelWildcardsWithoutRegardToCase() {
        MtaStsPolicy policy = MtaStsPolicy.parse("1", "version: STSv1\nmode: enforce\nmx: mail.example.test\n"
                + "mx: *.mx.example.test\nmax_age: 604800\n");

        assertThat(policy.matches("MAIL.example.test.")).isTrue();
        assertThat(policy.matches("a.mx.example.test")).isTrue();
        assertThat(policy.matches("a.b.mx.example.test")).isFalse();
        assertThat(policy.matches("mx.example.test")).isFalse();
        assertThat(policy.maxAgeSeconds()).isEqualTo(604800);
    }

    @Test
    void takesTheFirstOfARepeatedFieldAsRfc8461Says() {
        MtaStsPolicy policy = MtaStsPolicy.parse("1", "version: STSv1\nmode: testing\nmode: enforce\n"
                + "mx: a.test\nmax_age: 86400\nmax_age: 5\n");

        assertThat(policy.mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
        assertThat(policy.maxAgeSeconds()).isEqualTo(86400);
    }

    @Test
    void refusesPoliciesMissingWhatRfc8461Requires() {
        assertThatThrownBy(() -> MtaStsPolicy.parse("1", "mode: enforce\nmx: a.test\nmax_age: 1\n"))
                .hasMessage("no version field");
        assertThatThrownBy(() -> MtaStsPolicy.parse("1", "version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1"))
                .hasMessage("mode is not enforce, testing or none");
        assertThatThrownBy(() -> MtaStsPolicy.parse("1", "version: STSv1\nmode: enforce\nmax_age: 1"))
                .hasMessage("no mx field");
        assertThatThrownBy(() -> MtaStsPolicy.parse("1", "version: STSv1\nmode: enforce\nmx: a.test\n"
                + "max_age: 99999999")).hasMessage("max_age is over 31557600 seconds");
    }

}
