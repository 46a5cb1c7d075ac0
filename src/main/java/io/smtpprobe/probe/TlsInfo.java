package io.smtpprobe.probe;

import java.time.Instant;

/** What the TLS session of a probe negotiated, and the server certificate it presented. */
public record TlsInfo(String version, String cipher, String certificateSubject, Instant certificateExpiry) {}
