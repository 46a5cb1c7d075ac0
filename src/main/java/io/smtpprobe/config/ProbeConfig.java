package io.smtpprobe.config;

import java.time.Duration;

/**
 * Scheduling and limits shared by every probe.
 *
 * @param timeout the hard deadline of one probe, all phases together
 * @param heloName the EHLO name, or {@code auto} for the machine's host name
 * @param addressesPerHost how many of a host's addresses a probe tries, in the order DNS gives them, until one
 *     answers (revision 3)
 */
public record ProbeConfig(Duration interval, Duration jitter, Duration timeout, int concurrency, String heloName,
        int addressesPerHost) {
    /** Addresses of one host a probe tries until one answers (revision 3), as Postfix tries the next address. */
    public static final int DEFAULT_ADDRESSES_PER_HOST = 2;
    public static final int MAX_ADDRESSES_PER_HOST = 10;

    /** With the default {@value #DEFAULT_ADDRESSES_PER_HOST} addresses per host. */
    public ProbeConfig(Duration interval, Duration jitter, Duration timeout, int concurrency, String heloName) {
        this(interval, jitter, timeout, concurrency, heloName, DEFAULT_ADDRESSES_PER_HOST);
    }

    /** This configuration with another timeout, as {@code check --timeout} sets it. */
    public ProbeConfig withTimeout(Duration newTimeout) {
        return new ProbeConfig(interval, jitter, newTimeout, concurrency, heloName, addressesPerHost);
    }
}
