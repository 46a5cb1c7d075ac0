package io.smtpprobe.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the probe threads are handed out, on an executor the test steps by hand. */
class ThreadPermitsTest {
    private final Deque<Runnable> handedToThreads = new ArrayDeque<>();
    private final ThreadPermits permits = new ThreadPermits(handedToThreads::add);
    private final List<String> ran = new ArrayList<>();

    private ThreadPermits.Job job(String name, boolean continuing) {
        return new ThreadPermits.Job() {
            @Override
            public boolean continuing() {
                return continuing;
            }

            @Override
            public void granted(ThreadPermits.Permit permit) {}

            @Override
            public void run(ThreadPermits.Permit permit) {
                ran.add(name);
            }
        };
    }

    private void runNext() {
        handedToThreads.removeFirst().run();
    }

    @Test
    void runsNoMoreJobsAtOnceThanTheLimitAndTheRestInArrivalOrder() {
        permits.limit(2);
        for (String name : List.of("a", "b", "c", "d")) {
            permits.execute(job(name, false));
        }

        assertThat(handedToThreads).as("threads asked for").hasSize(2);
        assertThat(permits.running()).isEqualTo(2);
        assertThat(permits.queued()).isEqualTo(2);
        runNext();
        // a's thread went on with c and d, the jobs waiting when it finished: no thread asked for them.
        assertThat(ran).containsExactly("a", "c", "d");
        assertThat(handedToThreads).hasSize(1);
        assertThat(permits.running()).as("b still holds its place").isEqualTo(1);
        runNext();
        assertThat(ran).containsExactly("a", "c", "d", "b");
        assertThat(permits.running()).isZero();
        assertThat(permits.queued()).isZero();
    }

    @Test
    void handsAFinishedJobsThreadToTheNextWaitingJobInsteadOfAskingForAnother() {
        permits.limit(1);
        for (String name : List.of("a", "b", "c")) {
            permits.execute(job(name, false));
        }

        runNext();

        assertThat(ran).containsExactly("a", "b", "c");
        assertThat(handedToThreads).as("one thread asked for, for three jobs").isEmpty();
        assertThat(permits.running()).isZero();
    }

    @Test
    void givesFreePlacesToNewWorkAndWorkUnderWayInTurn() {
        permits.limit(1);
        permits.execute(job("first", false));
        for (String name : List.of("new-1", "new-2", "new-3")) {
            permits.execute(job(name, false));
        }
        for (String name : List.of("connected-1", "connected-2")) {
            permits.execute(job(name, true));
        }

        runNext();

        // Neither line waits behind the whole of the other: a burst of new probes cannot burn the deadlines
        // of connected ones, and a burst of conversations cannot hold back connects that only send a SYN.
        assertThat(ran).containsExactly("first", "connected-1", "new-1", "connected-2", "new-2", "new-3");
    }

    @Test
    void startsTheNextJobWhenAPermitIsGivenBackBeforeItsJobReturns() {
        permits.limit(1);
        List<ThreadPermits.Permit> held = new ArrayList<>();
        permits.execute(new ThreadPermits.Job() {
            @Override
            public boolean continuing() {
                return false;
            }

            @Override
            public void granted(ThreadPermits.Permit permit) {
                held.add(permit);
            }

            @Override
            public void run(ThreadPermits.Permit permit) {
                ran.add("stuck");
            }
        });
        permits.execute(job("next", false));
        assertThat(handedToThreads).hasSize(1);

        held.get(0).release();

        assertThat(handedToThreads).as("a new thread for the next job: the stuck one keeps its own").hasSize(2);
        assertThat(permits.running()).isEqualTo(1);
        runNext();
        assertThat(permits.running()).as("a permit is given back once, however often released").isEqualTo(1);
        runNext();
        assertThat(permits.running()).isZero();
    }

    @Test
    void startsWaitingJobsAtOnceWhenTheLimitIsRaised() {
        permits.limit(1);
        permits.execute(job("a", false));
        permits.execute(job("b", false));
        permits.execute(job("c", false));

        permits.limit(3);

        assertThat(handedToThreads).hasSize(3);
        assertThat(permits.queued()).isZero();
    }
}
