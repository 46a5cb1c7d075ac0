package io.smtpprobe.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;

/**
 * Files a config names, and the config file itself: the one place they are read, each kind with its
 * size cap ({@link BoundedFile.Limit}). A path is looked at before it is opened: a FIFO, a device or a directory is
 * refused without a read that could block (a FIFO's open waits for a writer, and a reload holding its
 * lock while it waits would hold up shutdown), and a file over its cap is refused by its size, so a
 * 3 GB sparse file costs nothing. Then at most cap + 1 bytes are read, in case the file grew. Paths may
 * use {@code ${VAR}} (systemd's {@code ${CREDENTIALS_DIRECTORY}} above all) and are relative to the
 * config file's directory. Messages name paths, never file contents.
 */
final class LocalFiles {
    /** A password file holds one password; anything bigger is the wrong file. */
    static final int MAX_PASSWORD_BYTES = BoundedFile.Limit.SECRET.maxBytes;

    private static final Set<PosixFilePermission> SHARED = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private static final String CREDENTIALS_DIRECTORY = "CREDENTIALS_DIRECTORY";

    private final Map<String, String> environment;
    private final Path baseDir;
    private final ServiceCredentials service;
    /** Credential sources systemd copies at mode 0400 whatever their own mode: theirs is not the service's. */
    private final Set<Path> credentialSources = new HashSet<>();

    /** @param baseDir the config file's directory, or null to leave relative paths to the working directory */
    LocalFiles(Map<String, String> environment, Path baseDir) {
        this(environment, baseDir, null);
    }

    /** @param service the service's credentials, to check {@code ${CREDENTIALS_DIRECTORY}} paths in a shell; or null */
    LocalFiles(Map<String, String> environment, Path baseDir, ServiceCredentials service) {
        this.environment = environment;
        this.baseDir = baseDir;
        this.service = service;
    }


    /**
     * The path a value names, after {@code ${VAR}} expansion; null (with an error) when a variable is unset.
     * Checking as the service sees it, {@code ${CREDENTIALS_DIRECTORY}/ID} is the credential's source file,
     * or null without an error when that check is left to the service's start.
     */
    Path path(YamlMapping mapping, String key, String value) {
        if (service != null && environment.get(CREDENTIALS_DIRECTORY) == null
                && value.contains("${" + CREDENTIALS_DIRECTORY + "}")) {
            return credentialSource(mapping, key, value);
        }
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
     * Checking as the service sees it, leaves what this process cannot see to the service's start and
     * says so; otherwise does nothing.
     *
     * @return whether it was left to the start (then the caller reports no error)
     */
    boolean leftToStart(YamlMapping mapping, String key, String what, String reason) {
        if (service == null) {
            return false;
        }
        service.defer(mapping.pathOf(key), what, reason);
        return true;
    }

    private Path credentialSource(YamlMapping mapping, String key, String value) {
        Path source = service.resolve(mapping.pathOf(key), value, "the secret alone on one line",
                message -> mapping.error(key, message));
        if (source != null) {
            credentialSources.add(source);
        }
        return source;
    }

    /**
     * Reads a password file: it must be a regular file no one but its owner can read (systemd's
     * LoadCredential= gives exactly that), holding one line of UTF-8 without a byte-order mark or a NUL
     * (AUTH PLAIN separates its fields with NUL, RFC 4616). One trailing newline is dropped, as editors
     * add one.
     */
    Secret password(YamlMapping mapping, String key, Path file) {
        try {
            BoundedFile.regularFile(file);
            if (!credentialSources.contains(file) && Files.getFileStore(file).supportsFileAttributeView("posix")) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                if (permissions.stream().anyMatch(SHARED::contains)) {
                    mapping.error(key, file + " is readable by other users (permissions "
                            + PosixFilePermissions.toString(permissions) + "); run chmod 600 " + file
                            + ", or pass it with systemd LoadCredential=");
                    return null;
                }
            }
            String text = secretText(BoundedFile.read(file, BoundedFile.Limit.SECRET));
            if (text.endsWith("\r\n")) {
                text = text.substring(0, text.length() - 2);
            } else if (text.endsWith("\n")) {
                text = text.substring(0, text.length() - 1);
            }
            if (text.isEmpty()) {
                String credentials = environment.get(CREDENTIALS_DIRECTORY);
                boolean credential = credentials != null && file.startsWith(Path.of(credentials));
                mapping.error(key, file + " is empty; it should hold the password" + (credential
                        ? " (systemd hands an empty credential when the unit's LoadCredential= source file is"
                                + " missing: see `systemctl cat smtp-probe`, and create that file, mode 0600; if it"
                                + " exists now, restart the agent (systemctl restart smtp-probe): systemd copies"
                                + " credentials only when the service starts, so a reload cannot see it)" : ""));
                return null;
            }
            if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
                mapping.error(key, file + " holds more than one line; it should hold only the password");
                return null;
            }
            return new Secret(text);
        } catch (BoundedFile.Refused e) {
            mapping.error(key, file + " " + e.getMessage());
            return null;
        } catch (IOException e) {
            mapping.error(key, file + " " + BoundedFile.cannotRead(e));
            return null;
        }
    }

    /** The text of a secret file; what is wrong is said by byte offset, never by showing the bytes. */
    private static String secretText(byte[] bytes) throws BoundedFile.Refused {
        if (bytes.length >= 3 && bytes[0] == UTF8_BOM[0] && bytes[1] == UTF8_BOM[1] && bytes[2] == UTF8_BOM[2]) {
            throw new BoundedFile.Refused("starts with a byte-order mark (EF BB BF); save it as UTF-8 without one");
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new BoundedFile.Refused("holds a NUL byte (at byte " + i + "); it should hold only the password");
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try {
            return decoder.decode(buffer).toString();
        } catch (CharacterCodingException e) {
            // decode() leaves the buffer at the start of the malformed input.
            throw new BoundedFile.Refused("is not valid UTF-8 (at byte " + buffer.position() + "); save it as UTF-8");
        }
    }

    /** Checks a CA bundle is a regular file of at most a few MiB holding at least one PEM certificate. */
    boolean caBundle(YamlMapping mapping, String key, Path file) {
        try {
            String text = new String(BoundedFile.read(file, BoundedFile.Limit.CA_BUNDLE), StandardCharsets.ISO_8859_1);
            if (!text.contains("-----BEGIN CERTIFICATE-----")) {
                mapping.error(key, file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
                return false;
            }
            return true;
        } catch (BoundedFile.Refused e) {
            mapping.error(key, file + " " + e.getMessage());
            return false;
        }
    }

}
