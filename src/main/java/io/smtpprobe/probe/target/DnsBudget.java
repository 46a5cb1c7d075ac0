package io.smtpprobe.probe.target;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The DNS time an MX target has, all its lookups together (the MX lookup and each host's address
 * lookup): one probe timeout. Only time spent resolving counts, so a host whose connect waits out its
 * deadline leaves the next host's lookup its share. Ten hosts whose lookups go unanswered once took
 * ten timeouts before any result came (issue 14); now the ones left once the budget is spent end at
 * once as dns_failure.
 */
final class DnsBudget {
    private final Duration timeout;
    private final AtomicLong leftNanos;

    DnsBudget(Duration timeout) {
        this.timeout = timeout;
        this.leftNanos = new AtomicLong(timeout.toNanos());
    }

    Duration timeout() {
        return timeout;
    }

    long leftNanos() {
        return leftNanos.get();
    }

    boolean spent() {
        return leftNanos.get() <= 0;
    }

    void spend(long nanos) {
        leftNanos.addAndGet(-nanos);
    }
}
