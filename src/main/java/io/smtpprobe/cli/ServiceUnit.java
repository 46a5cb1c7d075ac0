package io.smtpprobe.cli;

import io.smtpprobe.config.ServiceCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The credentials smtp-probe.service loads, read from its unit file and drop-ins the way systemd
 * finds them, so that {@code check-config} in a shell checks what the service will get.
 */
final class ServiceUnit {
    static final String NAME = "smtp-probe.service";
    /** systemd's system unit search path, highest priority first. */
    static final List<Path> SEARCH_PATH = List.of(Path.of("/etc/systemd/system"), Path.of("/run/systemd/system"),
            Path.of("/usr/local/lib/systemd/system"), Path.of("/lib/systemd/system"),
            Path.of("/usr/lib/systemd/system"));
    /** Where a {@code LoadCredential=ID} without an absolute path is looked for (after the manager's own). */
    static final List<Path> CREDSTORE = List.of(Path.of("/etc/credstore"), Path.of("/run/credstore"),
            Path.of("/usr/lib/credstore"));

    private ServiceUnit() {}

    /** The unit's credentials from the first {@value #NAME} on the search path and every drop-in of it. */
    static ServiceCredentials credentials(List<Path> searchPath) {
        List<Path> files = files(searchPath);
        if (files.isEmpty()) {
            return ServiceCredentials.unknown("no " + NAME + " installed here to say where its credentials come from");
        }
        Map<String, Path> sources = new LinkedHashMap<>();
        Set<String> withDefault = new HashSet<>();
        try {
            for (Path file : files) {
                read(file, sources, withDefault);
            }
        } catch (IOException e) {
            return ServiceCredentials.unknown("cannot read " + files.get(0) + " or its drop-ins: " + e.getMessage());
        }
        return ServiceCredentials.of(NAME + " (" + files.get(0) + ")", sources, withDefault);
    }

    /**
     * Whether the installed unit runs as a transient user that reads only what every user may read:
     * {@code DynamicUser=yes} (the shipped unit's) without a {@code User=}, {@code Group=} or
     * {@code SupplementaryGroups=} that could give it a file's owner or group. False when no unit can be read.
     */
    static boolean runsAsTransientUser(List<Path> searchPath) {
        List<Path> files = files(searchPath);
        Map<String, String> settings = new HashMap<>();
        try {
            for (Path file : files) {
                for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String line = raw.strip();
                    int equals = line.indexOf('=');
                    if (!line.startsWith("#") && !line.startsWith(";") && equals > 0) {
                        // The last assignment wins, an empty one resets: as systemd reads these four.
                        settings.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
                    }
                }
            }
        } catch (IOException e) {
            return false;
        }
        boolean dynamic = List.of("yes", "true", "on", "1").contains(settings.getOrDefault("DynamicUser", "no"));
        return !files.isEmpty() && dynamic && settings.getOrDefault("User", "").isEmpty()
                && settings.getOrDefault("Group", "").isEmpty()
                && settings.getOrDefault("SupplementaryGroups", "").isEmpty();
    }

    /** The first {@value #NAME} on the search path, then its drop-ins; empty when none is installed. */
    private static List<Path> files(List<Path> searchPath) {
        for (Path dir : searchPath) {
            if (Files.isRegularFile(dir.resolve(NAME))) {
                List<Path> files = new ArrayList<>();
                files.add(dir.resolve(NAME));
                files.addAll(dropIns(searchPath));
                return files;
            }
        }
        return List.of();
    }

    /** Drop-ins sorted by file name, a name in a higher-priority directory hiding the same name below. */
    private static List<Path> dropIns(List<Path> searchPath) {
        Map<String, Path> byName = new java.util.TreeMap<>();
        for (int i = searchPath.size() - 1; i >= 0; i--) {
            Path dir = searchPath.get(i).resolve(NAME + ".d");
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(dir)) {
                entries.filter(p -> p.getFileName().toString().endsWith(".conf"))
                        .forEach(p -> byName.put(p.getFileName().toString(), p));
            } catch (IOException e) {
                // an unreadable drop-in directory adds nothing; systemd would say so at start
            }
        }
        return List.copyOf(byName.values());
    }

    private static void read(Path file, Map<String, Path> sources, Set<String> withDefault) throws IOException {
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            int equals = line.indexOf('=');
            if (line.startsWith("#") || line.startsWith(";") || equals < 0) {
                continue;
            }
            String key = line.substring(0, equals).strip();
            String value = line.substring(equals + 1).strip();
            if (key.equals("LoadCredential")) {
                if (value.isEmpty()) {
                    sources.clear(); // an empty assignment resets the list
                    continue;
                }
                int colon = value.indexOf(':');
                String id = colon < 0 ? value : value.substring(0, colon);
                String path = colon < 0 ? id : value.substring(colon + 1);
                sources.put(id, path.startsWith("/") ? Path.of(path) : inCredstore(path));
            } else if (key.equals("SetCredential")) {
                if (value.isEmpty()) {
                    withDefault.clear();
                } else {
                    int colon = value.indexOf(':');
                    withDefault.add(colon < 0 ? value : value.substring(0, colon));
                }
            }
        }
    }

    /** A credential name systemd looks for in its credstore directories: the first that exists, else the first. */
    private static Path inCredstore(String name) {
        for (Path dir : CREDSTORE) {
            if (Files.exists(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        return CREDSTORE.get(0).resolve(name);
    }
}
