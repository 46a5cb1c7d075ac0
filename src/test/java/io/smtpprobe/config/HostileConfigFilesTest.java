package io.smtpprobe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.smtpprobe.policy.PolicyTable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files a config names, and the config itself, as an attacker or a slip of the keyboard makes them
 * (issue 14 items 6, 7 and 12): huge, sparse, a FIFO, a device, a directory, bytes that are not a
 * password. Each ends in a config error naming the path and what is wrong, never the content, and
 * none blocks or reads more than its cap.
 */
class HostileConfigFilesTest {
    private static final String PASSWORD = "hostile-Secret-3b9e";
    /** Long enough for a loaded machine; a blocking open of a FIFO would wait forever. */
    private static final Duration BOUND = Duration.ofSeconds(10);

    private final ConfigLoader loader = new ConfigLoader(Map.of(), PolicyTable.NAMES);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {100L << 20, 3L << 30})
    void refusesAnOversizedSparseCaFileByItsSizeWithoutReadingIt(long size) throws Exception {
        Path ca = sparse(dir.resolve("ca.pem"), size);

        ConfigException error = loadFails(relayWithCaFile(ca));

        assertThat(error.errors()).containsExactly("targets[0].tls.ca_file: " + ca + " is larger than 4194304 bytes;"
                + " it should hold the CA certificates to trust, in PEM");
    }

    @Test
    void acceptsACaBundleAsLargeAsTheSystemOne() throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        Path ca = Files.writeString(dir.resolve("bundle.pem"), pem.repeat((1 << 20) / pem.length()));

        Config config = load(relayWithCaFile(ca));

        assertThat(config.targets().get(0).tls().caFile()).isEqualTo(ca);
    }

    @Test
    void refusesASparseThreeGigabyteConfigFileByItsSize() throws Exception {
        Path file = sparse(dir.resolve("smtp-probe.yml"), 3L << 30);

        ConfigException error = catchThrowableOfType(ConfigException.class, () -> loader.load(file));

        assertThat(error.errors()).containsExactly("is larger than 1048576 bytes; is it the config?");
    }

    @Test
    void refusesASparseThreeGigabytePasswordFileByItsSize() throws Exception {
        Path password = ownerOnly(sparse(dir.resolve("password"), 3L << 30));

        ConfigException error = loadFails(relayWithPasswordFile(password));

        assertThat(error.errors()).containsExactly("targets[0].auth.password_file: " + password
                + " is larger than 4096 bytes; it should hold only the password");
    }

    @Test
    void refusesAConfigThatIsAFifoWithoutOpeningIt() throws Exception {
        Path fifo = fifo(dir.resolve("smtp-probe.yml"));

        ConfigException error = assertTimeoutPreemptively(BOUND,
                () -> catchThrowableOfType(ConfigException.class, () -> loader.load(fifo)));

        assertThat(error.errors()).containsExactly(
                "is a FIFO (named pipe), not a regular file; it is not read (a read could wait forever)");
    }

    @Test
    void refusesCaAndPasswordFilesThatAreFifosWithoutOpeningThem() throws Exception {
        Path ca = fifo(dir.resolve("ca.pem"));
        Path password = fifo(dir.resolve("password"));
        String yaml = relayWithCaFile(ca) + "    auth: {username: probe, password_file: " + password + "}\n";

        ConfigException error = assertTimeoutPreemptively(BOUND, () -> loadFails(yaml));

        assertThat(error.errors()).containsExactly(
                "targets[0].tls.ca_file: " + ca + " is a FIFO (named pipe), not a regular file; it is not read"
                        + " (a read could wait forever)",
                "targets[0].auth.password_file: " + password + " is a FIFO (named pipe), not a regular file; it is"
                        + " not read (a read could wait forever)");
    }

    @Test
    void refusesADeviceOrADirectoryAsTheConfig() {
        Path zero = Path.of("/dev/zero");

        ConfigException device = assertTimeoutPreemptively(BOUND,
                () -> catchThrowableOfType(ConfigException.class, () -> loader.load(zero)));
        ConfigException directory = catchThrowableOfType(ConfigException.class, () -> loader.load(dir));

        assertThat(device.errors()).containsExactly(
                "is a character device, not a regular file; it is not read (a read could wait forever)");
        assertThat(directory.errors()).containsExactly("is a directory, not a file");
    }

    @Test
    void refusesAPasswordFileStartingWithAByteOrderMark() throws Exception {
        Path file = passwordFile(bytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, PASSWORD + "\n"));

        assertThat(loadFails(relayWithPasswordFile(file)).errors()).containsExactly("targets[0].auth.password_file: "
                + file + " starts with a byte-order mark (EF BB BF); save it as UTF-8 without one");
    }

    @Test
    void refusesAPasswordFileHoldingANulByte() throws Exception {
        Path file = passwordFile(bytes(PASSWORD.getBytes(StandardCharsets.UTF_8), "\0rest"));

        ConfigException error = loadFails(relayWithPasswordFile(file));

        assertThat(error.errors()).containsExactly("targets[0].auth.password_file: " + file
                + " holds a NUL byte (at byte 19); it should hold only the password");
        assertThat(error.getMessage()).doesNotContain(PASSWORD).doesNotContain("rest");
    }

    @Test
    void refusesAPasswordFileThatIsNotUtf8SayingWhereWithoutShowingIt() throws Exception {
        // "Sécret" in Latin-1: 0xE9 cannot start a UTF-8 sequence followed by 'c'.
        Path file = passwordFile(
                bytes("S".getBytes(StandardCharsets.UTF_8), "\u00e9cret", StandardCharsets.ISO_8859_1));

        ConfigException error = loadFails(relayWithPasswordFile(file));

        assertThat(error.errors()).containsExactly("targets[0].auth.password_file: " + file
                + " is not valid UTF-8 (at byte 1); save it as UTF-8");
        assertThat(error.getMessage()).doesNotContain("cret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "\r\n"})
    void readsAUtf8PasswordWithAtMostOneTrailingNewlineUnchanged(String ending) throws Exception {
        String password = "p\u00e4ss-w\u00f6rd-\u20ac-" + PASSWORD;
        Path file = passwordFile((password + ending).getBytes(StandardCharsets.UTF_8));

        Config config = load(relayWithPasswordFile(file));

        assertThat(config.targets().get(0).auth().password()).isEqualTo(new Secret(password));
    }

    private Config load(String yaml) throws ConfigException {
        return loader.parse(yaml, "hostile.yml");
    }

    private ConfigException loadFails(String yaml) {
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> load(yaml));
        assertThat(error).as("the config must be refused").isNotNull();
        return error;
    }

    private static String relayWithCaFile(Path ca) {
        return "targets:\n  - host: relay.example.com\n    mode: submission\n    tls:\n      ca_file: " + ca + "\n";
    }

    private static String relayWithPasswordFile(Path file) {
        return "targets:\n  - host: relay.example.com\n    mode: submission\n    auth: {username: probe,"
                + " password_file: " + file + "}\n";
    }

    private Path passwordFile(byte[] content) throws IOException {
        return ownerOnly(Files.write(dir.resolve("password"), content));
    }

    private static byte[] bytes(byte[] head, String tail) {
        return bytes(head, tail, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(byte[] head, String tail, java.nio.charset.Charset charset) {
        byte[] rest = tail.getBytes(charset);
        byte[] all = new byte[head.length + rest.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(rest, 0, all, head.length, rest.length);
        return all;
    }

    /** A file of {@code size} bytes that takes no disk space: what a 3 GB file costs an attacker. */
    private static Path sparse(Path file, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        return file;
    }

    private static Path ownerOnly(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    static Path fifo(Path path) throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", "-m", "600", path.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
        return path;
    }
}
