package io.smtpprobe.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The systemd credentials the service will get, for checking a config outside the service (in a
 * shell, {@code ${CREDENTIALS_DIRECTORY}} is not set): {@code ${CREDENTIALS_DIRECTORY}/ID} is checked
 * against the file the unit's {@code LoadCredential=ID:PATH} copies, or, when that cannot be done
 * here, left to the service's start and said so. A load with this view is for validation only: a
 * secret left to the start is not read.
 */
public final class ServiceCredentials {
    private static final Pattern CREDENTIAL_PATH = Pattern.compile("\\$\\{CREDENTIALS_DIRECTORY}/([^/]+)");

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

    /**
     * The file a {@code ${CREDENTIALS_DIRECTORY}/ID} path stands for outside the service: the source the unit's
     * {@code LoadCredential=ID:PATH} copies at start.
     *
     * @param keyPath where the path was written ({@code targets[0].auth.password_file}), for a note
     * @param value the path as written
     * @param holding what the source should hold, for the fix of a missing one ({@code the secret alone on one line})
     * @param errors takes what is wrong, without the key path
     * @return the source file; null with an error, or with a note when the check is left to the service's start
     */
    public Path resolve(String keyPath, String value, String holding, Consumer<String> errors) {
        Matcher credential = CREDENTIAL_PATH.matcher(value.trim());
        if (!credential.matches()) {
            errors.accept("must be ${CREDENTIALS_DIRECTORY}/ID, a credential the unit loads, found "
                    + YamlMapping.quote(value));
            return null;
        }
        String id = credential.group(1);
        if (!known()) {
            defer(keyPath, value, whyUnknown);
            return null;
        }
        Path source = source(id);
        if (source == null) {
            errors.accept(unit + " loads no credential " + id + "; add LoadCredential=" + id + ":/etc/smtp-probe/"
                    + id + " in a drop-in (systemctl edit smtp-probe), or use a credential it loads");
            return null;
        }
        if (!Files.exists(source)) {
            String fix = "; create it (install -m 0600 /dev/null " + source
                    + ", then write " + holding + ")";
            errors.accept("credential " + id + ": its source " + source + " does not exist"
                    + (hasDefault(id) ? ", so the service gets an empty credential" + fix
                            : ", so systemd fails the service's start (243/CREDENTIALS)" + fix));
            return null;
        }
        if (!Files.isReadable(source)) {
            defer(keyPath, value, "its source " + source + " is not readable by this user;"
                    + " run check-config as root to check it");
            return null;
        }
        return source;
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
