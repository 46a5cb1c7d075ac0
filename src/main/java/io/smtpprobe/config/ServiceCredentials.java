package io.smtpprobe.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The systemd credentials the service will get, for checking a config outside the service (in a
 * shell, {@code ${CREDENTIALS_DIRECTORY}} is not set): {@code ${CREDENTIALS_DIRECTORY}/ID} is checked
 * against the file the unit's {@code LoadCredential=ID:PATH} copies, or, when that cannot be done
 * here, left to the service's start and said so. A load with this view is for validation only: a
 * secret left to the start is not read.
 */
public final class ServiceCredentials {
    private final String unit;
    private final Map<String, Path> sources;
    private final Set<String> withDefault;
    private final String whyUnknown;
    private final List<String> notes = new ArrayList<>();

    private ServiceCredentials(String unit, Map<String, Path> sources, Set<String> withDefault, String whyUnknown) {
        this.unit = unit;
        this.sources = sources == null ? null : Map.copyOf(sources);
        this.withDefault = Set.copyOf(withDefault);
        this.whyUnknown = whyUnknown;
    }

    /**
     * The credentials of a unit that was read.
     *
     * @param unit the unit's name and where it was read, for messages
     * @param sources each credential ID with the file it is loaded from
     * @param withDefault IDs that also have a {@code SetCredential=} default (a missing source is then not fatal)
     */
    public static ServiceCredentials of(String unit, Map<String, Path> sources, Set<String> withDefault) {
        return new ServiceCredentials(unit, sources, withDefault, null);
    }

    /** No unit to read: every credential is left to the service's start. */
    public static ServiceCredentials unknown(String why) {
        return new ServiceCredentials(null, null, Set.of(), why);
    }

    /**
     * The unit's credentials as {@code systemd-run -p} takes them ({@code LoadCredential=ID:PATH}), so that a
     * command run by hand gets what the service gets; empty when the unit is unknown.
     */
    public List<String> loadCredentialSettings() {
        List<String> settings = new ArrayList<>();
        if (sources != null) {
            sources.forEach((id, path) -> settings.add("LoadCredential=" + id + ":" + path));
        }
        return settings;
    }

    /** What was not checked here, and why; one line each, in the order met. */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    String unit() {
        return unit;
    }

    boolean known() {
        return sources != null;
    }

    Path source(String id) {
        return sources == null ? null : sources.get(id);
    }

    boolean hasDefault(String id) {
        return withDefault.contains(id);
    }

    void defer(String keyPath, String value, String reason) {
        notes.add(keyPath + ": " + value + " checked at start (" + reason + ")");
    }

    String whyUnknown() {
        return whyUnknown;
    }
}
