package io.smtpprobe.config;

/** @param listenAddress {@code host:port} or {@code :port} for every interface */
public record WebConfig(String listenAddress) {}
