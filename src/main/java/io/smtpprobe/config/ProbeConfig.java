package io.smtpprobe.config;

import java.time.Duration;

/**
 * Scheduling and limits shared by every probe.
 *
 * @param timeout the hard deadline of one probe, all phases together
 * @param heloName the EHLO name, or {@code auto} for the machine's host name
 */
public record ProbeConfig(Duration interval, Duration jitter, Duration timeout, int concurrency, String heloName) {}
