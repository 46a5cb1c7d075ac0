package io.smtpprobe.classify;

import java.util.Locale;

/**
 * What a target is to this VM (README.md "Reading the verdicts"), the {@code role} label: the diagnosis reasons
 * about mail exchangers, relays and controls differently, whatever mode or port they are probed in.
 */
public enum Role {
    /** A mail exchanger the VM would deliver to directly on port 25. */
    MX,
    /** A relay (submission, smtps, or a smarthost on 25) the VM sends mail through. */
    RELAY,
    /** A plain TCP connection that proves the path, not a mail service. */
    CONTROL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
