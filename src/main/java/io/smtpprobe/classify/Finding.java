package io.smtpprobe.classify;

/** A diagnosis with its plain-language explanation and the recommended action. */
public record Finding(Diagnosis diagnosis, String explanation, String action) {}
