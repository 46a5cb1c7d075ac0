package io.smtpprobe.cli;

import io.smtpprobe.config.ConfigLoader;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations on the command line take the config file's form: {@code 500ms}, {@code 5s}, {@code 1m30s}. The
 * one option that takes a duration, {@code --timeout}, has probe.timeout's maximum.
 */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        Duration duration = ConfigLoader.parseDuration(value)
                .orElseThrow(() -> new TypeConversionException(
                        "'" + value + "' is not a duration; write it with a unit, like 500ms, 5s or 1m"));
        if (duration.isZero()) {
            throw new TypeConversionException("must be greater than 0, found " + value);
        }
        if (duration.compareTo(ConfigLoader.MAX_TIMEOUT) > 0) {
            throw new TypeConversionException("must be at most " + ConfigLoader.MAX_TIMEOUT.toMinutes() + "m, found "
                    + value);
        }
        return duration;
    }
}
