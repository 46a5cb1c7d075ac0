package io.smtpprobe.engine;

import io.smtpprobe.config.ConfigLoader;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * One event per line in logfmt ({@code key=value}, values quoted when they hold spaces, quotes or
 * {@code =}). Under systemd (the {@code JOURNAL_STREAM} variable is set) no timestamp is written:
 * journald stamps every line itself.
 *
 * <p>Callers pass secrets never: every value here may end up in a shared log store.
 */
public final class EventLog {
    private final PrintStream out;
    private final Clock clock;
    private final LogLevel threshold;
    private final boolean timestamps;

    public EventLog(PrintStream out, Clock clock, LogLevel threshold, boolean timestamps) {
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.threshold = Objects.requireNonNull(threshold, "threshold");
        this.timestamps = timestamps;
    }

    /** A log on stdout, with timestamps unless journald is the reader. */
    public static EventLog stdout(Clock clock, LogLevel threshold, java.util.Map<String, String> env) {
        return new EventLog(System.out, clock, threshold, !env.containsKey("JOURNAL_STREAM"));
    }

    public boolean enabled(LogLevel level) {
        return level.ordinal() >= threshold.ordinal();
    }

    public void debug(String msg, Object... keyValues) {
        log(LogLevel.DEBUG, msg, keyValues);
    }

    public void info(String msg, Object... keyValues) {
        log(LogLevel.INFO, msg, keyValues);
    }

    public void warn(String msg, Object... keyValues) {
        log(LogLevel.WARN, msg, keyValues);
    }

    public void error(String msg, Object... keyValues) {
        log(LogLevel.ERROR, msg, keyValues);
    }

    /**
     * Writes one line.
     *
     * @param keyValues alternating keys and values; a null value is written as an empty string
     */
    public void log(LogLevel level, String msg, Object... keyValues) {
        if (!enabled(level)) {
            return;
        }
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("log fields must come in key/value pairs, got " + keyValues.length);
        }
        StringBuilder line = new StringBuilder(128);
        if (timestamps) {
            line.append("ts=").append(DateTimeFormatter.ISO_INSTANT.format(clock.instant())).append(' ');
        }
        line.append("level=").append(level.label()).append(" msg=");
        appendValue(line, msg);
        for (int i = 0; i < keyValues.length; i += 2) {
            line.append(' ').append(keyValues[i]).append('=');
            appendValue(line, text(keyValues[i + 1]));
        }
        // println on a PrintStream is synchronized, so lines from different threads never interleave.
        out.println(line);
    }

    /** A field's value as written: a duration in the config file's form ({@code 20s}, not {@code PT20S}). */
    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        return value instanceof Duration duration ? ConfigLoader.formatDuration(duration) : String.valueOf(value);
    }

    static void appendValue(StringBuilder line, String value) {
        boolean quote = value.isEmpty();
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f;
        }
        if (!quote) {
            line.append(value);
            return;
        }
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < ' ' || c == 0x7f) {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }
}
