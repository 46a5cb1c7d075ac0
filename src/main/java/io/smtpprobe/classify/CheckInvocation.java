package io.smtpprobe.classify;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How the targets of a round were chosen, so that advice can print a {@code smtp-probe check} command
 * that runs as printed: {@code --config FILE --only NAME} for configured targets (no {@code --config}
 * with the built-in default), or the {@code --target SPEC} a target was written as.
 *
 * @param configFile the configuration file, or null for the built-in default
 * @param targetSpecs target name to the {@code --target} spec it came from; empty for configured targets
 * @param flags the user's other flags that change what a round finds ({@code --offer pay-as-you-go},
 *     {@code --created}, {@code --port25-exemption}, {@code --timeout}), repeated in every command printed
 */
public record CheckInvocation(Path configFile, Map<String, String> targetSpecs, List<String> flags) {
    /** Characters a POSIX shell takes literally; anything else is quoted. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9@%+=:,./_-]+");

    public CheckInvocation {
        targetSpecs = Collections.unmodifiableMap(new LinkedHashMap<>(targetSpecs));
        flags = List.copyOf(flags);
    }

    /** The targets of a configuration file, or of the built-in default when {@code configFile} is null. */
    public static CheckInvocation configured(Path configFile) {
        return new CheckInvocation(configFile, Map.of(), List.of());
    }

    /** Targets given on the command line, by name. */
    public static CheckInvocation specs(Map<String, String> targetSpecs) {
        return new CheckInvocation(null, targetSpecs, List.of());
    }

    /** This invocation, its commands repeating {@code flags} (words, as typed) after the targets. */
    public CheckInvocation withFlags(List<String> flags) {
        return new CheckInvocation(configFile, targetSpecs, flags);
    }

    /** {@code smtp-probe check} on the one target, with the options given (such as {@code --transcript}). */
    public String check(String target, String... options) {
        if (!targetSpecs.isEmpty() && !targetSpecs.containsKey(target)) {
            return checkAll(options); // not one of the specs: all of them is what runs
        }
        List<String> words = new ArrayList<>(List.of("smtp-probe", "check"));
        String spec = targetSpecs.get(target);
        if (spec != null) {
            words.addAll(List.of("--target", spec));
        } else {
            if (configFile != null) {
                words.addAll(List.of("--config", configFile.toString()));
            }
            words.addAll(List.of("--only", target));
        }
        words.addAll(flags);
        words.addAll(List.of(options));
        return String.join(" ", words.stream().map(CheckInvocation::quote).toList());
    }

    /** {@code smtp-probe check} on every target again, with the options given. */
    public String checkAll(String... options) {
        List<String> words = new ArrayList<>(List.of("smtp-probe", "check"));
        if (!targetSpecs.isEmpty()) {
            targetSpecs.values().forEach(spec -> words.addAll(List.of("--target", spec)));
        } else if (configFile != null) {
            words.addAll(List.of("--config", configFile.toString()));
        }
        words.addAll(flags);
        words.addAll(List.of(options));
        return String.join(" ", words.stream().map(CheckInvocation::quote).toList());
    }

    /** A word as a POSIX shell must be given it: as is when plain, else in single quotes. */
    public static String quote(String word) {
        if (PLAIN.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
