package io.smtpprobe.http;

import io.smtpprobe.config.ServiceCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files a web config names (and the web config itself), found and checked as the service reads them. The
 * agent, and {@code check-config} as the unit's {@code ExecStartPre}, read them as themselves, {@code ${VAR}}
 * taken from their environment; under systemd a file they may not read is refused with the way to hand it in
 * (issue 23: a key only root reads made the service fail at every restart with a bare "Permission denied").
 * {@code check-config} in a shell checks them as the service will see them: {@code ${CREDENTIALS_DIRECTORY}/ID}
 * is the file the unit's {@code LoadCredential=ID:PATH} copies, and any other file must be readable by the
 * unit's transient user ({@code DynamicUser=yes}), which reads only what every user may read.
 */
public final class WebConfigPaths {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final String CREDENTIALS_DIRECTORY = "CREDENTIALS_DIRECTORY";
    private static final String KEY_FILE = "tls_server_config.key_file";
    /** The credential each file is suggested as, the names dashboards/FLEET.md uses. */
    private static final Map<String, String> CREDENTIAL_IDS = Map.of(KEY_FILE, "tls.key",
            "tls_server_config.cert_file", "tls.crt", "tls_server_config.client_ca_file", "client-ca.pem");
    private static final String GUIDE = " (dashboards/FLEET.md, \"Scrape over TLS with basic auth\")";

    private final Map<String, String> environment;
    /** Null unless checking from a shell for the service. */
    private final ServiceCredentials service;
    private final boolean transientUser;
    /** Whether this process may read a file: {@link Files#isReadable}, but for tests that run as root. */
    private final Predicate<Path> mayRead;
    /** Sources systemd copies for the service as root: their own modes do not matter. */
    private final Set<Path> credentialSources = new HashSet<>();
    private final List<String> notes = new ArrayList<>();

    private WebConfigPaths(Map<String, String> environment, ServiceCredentials service, boolean transientUser,
            Predicate<Path> mayRead) {
        this.environment = Map.copyOf(environment);
        this.service = service;
        this.transientUser = transientUser;
        this.mayRead = mayRead;
    }

    /** As this process reads them: {@code ${VAR}} from {@code environment}. */
    public static WebConfigPaths of(Map<String, String> environment) {
        return of(environment, Files::isReadable);
    }

    /** As {@link #of(Map)}, for a process that may read only what {@code mayRead} accepts. */
    static WebConfigPaths of(Map<String, String> environment, Predicate<Path> mayRead) {
        return new WebConfigPaths(environment, null, false, mayRead);
    }

    /**
     * As the service will read them, checked from outside it: without {@code CREDENTIALS_DIRECTORY} in
     * {@code environment} (a shell), credential paths are the unit's sources and other files must be readable by
     * its user; with it (the unit's {@code ExecStartPre}), the same as {@link #of}.
     *
     * @param transientUser whether the unit runs as a transient user ({@code DynamicUser=yes} without
     *     {@code User=}, {@code Group=} or {@code SupplementaryGroups=}); otherwise which user reads the files is
     *     left to the service's start, with a note
     */
    public static WebConfigPaths asService(Map<String, String> environment, ServiceCredentials service,
            boolean transientUser) {
        if (environment.containsKey(CREDENTIALS_DIRECTORY)) {
            return of(environment);
        }
        return new WebConfigPaths(environment, service, transientUser, Files::isReadable);
    }

    /** What was not checked here and why, one line each (a shell's check only). */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    /**
     * The file {@code value} names, {@code ${VAR}} expanded, relative paths from {@code dir}.
     *
     * @return null with an error, or without one when the check is left to the service's start
     */
    Path resolve(String key, String value, Path dir, List<String> errors) {
        if (service != null && value.contains("${" + CREDENTIALS_DIRECTORY + "}")) {
            Path source = service.resolve(key, value, KEY_FILE.equals(key) ? "the PEM key"
                    : "the PEM certificates", message -> errors.add(key + ": " + message));
            if (source != null) {
                credentialSources.add(source);
            }
            return source;
        }
        Matcher variable = VARIABLE.matcher(value);
        StringBuilder expanded = new StringBuilder();
        while (variable.find()) {
            String set = environment.get(variable.group(1));
            if (set == null) {
                errors.add(key + ": ${" + variable.group(1) + "} is not set in the environment"
                        + (variable.group(1).equals(CREDENTIALS_DIRECTORY)
                                ? " (systemd sets it for a unit with LoadCredential=)" : ""));
                return null;
            }
            variable.appendReplacement(expanded, Matcher.quoteReplacement(set));
        }
        variable.appendTail(expanded);
        return dir.resolve(expanded.toString());
    }

    /**
     * Whether {@code file} can be read as the service reads it; if not, an error says why and how to fix it.
     * A file that does not exist passes: reading it says so.
     *
     * @param key the key that names it, or null for the web config file itself
     */
    boolean readable(String key, Path file, List<String> errors) {
        String prefix = key == null ? "" : key + ": ";
        if (service != null) {
            if (credentialSources.contains(file)) {
                return true;
            }
            if (!transientUser) {
                notes.add(prefix + "whether the service's user can read " + file + " is checked at start (the unit"
                        + " names its user)");
                return true;
            }
            String closed = closedToOthers(file);
            if (closed != null) {
                errors.add(prefix + "the service's user cannot read " + file + " (" + closed + "): " + advice(key, file));
                return false;
            }
            return true;
        }
        String credentials = environment.get(CREDENTIALS_DIRECTORY);
        boolean underSystemd = credentials != null || environment.containsKey("INVOCATION_ID");
        if (credentials != null && key != null && file.startsWith(Path.of(credentials)) && Files.notExists(file)) {
            String id = file.getFileName().toString();
            errors.add(prefix + file + " does not exist: the unit loads no credential " + id + "; add"
                    + " LoadCredential=" + id + ":FILE in a drop-in (sudo systemctl edit smtp-probe), FILE being where"
                    + " root keeps it, then sudo systemctl restart smtp-probe" + GUIDE);
            return false;
        }
        if (!mayRead.test(file) && !Files.notExists(file)) {
            errors.add(prefix + "cannot read " + (key == null ? "the file" : file) + ": Permission denied"
                    + (underSystemd ? "; the service's user may not read it: " + advice(key, file) : ""));
            return false;
        }
        return true;
    }

    /**
     * How to let the service read a file: the key by systemd's {@code LoadCredential=} (it must stay root's), a
     * certificate or the web config by its mode.
     */
    private static String advice(String key, Path file) {
        String unit = "smtp-probe.service runs as a transient user (DynamicUser=yes), which reads only what every"
                + " user may read";
        String credential = key == null ? null : CREDENTIAL_IDS.get(key);
        String handIn = credential == null ? "" : "a drop-in (sudo systemctl edit smtp-probe) with [Service]"
                + " LoadCredential=" + credential + ":" + file + ", " + key.substring(key.indexOf('.') + 1)
                + ": ${CREDENTIALS_DIRECTORY}/" + credential + " in the web config, then sudo systemctl restart"
                + " smtp-probe";
        if (KEY_FILE.equals(key)) {
            return unit + "; keep the key root's and hand it in as a systemd credential: " + handIn + GUIDE;
        }
        String open = "make it and the directories above it readable by every user (chmod 0644 " + file
                + "; chmod 0755 on each directory)";
        if (key == null) {
            return unit + ", and it reads this file at every request; " + open + ": it holds bcrypt hashes and file"
                    + " paths, while the key itself stays root's as a credential" + GUIDE;
        }
        return unit + "; " + open + " (a certificate is public), or hand it in as a credential: " + handIn + GUIDE;
    }

    /** Why every user may not read {@code file}, by its mode and the modes of the directories above it; or null. */
    private static String closedToOthers(Path file) {
        PosixFileAttributes attributes;
        Set<Path> directories = new LinkedHashSet<>();
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class);
            // A link's own directories and its target's: certbot's live/ links into a closed archive/.
            for (Path path : List.of(file.toAbsolutePath(), file.toRealPath())) {
                for (Path dir = path.getParent(); dir != null; dir = dir.getParent()) {
                    directories.add(dir);
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            return null; // missing, or no POSIX modes here: reading it says what is wrong, or the start does
        }
        if (!attributes.permissions().contains(PosixFilePermission.OTHERS_READ)) {
            return describe(attributes);
        }
        for (Path dir : directories) {
            try {
                PosixFileAttributes directory = Files.readAttributes(dir, PosixFileAttributes.class);
                if (!directory.permissions().contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return "its directory " + dir + " is closed to other users: " + describe(directory);
                }
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    private static String describe(PosixFileAttributes attributes) {
        int mode = 0;
        for (PosixFilePermission permission : attributes.permissions()) {
            mode |= 1 << (8 - permission.ordinal());
        }
        return "owner " + attributes.owner().getName() + ", group " + attributes.group().getName() + ", mode "
                + String.format("%04o", mode);
    }
}
