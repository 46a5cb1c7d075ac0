package io.smtpprobe.engine;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How much the agent logs; {@code --log.level} takes these names. */
public enum LogLevel {
    DEBUG,
    INFO,
    WARN,
    ERROR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code debug|info|warn|error}, case-insensitively, with a message that lists the choices. */
    public static LogLevel parse(String text) {
        for (LogLevel level : values()) {
            if (level.label().equalsIgnoreCase(text.trim())) {
                return level;
            }
        }
        throw new IllegalArgumentException("log level: expected one of "
                + Arrays.stream(values()).map(LogLevel::label).collect(Collectors.joining(", "))
                + ", found \"" + text + "\"");
    }
}
