package io.smtpprobe.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Issue 23: a broken TLS key logged about four lines a handshake; now once, then once a minute with a count. */
class RepeatedWarningTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong nanos = new AtomicLong();
    private final RepeatedWarning warning = new RepeatedWarning(new EventLog(new PrintStream(bytes, true,
            StandardCharsets.UTF_8), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), LogLevel.INFO, false),
            "TLS handshake without a certificate", nanos::get);

    private String log() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void logsARepeatedProblemOnceAMinuteWithItsCountAndANewOneAtOnce() {
        for (int i = 0; i < 3000; i++) {
            warning.accept("key_file: cannot read /etc/smtp-probe/tls.key: Permission denied");
            nanos.addAndGet(1_000_000); // 3 s in all
        }
        assertThat(log().lines()).hasSize(1);

        nanos.addAndGet(RepeatedWarning.INTERVAL.toNanos());
        warning.accept("key_file: cannot read /etc/smtp-probe/tls.key: Permission denied");
        assertThat(log().lines()).hasSize(2);
        assertThat(log().lines().skip(1).findFirst().orElseThrow()).endsWith("repeated_since_last_logged=2999");

        warning.accept("cert_file: not a PEM certificate");
        assertThat(log().lines()).hasSize(3);
    }
}
