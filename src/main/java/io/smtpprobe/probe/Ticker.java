package io.smtpprobe.probe;

/**
 * A monotonic nanosecond source. Phase timings and deadlines use it rather than the wall clock, and
 * tests inject their own so that nothing waits on real time.
 */
@FunctionalInterface
public interface Ticker {
    long nanoTime();

    Ticker SYSTEM = System::nanoTime;
}
