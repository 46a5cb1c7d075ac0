package io.smtpprobe.probe;

import java.util.Locale;

/** The timed steps of a probe; {@link #TOTAL} spans all of them. */
public enum Phase {
    DNS,
    CONNECT,
    GREETING,
    EHLO,
    STARTTLS,
    AUTH,
    MAIL,
    TOTAL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
