package io.smtpprobe.config;

import java.util.Objects;

/**
 * A credential read from a file or the environment. Its {@link #toString()} never reveals it, so a
 * secret that ends up in a log line, an exception message or a record's string form stays hidden.
 */
public final class Secret {
    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The secret itself, for the one place that sends it to a server. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "******";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
