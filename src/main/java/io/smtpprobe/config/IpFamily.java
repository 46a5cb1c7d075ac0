package io.smtpprobe.config;

/** Which address family probes connect over. */
public enum IpFamily {
    IPV4,
    IPV6,
    ANY
}
