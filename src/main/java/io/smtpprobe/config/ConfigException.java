package io.smtpprobe.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration that cannot be used, with every problem found in it. Each error names the key path
 * and what was found ({@code targets[2].port: must be between 1 and 65535, found 0}); no error ever
 * contains a secret. Control characters in the source and the errors are escaped here
 * ({@link ErrorText}), once for every way an error is printed or logged.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final List<String> errors;

    /**
     * @param source the file name (or {@code --target}) the errors belong to, or null
     * @param errors at least one error
     */
    public ConfigException(String source, List<String> errors) {
        super(format(source == null ? null : ErrorText.escape(source), escaped(errors)));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.source = source;
        this.errors = escaped(errors);
    }

    /** Where the configuration came from, or null. */
    public String source() {
        return source;
    }

    /** Every error, in the order found; none carries the source prefix. */
    public List<String> errors() {
        return errors;
    }

    private static List<String> escaped(List<String> errors) {
        return errors.stream().map(ErrorText::escape).toList();
    }

    private static String format(String source, List<String> errors) {
        String prefix = source == null ? "" : source + ": ";
        return errors.stream().map(e -> prefix + e).collect(Collectors.joining("\n"));
    }
}
