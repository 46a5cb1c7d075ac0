package io.smtpprobe.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.testing.ManualTaskScheduler;
import io.smtpprobe.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The full collection a minute that keeps an idle agent's heap near what is live: when, and only when, it runs. */
class HeapTrimmerTest {
    final ManualTaskScheduler timer = new ManualTaskScheduler(new MutableClock(Instant.parse("2026-12-04T10:00:00Z")));
    final AtomicLong committed = new AtomicLong(29L << 20);
    final AtomicInteger collections = new AtomicInteger();
    final Periodic trimmer = new Periodic(timer, Runnable::run, HeapTrimmer.PERIOD, new HeapTrimmer(committed::get, () -> {
        collections.incrementAndGet();
        committed.set(13L << 20); // what the free ratios leave after a full collection at 9 MiB live
    })::trim);

    @Test
    void collectsOncePerPeriodWhileMoreThanTheFloorIsCommitted() {
        trimmer.start();

        timer.advance(HeapTrimmer.PERIOD.minusSeconds(1));
        assertThat(collections).as("before the first period").hasValue(0);
        timer.advance(Duration.ofSeconds(1));
        assertThat(collections).hasValue(1);

        timer.advance(HeapTrimmer.PERIOD.multipliedBy(3));
        assertThat(collections).as("13 MiB committed is below the floor").hasValue(1);

        committed.set(HeapTrimmer.FLOOR_BYTES + 1);
        timer.advance(HeapTrimmer.PERIOD);
        assertThat(collections).as("grown again").hasValue(2);
    }

    @Test
    void neverCollectsOnceStopped() {
        trimmer.start();
        trimmer.stop();

        timer.advance(HeapTrimmer.PERIOD.multipliedBy(4));

        assertThat(collections).hasValue(0);
    }

    @Test
    void keepsTrimmingAfterACollectionThatFailed() {
        AtomicInteger tries = new AtomicInteger();
        Periodic failing = new Periodic(timer, Runnable::run, HeapTrimmer.PERIOD, new HeapTrimmer(() -> 64L << 20, () -> {
            tries.incrementAndGet();
            throw new IllegalStateException("a collector that refuses");
        })::trim);
        failing.start();

        for (int i = 0; i < 2; i++) {
            try {
                timer.advance(HeapTrimmer.PERIOD);
            } catch (IllegalStateException expected) {
                // thrown through the inline worker; the next period is scheduled all the same
            }
        }

        assertThat(tries).hasValue(2);
    }
}
