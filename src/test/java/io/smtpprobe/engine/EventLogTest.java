package io.smtpprobe.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Secret;
import io.smtpprobe.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventLogTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00.123Z"));
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    String lines() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesOneLogfmtLinePerEventQuotingWhatNeedsIt() {
        EventLog log = new EventLog(out, clock, LogLevel.INFO, true);

        log.info("verdict changed", "target", "gmail", "detail", "connect timed out after 15s", "reply",
                "554 5.7.1 \"blocked\"\r\nbye", "empty", "", "none", null, "path", "a=b");

        assertThat(lines()).isEqualTo("ts=2026-11-27T10:00:00.123Z level=info msg=\"verdict changed\" target=gmail"
                + " detail=\"connect timed out after 15s\" reply=\"554 5.7.1 \\\"blocked\\\"\\r\\nbye\" empty=\"\""
                + " none=\"\" path=\"a=b\"\n");
    }

    @Test
    void leavesTheTimestampToJournaldUnderSystemd() {
        EventLog log = EventLog.stdout(clock, LogLevel.INFO, Map.of("JOURNAL_STREAM", "8:12345"));
        EventLog direct = new EventLog(out, clock, LogLevel.INFO, false);

        direct.info("agent started", "targets", 4);

        assertThat(lines()).isEqualTo("level=info msg=\"agent started\" targets=4\n");
        assertThat(log.enabled(LogLevel.INFO)).isTrue();
    }

    @Test
    void writesDurationsAsTheConfigFileDoes() {
        EventLog log = new EventLog(out, clock, LogLevel.INFO, false);

        log.info("agent started", "interval", Duration.ofSeconds(20), "jitter", Duration.ofSeconds(90),
                "timeout", Duration.ofMillis(1500), "none", Duration.ZERO);

        assertThat(lines()).isEqualTo("level=info msg=\"agent started\" interval=20s jitter=1m30s timeout=1500ms"
                + " none=0s\n");
    }

    @Test
    void dropsEventsBelowTheConfiguredLevel() {
        EventLog log = new EventLog(out, clock, LogLevel.WARN, false);

        log.info("steady");
        log.debug("noise");
        log.warn("attention");

        assertThat(lines()).isEqualTo("level=warn msg=attention\n");
    }

    @Test
    void neverRevealsASecretHandedToIt() {
        EventLog log = new EventLog(out, clock, LogLevel.DEBUG, false);

        log.info("auth", "password", new Secret("hunter2"));

        assertThat(lines()).doesNotContain("hunter2").contains("password=******");
    }

    @Test
    void parsesLevelNamesAndSaysWhichExist() {
        assertThat(LogLevel.parse("WARN")).isEqualTo(LogLevel.WARN);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogLevel.parse("verbose"))
                .hasMessage("log level: expected one of debug, info, warn, error, found \"verbose\"");
    }
}
