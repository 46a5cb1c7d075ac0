package io.smtpprobe.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 23: each SIGHUP arrives on a thread of its own, and each used to block on the reload lock while a slow
 * reload ran (4,188 signals, 3,906 threads). Requests now coalesce into one pending reload.
 */
class CoalescedReloadTest {
    @Test
    void requestsWhileAReloadWaitsToStartJoinItAndReturnAtOnce() throws Exception {
        Object lock = new Object();
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        CoalescedReload reloads = new CoalescedReload(lock, () -> {
            if (runs.incrementAndGet() == 1) {
                inFirst.countDown();
                try {
                    release.await(); // a reload reading its file from a hung mount
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ReloadResult.success();
        });
        Thread first = new Thread(reloads::request, "first");
        first.start();
        assertThat(inFirst.await(30, TimeUnit.SECONDS)).isTrue();
        Thread second = new Thread(reloads::request, "second");
        second.start();
        // The second request is the pending reload once its thread waits for the lock the first one holds.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (second.getState() != Thread.State.BLOCKED && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        assertThat(second.getState()).isEqualTo(Thread.State.BLOCKED);

        Set<CompletableFuture<ReloadResult>> joined = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            joined.add(reloads.request()); // would block this thread on the lock without coalescing
        }
        assertThat(joined).as("a thousand requests share the one pending reload").hasSize(1);
        CompletableFuture<ReloadResult> pending = joined.iterator().next();
        assertThat(pending).isNotDone();

        release.countDown();
        first.join(30_000);
        second.join(30_000);
        assertThat(pending.get(30, TimeUnit.SECONDS).applied()).isTrue();
        assertThat(runs).as("reloads run: the slow one and the one every later request joined").hasValue(2);

        assertThat(reloads.request().get(30, TimeUnit.SECONDS).applied()).as("a request after them runs anew")
                .isTrue();
        assertThat(runs).hasValue(3);
    }
}
