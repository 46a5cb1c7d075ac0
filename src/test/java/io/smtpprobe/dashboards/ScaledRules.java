package io.smtpprobe.dashboards;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped rule file with every {@code for:} and {@code keep_firing_for:} scaled by one factor, and
 * nothing else changed: the end-to-end tests run the agent at a probe interval of seconds instead of the
 * default 5 m, so an 11 m {@code for:} (a bit over two default intervals) becomes a bit over two test
 * intervals.
 *
 * <p>One thing does not scale: an agent restart takes the seconds a JVM start takes, whatever the probe
 * interval. A test that restarts an agent under a firing alert therefore asks for a floor under the
 * scaled {@code keep_firing_for:}, as the real 11 m lies far above any restart.
 */
final class ScaledRules {
    private static final Pattern FOR = Pattern.compile("(?m)^(\\s+)(keep_firing_for|for)(: )(\\S+)$");

    private ScaledRules() {}

    static String scale(String rules, Duration from, Duration to) {
        return scale(rules, from, to, Duration.ZERO);
    }

    static String scale(String rules, Duration from, Duration to, Duration keepFiringFloor) {
        Matcher line = FOR.matcher(rules);
        StringBuilder out = new StringBuilder();
        int count = 0;
        while (line.find()) {
            Duration original = Durations.parse(line.group(4));
            long millis = Math.max(1, original.toMillis() * to.toMillis() / from.toMillis());
            if (line.group(2).equals("keep_firing_for")) {
                millis = Math.max(millis, keepFiringFloor.toMillis());
            }
            line.appendReplacement(out, Matcher.quoteReplacement(line.group(1) + line.group(2) + line.group(3) + millis + "ms"));
            count++;
        }
        line.appendTail(out);
        if (count == 0) {
            throw new AssertionError("no for: found to scale");
        }
        return out.toString();
    }

    static Path write(Path source, Path target, Duration from, Duration to) throws IOException {
        return Files.writeString(target, scale(Files.readString(source), from, to));
    }

    static Path write(Path source, Path target, Duration from, Duration to, Duration keepFiringFloor) throws IOException {
        return Files.writeString(target, scale(Files.readString(source), from, to, keepFiringFloor));
    }
}
