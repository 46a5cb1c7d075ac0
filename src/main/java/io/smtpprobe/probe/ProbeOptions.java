package io.smtpprobe.probe;

import io.smtpprobe.config.DnsConfig;
import java.time.Duration;

/**
 * Settings every probe shares.
 *
 * @param timeout the hard deadline of one probe, all phases together
 * @param heloName the name sent with EHLO/HELO (already resolved from {@code auto})
 * @param transcript whether to record the redacted SMTP conversation into each result
 */
public record ProbeOptions(Duration timeout, String heloName, DnsConfig dns, boolean transcript) {}
