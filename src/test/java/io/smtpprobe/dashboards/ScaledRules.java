package io.smtpprobe.dashboards;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped rule file with every {@code for:} and {@code keep_firing_for:} scaled by one factor, and
 * nothing else changed:
 * the end-to-end test runs the agent at a 1 s probe interval instead of the default 5 m, so an
 * 11 m {@code for:} (a bit over two default intervals) becomes 2.2 s (a bit over two test intervals).
 */
final class ScaledRules {
    private static final Pattern FOR = Pattern.compile("(?m)^(\\s+(?:keep_firing_)?for: )(\\S+)$");

    private ScaledRules() {}

    static String scale(String rules, Duration from, Duration to) {
        Matcher line = FOR.matcher(rules);
        StringBuilder out = new StringBuilder();
        int count = 0;
        while (line.find()) {
            Duration original = Durations.parse(line.group(2));
            long millis = Math.max(1, original.toMillis() * to.toMillis() / from.toMillis());
            line.appendReplacement(out, Matcher.quoteReplacement(line.group(1) + millis + "ms"));
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
}
