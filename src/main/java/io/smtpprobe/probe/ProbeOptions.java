package io.smtpprobe.probe;

import io.smtpprobe.config.DnsConfig;
import java.time.Duration;

/**
 * Settings every probe shares.
 *
 * @param timeout the hard deadline of one probe, all phases together
 * @param heloName the name sent with EHLO/HELO (already resolved from {@code auto})
 * @param transcript whether to record the redacted SMTP conversation into each result
 * @param addressesPerHost how many of a host's addresses are tried, in DNS order, until one answers
 */
public record ProbeOptions(Duration timeout, String heloName, DnsConfig dns, boolean transcript, int addressesPerHost) {
    /** With the configured default of addresses per host. */
    public ProbeOptions(Duration timeout, String heloName, DnsConfig dns, boolean transcript) {
        this(timeout, heloName, dns, transcript, io.smtpprobe.config.ProbeConfig.DEFAULT_ADDRESSES_PER_HOST);
    }
}
