package io.smtpprobe.policy;

import java.util.Locale;

/** What the policy (or the operator) says should happen when a target is probed. */
public enum Expectation {
    REACHABLE,
    BLOCKED,
    UNKNOWN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
