package io.smtpprobe.config;

import java.util.List;

/**
 * @param servers resolvers as {@code host} or {@code host:port}; empty for the system resolver
 */
public record DnsConfig(List<String> servers, IpFamily ipFamily) {
    public DnsConfig {
        servers = List.copyOf(servers);
    }
}
