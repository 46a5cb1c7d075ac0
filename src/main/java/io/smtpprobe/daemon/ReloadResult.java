package io.smtpprobe.daemon;

import java.util.List;

/**
 * What a reload did.
 *
 * @param errors every problem of a refused configuration, each with its key path; empty on success
 */
public record ReloadResult(boolean applied, List<String> errors) {
    public ReloadResult {
        errors = List.copyOf(errors);
    }

    static ReloadResult success() {
        return new ReloadResult(true, List.of());
    }

    static ReloadResult refused(List<String> errors) {
        return new ReloadResult(false, errors);
    }
}
