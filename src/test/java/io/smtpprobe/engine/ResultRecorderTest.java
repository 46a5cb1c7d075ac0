package io.smtpprobe.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Mode;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.testing.DaemonFixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The recorder's batches: what finishes within the window after a batch's first result is recorded with it. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResultRecorderTest {
    final List<List<String>> batches = new CopyOnWriteArrayList<>();
    final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    final EventLog log = new EventLog(new PrintStream(logged, true, StandardCharsets.UTF_8),
            Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC), LogLevel.INFO, false);

    static TargetConfig target(String name) {
        return DaemonFixtures.host(name, name + ".test", 25, Mode.SMTP);
    }

    void record(List<ResultRecorder.Finished> batch) {
        batches.add(batch.stream().map(f -> f.target().name()).toList());
    }

    /** Waits (without sleeping) until the recorder holds a first result and waits out its window. */
    static void awaitGathering(ResultRecorder recorder) {
        while (!recorder.gathering()) {
            Thread.onSpinWait();
        }
    }

    @Test
    void resultsFinishingWithinTheWindowOfTheFirstAreRecordedAsOneBatch() throws InterruptedException {
        // A window longer than the test: the batch can only end when the recorder is closed.
        ResultRecorder recorder = new ResultRecorder(this::record, Duration.ofMinutes(10), log);
        recorder.accept(target("a"), List.of());
        awaitGathering(recorder);
        recorder.accept(target("b"), List.of());
        recorder.accept(target("c"), List.of());

        assertThat(batches).as("nothing is recorded while the window is open").isEmpty();
        recorder.close();
        assertThat(recorder.awaitIdle(Duration.ofSeconds(20))).isTrue();
        assertThat(batches).as("closing records what the open batch holds").containsExactly(List.of("a", "b", "c"));
    }

    @Test
    void aLoneResultIsRecordedWhenTheWindowEnds() throws InterruptedException {
        ResultRecorder recorder = new ResultRecorder(this::record, Duration.ofMillis(20), log);
        try {
            recorder.accept(target("a"), List.of());
            assertThat(recorder.awaitIdle(Duration.ofSeconds(20))).isTrue();
            recorder.accept(target("b"), List.of());
            assertThat(recorder.awaitIdle(Duration.ofSeconds(20))).isTrue();
        } finally {
            recorder.close();
        }
        assertThat(batches).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void aBatchWhoseRecordingFailsIsLoggedAndLaterBatchesAreStillRecorded() throws InterruptedException {
        ResultRecorder recorder = new ResultRecorder(batch -> {
            if (batch.get(0).target().name().equals("bad")) {
                throw new IllegalStateException("judging failed");
            }
            record(batch);
        }, Duration.ZERO, log);
        try {
            recorder.accept(target("bad"), List.of());
            assertThat(recorder.awaitIdle(Duration.ofSeconds(20))).isTrue();
            recorder.accept(target("good"), List.of());
            assertThat(recorder.awaitIdle(Duration.ofSeconds(20))).isTrue();
        } finally {
            recorder.close();
        }
        assertThat(batches).containsExactly(List.of("good"));
        assertThat(logged.toString(StandardCharsets.UTF_8))
                .contains("recording probe results failed").contains("judging failed");
    }
}
