package io.smtpprobe.daemon;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Reload requests, coalesced into one pending reload: a request while another waits to start joins that one,
 * which reads the configuration after both were made. The caller whose request made the pending reload runs
 * it (waiting under the reload lock for one in progress to end); the others return at once with its future.
 * So a burst of SIGHUPs, each on a thread of its own, holds at most two threads rather than one per signal
 * blocked on the lock (issue 23: 4,188 signals made 3,906 threads and doubled the agent's memory).
 */
final class CoalescedReload {
    private final Object reloadLock;
    private final Supplier<ReloadResult> reload;
    /** Guards {@link #pending}; never held while a reload runs. */
    private final Object pendingLock = new Object();
    /** The reload requested and not yet started, which further requests join; null when there is none. */
    private CompletableFuture<ReloadResult> pending;

    /** @param reloadLock the lock every change of the running configuration takes */
    CoalescedReload(Object reloadLock, Supplier<ReloadResult> reload) {
        this.reloadLock = reloadLock;
        this.reload = reload;
    }

    CompletableFuture<ReloadResult> request() {
        CompletableFuture<ReloadResult> mine;
        synchronized (pendingLock) {
            if (pending != null) {
                return pending;
            }
            mine = new CompletableFuture<>();
            pending = mine;
        }
        synchronized (reloadLock) {
            synchronized (pendingLock) {
                pending = null; // a request from here on comes after this reload reads the file: a new one
            }
            try {
                mine.complete(reload.get());
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
                throw e;
            }
        }
        return mine;
    }
}
