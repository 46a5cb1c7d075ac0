package io.smtpprobe.config;

/** A target's {@code expect:} key: follow the policy, or the operator's own statement. */
public enum ExpectSetting {
    AUTO,
    REACHABLE,
    BLOCKED
}
