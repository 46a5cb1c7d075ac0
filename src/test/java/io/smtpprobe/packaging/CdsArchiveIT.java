package io.smtpprobe.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * systemd/make-cds-archive with the built jar and this machine's Java 17, and the launcher starting
 * from what it made: the archive is really used, and no broken or stale archive breaks a command.
 * Then the same for every Java 17 or newer runtime under /usr/lib/jvm (JDK 25's archive differs:
 * its class lists record resolved constants, which the script must handle).
 */
class CdsArchiveIT {
    private static final Path PROJECT = HostCommand.projectDirectory();
    private static final Path LAUNCHER = PROJECT.resolve("systemd/smtp-probe");
    private static final Path SCRIPT = PROJECT.resolve("systemd/make-cds-archive");
    private static final Path TRAINING = PROJECT.resolve("systemd/cds-training.yml");
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /** One archive, made once: the script takes several seconds. Tests that damage it use a copy. */
    @TempDir
    static Path shared;
    private static Path jar;
    private static Path archive;
    private static HostCommand.Result made;

    @TempDir
    Path work;

    @BeforeAll
    static void makeTheArchive() throws IOException {
        jar = Files.copy(PROJECT.resolve("target/smtp-probe.jar"), shared.resolve("smtp-probe.jar"));
        archive = shared.resolve("cache/smtp-probe.jsa");
        made = makeArchive(jar, archive);
    }

    @Test
    void makesAReadableArchiveAndItsStampAndSaysSo() throws IOException {
        assertThat(made.exitCode()).as(made.describe()).isZero();
        assertThat(made.stdout()).startsWith("make-cds-archive: wrote " + archive + " (");
        // The service's transient user reads it.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archive))).isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stamp(archive)))).isEqualTo("rw-r--r--");
        try (var leftovers = Files.list(archive.getParent())) {
            assertThat(leftovers).as("no temporary file left").hasSize(2);
        }
    }

    @Test
    void leavesNoTrainingProcessBehind() {
        // The training daemon must be stopped, not orphaned holding its port.
        assertThat(ProcessHandle.allProcesses()
                .filter(process -> process.info().arguments().map(java.util.Arrays::asList)
                        .map(arguments -> arguments.contains(TRAINING.toString())).orElse(false)))
                .as("processes running on " + TRAINING).isEmpty();
    }

    @Test
    void checkLoadsItsClassesFromTheArchive() throws IOException {
        Path classLog = work.resolve("classes.log");

        // -Xshare:on: the JVM refuses to start rather than run without the archive.
        HostCommand.Result check = launch(archive, jar, "-Xshare:on -Xlog:class+load:file=" + classLog,
                "check", "--config", TRAINING.toString(), "--output", "json");

        assertThat(json(check).path("results").size()).as(check.describe()).isEqualTo(4);
        String loaded = Files.readString(classLog);
        assertThat(loaded).contains("io.smtpprobe.cli.Main source: shared objects file")
                .contains("io.smtpprobe.probe.target.TargetProber source: shared objects file")
                .contains("org.eclipse.angus.mail.smtp.SMTPTransport source: shared objects file")
                .contains("sun.security.ssl.SSLContextImpl source: shared objects file");
    }

    @Test
    void archiveAlsoHoldsWhatTheDaemonsStartLoads() {
        Map<String, String> environment = new HashMap<>();
        environment.put("JAVA_HOME", null);
        HostCommand.Result dictionary = HostCommand.run(TIMEOUT, environment, "openjdk-17-jre-headless",
                javaOf(describe(jar).get("java")), "-XX:SharedArchiveFile=" + archive,
                "-XX:+PrintSharedArchiveAndExit", "-XX:+PrintSharedDictionary", "-jar", jar.toString());

        assertThat(dictionary.stdout()).as(dictionary.describe())
                .contains("io.smtpprobe.cli.RunCommand").contains("io.smtpprobe.daemon.Daemon")
                .contains("io.smtpprobe.http.AgentHttpServer").contains("io.smtpprobe.cli.CheckConfigCommand");
    }

    @Test
    void truncatedArchiveLeavesCheckJsonPure() throws IOException {
        Path copy = copyOfTheArchive();
        byte[] whole = Files.readAllBytes(copy);
        Files.write(copy, java.util.Arrays.copyOf(whole, whole.length / 2));

        HostCommand.Result check = launch(copy, jar, "", "check", "--config", TRAINING.toString(), "--output", "json");

        // JDK 17 dies of SIGBUS (exit 134) when handed this file; the launcher does not hand it over.
        assertThat(check.exitCode()).as(check.describe()).isEqualTo(1);
        assertThat(json(check).path("results").size()).isEqualTo(4);
    }

    @Test
    void archiveTheJvmRejectsLeavesCheckJsonPure() throws IOException {
        // A stamp that matches but an archive the JVM refuses (here a dynamic archive for another
        // class path, which JDK 17 reports with a warning on stdout): -Xlog:cds*=off keeps it quiet.
        Path other = Files.copy(jar, work.resolve("other.jar"));
        Path foreign = work.resolve("cache/smtp-probe.jsa");
        Files.createDirectories(foreign.getParent());
        String java = javaOf(describe(jar).get("java"));
        HostCommand.Result dump = HostCommand.run(TIMEOUT, Map.of(), "openjdk-17-jre-headless", java,
                "-XX:ArchiveClassesAtExit=" + foreign, "-jar", other.toString(), "--version");
        assertThat(dump.exitCode()).as(dump.describe()).isZero();
        Files.writeString(stamp(foreign), stampOf(foreign, jar));
        HostCommand.Result unprotected = HostCommand.run(TIMEOUT, Map.of(), "openjdk-17-jre-headless", java,
                "-XX:SharedArchiveFile=" + foreign, "-Xshare:auto", "-jar", jar.toString(), "--version");
        assertThat(unprotected.stdout()).as("the JVM itself warns on stdout").contains("[warning][cds");

        HostCommand.Result check = launch(foreign, jar, "", "check", "--config", TRAINING.toString(),
                "--output", "json");

        assertThat(check.exitCode()).as(check.describe()).isEqualTo(1);
        assertThat(json(check).path("results").size()).isEqualTo(4);
    }

    @Test
    void replacedJarIsRunWithoutTheOldArchive() throws IOException {
        Path ownJar = Files.copy(jar, work.resolve("smtp-probe.jar"));
        Path ownArchive = work.resolve("cache/smtp-probe.jsa");
        HostCommand.Result make = makeArchive(ownJar, ownArchive);
        assertThat(make.exitCode()).as(make.describe()).isZero();
        // An upgrade: another jar at the same path.
        Files.copy(PROJECT.resolve("target/smtp-probe.jar"), ownJar, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(ownJar, java.nio.file.attribute.FileTime.fromMillis(0));
        Path classLog = work.resolve("classes.log");

        HostCommand.Result check = launch(ownArchive, ownJar, "-Xlog:class+load:file=" + classLog,
                "check", "--config", TRAINING.toString(), "--output", "json");

        assertThat(json(check).path("results").size()).as(check.describe()).isEqualTo(4);
        assertThat(Files.readString(classLog)).contains("io.smtpprobe.cli.Main source: file:")
                .doesNotContain("io.smtpprobe.cli.Main source: shared objects file");
    }

    @Test
    void failureLeavesNoArchiveAndSaysWhyOnOneLine() throws IOException {
        Path ownArchive = work.resolve("cache/smtp-probe.jsa");
        HostCommand.Result first = makeArchive(jar, ownArchive);
        assertThat(first.exitCode()).as(first.describe()).isZero();

        HostCommand.Result broken = makeArchive(work.resolve("missing.jar"), ownArchive);

        assertThat(broken.exitCode()).isEqualTo(1);
        assertThat(broken.stderr().lines()).as(broken.describe()).singleElement().asString()
                .startsWith("make-cds-archive: no class data sharing archive made").contains("missing.jar");
        assertThat(ownArchive).doesNotExist();
        assertThat(stamp(ownArchive)).doesNotExist();
    }

    @Test
    void makesItForTheRuntimeTheServiceFindsNotTheCallersJavaHome() throws IOException {
        // A root shell's JAVA_HOME is not the service's: an archive for it would go unused.
        Path callers = work.resolve("callers-jdk");
        Path java = Files.createDirectories(callers.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'not this runtime' >&2\nexit 1\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(callers.resolve("release"), "JAVA_VERSION=\"17.0.99\"\n");
        Path ownArchive = work.resolve("cache/smtp-probe.jsa");

        HostCommand.Result result = makeArchive(jar, ownArchive, callers.toString());

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(Files.readString(stamp(ownArchive)))
                .startsWith("java=" + Path.of(javaOf(describe(jar).get("java"))).toRealPath() + " ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void launcherStartsEachRuntimeFromTheArchiveMadeForIt(Path javaHome) throws IOException {
        Path ownArchive = archiveFor(javaHome);
        Path classLog = work.resolve("classes.log");

        HostCommand.Result check = launch(ownArchive, jar, javaHome, "-Xlog:class+load:file=" + classLog,
                "check", "--config", TRAINING.toString(), "--output", "json");

        assertThat(json(check).path("results").size()).as(check.describe()).isEqualTo(4);
        String loaded = Files.readString(classLog);
        // The agent's classes and the JDK's TLS client (trained on a loopback handshake).
        assertThat(loaded).as(javaHome + ": classes the launcher's check loaded")
                .contains("io.smtpprobe.cli.Main source: shared objects file")
                .contains("io.smtpprobe.probe.target.TargetProber source: shared objects file")
                .contains("io.smtpprobe.cli.CheckCommand source: shared objects file")
                .contains("org.eclipse.angus.mail.smtp.SMTPTransport source: shared objects file");
        // JDK 24 and newer link the classes ahead of time (JEP 483): a check took less CPU so.
        assertThat(linkedAheadOfTime(javaHome)).as(javaHome + ": classes linked ahead of time")
                .isEqualTo(majorVersion(javaHome) >= 24);
        if (!linkedAheadOfTime(javaHome)) {
            // picocli's Java 5 class files, which JDK 25 leaves out of a plain archive once it links
            // them (an archive of linked classes holds none of them at all).
            assertThat(loaded).as(javaHome + ": picocli")
                    .contains("picocli.CommandLine source: shared objects file")
                    .contains("picocli.CommandLine$Model$CommandSpec source: shared objects file");
        }
        assertThat(archivedClasses(javaHome.resolve("bin/java"), ownArchive)).as(javaHome + ": the archive")
                .contains("sun.security.ssl.ClientHello").contains("sun.security.ssl.CertificateMessage")
                .contains("io.smtpprobe.daemon.Daemon");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void eachRuntimeRunsCheckJsonPureFromATruncatedOrForeignArchive(Path javaHome) throws IOException {
        Path ownArchive = work.resolve("cache/smtp-probe.jsa");
        Files.createDirectories(ownArchive.getParent());
        Files.copy(archiveFor(javaHome), ownArchive);
        Files.writeString(stamp(ownArchive), stampOf(ownArchive, jar, javaHome));
        byte[] whole = Files.readAllBytes(ownArchive);
        Files.write(ownArchive, java.util.Arrays.copyOf(whole, whole.length / 2));

        HostCommand.Result truncated = launch(ownArchive, jar, javaHome, "", "check", "--config",
                TRAINING.toString(), "--output", "json");

        assertThat(truncated.exitCode()).as(truncated.describe()).isEqualTo(1);
        assertThat(json(truncated).path("results").size()).isEqualTo(4);

        // A stamp that matches an archive this runtime rejects (made for another class path): the
        // JVM's warnings about it stay off stdout on every runtime.
        Path other = Files.copy(jar, work.resolve("other.jar"));
        Files.delete(ownArchive);
        HostCommand.Result dump = HostCommand.run(TIMEOUT, Map.of(), "openjdk-17-jre-headless",
                javaHome.resolve("bin/java").toString(), "-XX:ArchiveClassesAtExit=" + ownArchive, "-jar",
                other.toString(), "--version");
        assertThat(dump.exitCode()).as(dump.describe()).isZero();
        Files.writeString(stamp(ownArchive), stampOf(ownArchive, jar, javaHome));

        HostCommand.Result foreign = launch(ownArchive, jar, javaHome, "", "check", "--config",
                TRAINING.toString(), "--output", "json");

        assertThat(foreign.exitCode()).as(foreign.describe()).isEqualTo(1);
        assertThat(json(foreign).path("results").size()).isEqualTo(4);
    }

    /**
     * The archive make-cds-archive --java-home makes for {@code javaHome}, made once per runtime (the
     * script takes several seconds): the shared one when the launcher finds that runtime anyway.
     */
    private static synchronized Path archiveFor(Path javaHome) throws IOException {
        if (Path.of(javaOf(describe(jar).get("java"))).toRealPath().equals(javaHome.resolve("bin/java").toRealPath())) {
            assertThat(made.exitCode()).as(made.describe()).isZero();
            return archive;
        }
        Path own = shared.resolve("cache-" + javaHome.getFileName() + "/smtp-probe.jsa");
        if (!Files.exists(own)) {
            HostCommand.Result make = makeArchive(jar, own, null, javaHome);
            assertThat(make.exitCode()).as(make.describe()).isZero();
            assertThat(make.stdout()).contains(" for " + javaHome.resolve("bin/java").toRealPath());
            MADE_FOR.put(javaHome, make.stdout());
        }
        return own;
    }

    private static final Map<Path, String> MADE_FOR = new java.util.concurrent.ConcurrentHashMap<>();

    /** Whether make-cds-archive said it linked the classes ahead of time (JDK 24 and newer). */
    private static boolean linkedAheadOfTime(Path javaHome) {
        return MADE_FOR.getOrDefault(javaHome, made.stdout()).contains("classes linked ahead of time");
    }

    /**
     * Every runtime of version 17 or newer under /usr/lib/jvm, each once however many links name it.
     * None is a failure, not a skip: the suite runs where the package's runtime is installed.
     */
    static List<Path> runtimes() throws IOException {
        Set<Path> homes = new TreeSet<>();
        try (var entries = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                if (Files.isExecutable(entry.resolve("bin/java")) && majorVersion(entry) >= 17) {
                    homes.add(entry.toRealPath());
                }
            }
        }
        return List.copyOf(homes);
    }

    /** JAVA_VERSION of the runtime's release file ("17.0.15", "25.0.3"); 0 without one. */
    private static int majorVersion(Path javaHome) throws IOException {
        Path release = javaHome.resolve("release");
        if (!Files.isReadable(release)) {
            return 0;
        }
        Matcher version = Pattern.compile("(?m)^JAVA_VERSION=\"?(\\d+)").matcher(Files.readString(release));
        return version.find() ? Integer.parseInt(version.group(1)) : 0;
    }

    /** The class names an archive holds, as its JVM lists them (JDK 17 needs -XX:+PrintSharedDictionary). */
    private static String archivedClasses(Path java, Path archiveFile) {
        HostCommand.Result listed = HostCommand.run(TIMEOUT, Map.of(), "openjdk-17-jre-headless", java.toString(),
                "-XX:SharedArchiveFile=" + archiveFile, "-XX:+PrintSharedArchiveAndExit", "-XX:+PrintSharedDictionary",
                "-jar", jar.toString());
        if (listed.stdout().contains("Unrecognized VM option 'PrintSharedDictionary'")
                || listed.stderr().contains("Unrecognized VM option 'PrintSharedDictionary'")) {
            listed = HostCommand.run(TIMEOUT, Map.of(), "openjdk-17-jre-headless", java.toString(),
                    "-XX:SharedArchiveFile=" + archiveFile, "-XX:+PrintSharedArchiveAndExit", "-jar", jar.toString());
        }
        assertThat(listed.exitCode()).as(listed.describe()).isZero();
        return listed.stdout();
    }

    private static HostCommand.Result makeArchive(Path jarFile, Path archiveFile) {
        return makeArchive(jarFile, archiveFile, null);
    }

    private static HostCommand.Result makeArchive(Path jarFile, Path archiveFile, String callersJavaHome) {
        return makeArchive(jarFile, archiveFile, callersJavaHome, null);
    }

    /** The script as postinst runs it, or with {@code --java-home} when {@code javaHome} is given. */
    private static HostCommand.Result makeArchive(Path jarFile, Path archiveFile, String callersJavaHome,
            Path javaHome) {
        Map<String, String> environment = new HashMap<>();
        environment.put("SMTP_PROBE_JAR", jarFile.toString());
        environment.put("JAVA_HOME", callersJavaHome);
        environment.put("JAVA_OPTS", "-Xshare:off");  // the script ignores the caller's options
        List<String> command = new ArrayList<>(List.of("dash", SCRIPT.toString(), "--launcher", LAUNCHER.toString()));
        if (javaHome != null) {
            command.addAll(List.of("--java-home", javaHome.toString()));
        }
        command.add(archiveFile.toString());
        return HostCommand.run(TIMEOUT, environment, "dash", command.toArray(String[]::new));
    }

    /** The launcher with the unit's JAVA_OPTS plus {@code extraOptions}, starting from {@code archiveFile}. */
    private static HostCommand.Result launch(Path archiveFile, Path jarFile, String extraOptions, String... arguments)
            throws IOException {
        return launch(archiveFile, jarFile, null, extraOptions, arguments);
    }

    /** The same on the runtime {@code javaHome} (the launcher's JAVA_HOME), or the one it finds when null. */
    private static HostCommand.Result launch(Path archiveFile, Path jarFile, Path javaHome, String extraOptions,
            String... arguments) throws IOException {
        Map<String, String> environment = new HashMap<>();
        environment.put("SMTP_PROBE_JAR", jarFile.toString());
        environment.put("SMTP_PROBE_CDS_ARCHIVE", archiveFile.toString());
        environment.put("JAVA_HOME", javaHome == null ? null : javaHome.toString());
        environment.put("JAVA_OPTS", (unitJavaOpts() + " " + extraOptions).strip());
        String[] command = new String[arguments.length + 1];
        command[0] = LAUNCHER.toString();
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        return HostCommand.run(TIMEOUT, environment, "dash", command);
    }

    private static String unitJavaOpts() throws IOException {
        Matcher options = Pattern.compile("(?m)^Environment=\"JAVA_OPTS=([^\"]*)\"$")
                .matcher(Files.readString(PROJECT.resolve("systemd/smtp-probe.service")));
        assertThat(options.find()).as("the unit sets JAVA_OPTS").isTrue();
        return options.group(1);
    }

    private static Map<String, String> describe(Path jarFile) {
        Map<String, String> environment = new HashMap<>();
        environment.put("SMTP_PROBE_JAR", jarFile.toString());
        environment.put("SMTP_PROBE_LAUNCHER", "describe");
        environment.put("JAVA_HOME", null);
        HostCommand.Result described = HostCommand.run(TIMEOUT, environment, "dash", LAUNCHER.toString());
        assertThat(described.exitCode()).as(described.describe()).isZero();
        Map<String, String> fields = new HashMap<>();
        described.stdout().lines().forEach(line -> fields.put(line.substring(0, line.indexOf('=')),
                line.substring(line.indexOf('=') + 1)));
        return fields;
    }

    private static String javaOf(String java) {
        assertThat(java).as("the launcher found a java").isNotBlank();
        return java;
    }

    private static String stampOf(Path archiveFile, Path jarFile) {
        return stampOf(archiveFile, jarFile, null);
    }

    private static String stampOf(Path archiveFile, Path jarFile, Path javaHome) {
        Map<String, String> environment = new HashMap<>();
        environment.put("SMTP_PROBE_JAR", jarFile.toString());
        environment.put("SMTP_PROBE_CDS_ARCHIVE", archiveFile.toString());
        environment.put("SMTP_PROBE_LAUNCHER", "cds-stamp");
        environment.put("JAVA_HOME", javaHome == null ? null : javaHome.toString());
        HostCommand.Result stamp = HostCommand.run(TIMEOUT, environment, "dash", LAUNCHER.toString());
        assertThat(stamp.exitCode()).as(stamp.describe()).isZero();
        return stamp.stdout();
    }

    /** The shared archive and its stamp, copied with their times so that the stamp still matches. */
    private Path copyOfTheArchive() throws IOException {
        Path copy = work.resolve("cache/smtp-probe.jsa");
        Files.createDirectories(copy.getParent());
        Files.copy(archive, copy, StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(stamp(archive), stamp(copy), StandardCopyOption.COPY_ATTRIBUTES);
        assertThat(stampOf(copy, jar)).as("the copy's stamp matches").isEqualTo(Files.readString(stamp(copy)));
        return copy;
    }

    private static Path stamp(Path archiveFile) {
        return archiveFile.resolveSibling(archiveFile.getFileName() + ".stamp");
    }

    /** stdout as JSON: fails the test when anything else is mixed in. */
    private static JsonNode json(HostCommand.Result result) throws IOException {
        assertThat(result.stdout()).as(result.describe()).startsWith("{");
        return new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(result.stdout());
    }
}
