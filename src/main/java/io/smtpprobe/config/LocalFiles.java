package io.smtpprobe.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Files a config names: the password files and CA bundles. Paths may use {@code ${VAR}} (systemd's
 * {@code ${CREDENTIALS_DIRECTORY}} above all) and are relative to the config file's directory.
 * Messages name paths, never file contents.
 */
final class LocalFiles {
    /** A password file holds one password; anything bigger is the wrong file. */
    static final int MAX_PASSWORD_BYTES = 4096;

    private static final Set<PosixFilePermission> SHARED = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

    private final Map<String, String> environment;
    private final Path baseDir;

    /** @param baseDir the config file's directory, or null to leave relative paths to the working directory */
    LocalFiles(Map<String, String> environment, Path baseDir) {
        this.environment = environment;
        this.baseDir = baseDir;
    }

    /** The path a value names, after {@code ${VAR}} expansion; null (with an error) when a variable is unset. */
    Path path(YamlMapping mapping, String key, String value) {
        for (String variable : Syntax.variables(value)) {
            if (environment.get(variable) == null) {
                String hint = variable.equals("CREDENTIALS_DIRECTORY")
                        ? " (systemd sets it for a unit with LoadCredential=)" : "";
                mapping.error(key, "${" + variable + "} is not set in the environment" + hint);
                return null;
            }
        }
        String expanded = Syntax.expand(value, environment);
        if (expanded.isBlank()) {
            mapping.error(key, "must name a file, found " + YamlMapping.quote(value));
            return null;
        }
        Path path = Path.of(expanded);
        return (baseDir == null || path.isAbsolute() ? path : baseDir.resolve(path)).normalize();
    }

    /**
     * Reads a password file: it must be a regular file no one but its owner can read (systemd's
     * LoadCredential= gives exactly that). One trailing newline is dropped, as editors add one.
     */
    Secret password(YamlMapping mapping, String key, Path file) {
        if (!readableRegularFile(mapping, key, file)) {
            return null;
        }
        try {
            if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                if (permissions.stream().anyMatch(SHARED::contains)) {
                    mapping.error(key, file + " is readable by other users (permissions "
                            + PosixFilePermissions.toString(permissions) + "); run chmod 600 " + file
                            + ", or pass it with systemd LoadCredential=");
                    return null;
                }
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_PASSWORD_BYTES + 1);
            }
            if (bytes.length > MAX_PASSWORD_BYTES) {
                mapping.error(key, file + " is larger than " + MAX_PASSWORD_BYTES
                        + " bytes; it should hold only the password");
                return null;
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.endsWith("\r\n")) {
                text = text.substring(0, text.length() - 2);
            } else if (text.endsWith("\n")) {
                text = text.substring(0, text.length() - 1);
            }
            if (text.isEmpty()) {
                mapping.error(key, file + " is empty; it should hold the password");
                return null;
            }
            if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
                mapping.error(key, file + " holds more than one line; it should hold only the password");
                return null;
            }
            return new Secret(text);
        } catch (IOException e) {
            mapping.error(key, file + " cannot be read (" + reason(e) + ")");
            return null;
        }
    }

    /** Checks a CA bundle exists, is readable and holds at least one PEM certificate. */
    boolean caBundle(YamlMapping mapping, String key, Path file) {
        if (!readableRegularFile(mapping, key, file)) {
            return false;
        }
        try {
            String text = Files.readString(file, StandardCharsets.ISO_8859_1);
            if (!text.contains("-----BEGIN CERTIFICATE-----")) {
                mapping.error(key, file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
                return false;
            }
            return true;
        } catch (IOException e) {
            mapping.error(key, file + " cannot be read (" + reason(e) + ")");
            return false;
        }
    }

    private static boolean readableRegularFile(YamlMapping mapping, String key, Path file) {
        if (!Files.exists(file)) {
            mapping.error(key, file + " does not exist");
            return false;
        }
        if (!Files.isRegularFile(file)) {
            mapping.error(key, file + " is not a regular file");
            return false;
        }
        if (!Files.isReadable(file)) {
            mapping.error(key, file + " cannot be read (permission denied for this user)");
            return false;
        }
        return true;
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        return e.getClass().getSimpleName();
    }
}
