package io.smtpprobe.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /usr/bin/smtp-probe launcher (systemd/smtp-probe), run against stand-in runtimes whose
 * {@code java} prints the arguments it was given.
 */
class LauncherTest {
    private static final Path LAUNCHER = HostCommand.projectDirectory().resolve("systemd/smtp-probe");

    @TempDir
    Path work;
    private Path jar;
    /** Where the launcher looks for a class data sharing archive; made only by the tests that want one. */
    private Path archive;

    @BeforeEach
    void aJarToLaunch() throws IOException {
        jar = Files.writeString(work.resolve("smtp-probe.jar"), "");
        archive = work.resolve("cache/smtp-probe.jsa");
    }

    @Test
    void runsTheJarWithJavaOptsAndTheArgumentsUnchanged() throws IOException {
        Path runtime = runtime("java17", "17.0.15", "ECHO");
        Map<String, String> environment = environment(runtime);
        environment.put("JAVA_OPTS", "-Xmx32m -Dsmtp.probe=yes");

        HostCommand.Result result = launch(environment, "check", "--target", "a name with spaces");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout().lines()).containsExactly("ECHO", "-XX:TrimNativeHeapInterval=5000",
                "-Xmx32m", "-Dsmtp.probe=yes", "-jar", jar.toString(), "check", "--target", "a name with spaces");
    }

    @Test
    void sizesTheJvmForASmallAgentWhenJavaOptsIsUnset() throws IOException {
        HostCommand.Result result = launch(environment(runtime("java17", "17.0.15", "ECHO")), "--version");

        assertThat(result.stdout().lines()).containsSubsequence("ECHO", "-Xmx64m", "-XX:+UseSerialGC", "-jar",
                jar.toString(), "--version");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "Java {0}: trims the native heap {1}")
    @org.junit.jupiter.params.provider.CsvSource({"17, false", "17.0.8, false", "17.0.9, true", "17.0.15, true",
        "21, false", "21.0.1, true", "22, true", "25, true", "25.0.1, true"})
    void addsTheNativeHeapTrimOnlyOnRuntimesThatHaveItBeforeJavaOpts(String version, boolean trims) throws IOException {
        Map<String, String> environment = environment(runtime("java", version, "ECHO"));
        environment.put("JAVA_OPTS", "-XX:TrimNativeHeapInterval=0");

        HostCommand.Result result = launch(environment, "--version");

        // An older runtime refuses to start with an option it does not know, so it never gets it.
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout().lines().toList()).isEqualTo(trims
                ? List.of("ECHO", "-XX:TrimNativeHeapInterval=5000", "-XX:TrimNativeHeapInterval=0", "-jar",
                        jar.toString(), "--version")
                : List.of("ECHO", "-XX:TrimNativeHeapInterval=0", "-jar", jar.toString(), "--version"));
    }

    @Test
    void passesOverARuntimeOlderThan17() throws IOException {
        Path old = runtime("java11", "11.0.22", "OLD-RUNTIME");

        HostCommand.Result result = launch(environment(old), "--version");

        // It goes on to the machine's Java 17 (which then rejects the empty stand-in jar).
        assertThat(result.stdout()).doesNotContain("OLD-RUNTIME");
        assertThat(result.stderr()).contains("jarfile");
    }

    @Test
    void explainsAMissingJar() throws IOException {
        Map<String, String> environment = environment(runtime("java17", "17.0.15", "ECHO"));
        environment.put("SMTP_PROBE_JAR", work.resolve("missing.jar").toString());

        HostCommand.Result result = launch(environment, "--version");

        assertThat(result.exitCode()).isEqualTo(70);
        assertThat(result.stderr()).contains("cannot read " + work.resolve("missing.jar"))
                .contains("reinstall smtp-probe");
    }

    @Test
    void startsFromTheClassDataSharingArchiveWhoseStampMatchesBeforeJavaOpts() throws IOException {
        Map<String, String> environment = environment(runtime("java17", "17.0.15", "ECHO"));
        stampedArchive(environment);
        environment.put("JAVA_OPTS", "-Xmx32m");

        HostCommand.Result result = launch(environment, "check");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        // First, so that -Xshare:off or another archive in JAVA_OPTS wins; silent, so stdout stays the program's.
        assertThat(result.stdout().lines()).containsExactly("ECHO", "-XX:SharedArchiveFile=" + archive,
                "-Xshare:auto", "-Xlog:cds*=off", "-XX:TrimNativeHeapInterval=5000", "-Xmx32m", "-jar", jar.toString(),
                "check");
    }

    @Test
    void startsWithoutAnArchiveWhenThereIsNone() throws IOException {
        HostCommand.Result result = launch(environment(runtime("java17", "17.0.15", "ECHO")), "check");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout()).doesNotContain("SharedArchiveFile").doesNotContain("Xshare");
    }

    @Test
    void startsWithoutAnArchiveWithoutItsStamp() throws IOException {
        Map<String, String> environment = environment(runtime("java17", "17.0.15", "ECHO"));
        stampedArchive(environment);
        Files.delete(Path.of(archive + ".stamp"));

        assertThat(launch(environment, "check").stdout()).doesNotContain("SharedArchiveFile");
    }

    @Test
    void startsWithoutATruncatedArchive() throws IOException {
        // JDK 17 dies of SIGBUS mapping a truncated archive, even with -Xshare:auto.
        Map<String, String> environment = environment(runtime("java17", "17.0.15", "ECHO"));
        stampedArchive(environment);
        Files.write(archive, new byte[] {1, 2, 3});

        assertThat(launch(environment, "check").stdout()).doesNotContain("SharedArchiveFile");
    }

    @Test
    void startsWithoutTheArchiveOnceTheJarIsReplaced() throws IOException {
        Map<String, String> environment = environment(runtime("java17", "17.0.15", "ECHO"));
        stampedArchive(environment);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));

        assertThat(launch(environment, "check").stdout()).doesNotContain("SharedArchiveFile");
    }

    @Test
    void startsWithoutTheArchiveOnceTheRuntimeIsUpgraded() throws IOException {
        Path runtime = runtime("java17", "17.0.15", "ECHO");
        Map<String, String> environment = environment(runtime);
        stampedArchive(environment);
        Files.writeString(runtime.resolve("lib/server/libjvm.so"), "the next build");

        assertThat(launch(environment, "check").stdout()).doesNotContain("SharedArchiveFile");
    }

    @Test
    void startsWithoutTheArchiveMadeForAnotherRuntime() throws IOException {
        Map<String, String> environment = environment(runtime("java17", "17.0.15", "ECHO"));
        stampedArchive(environment);
        environment.put("JAVA_HOME", runtime("java21", "21.0.5", "OTHER").toString());

        HostCommand.Result result = launch(environment, "check");

        assertThat(result.stdout()).startsWith("OTHER\n").doesNotContain("SharedArchiveFile");
    }

    @Test
    void describesItsJavaJarAndOptionsForMakeCdsArchive() throws IOException {
        Path runtime = runtime("java17", "17.0.15", "ECHO");
        Map<String, String> environment = environment(runtime);
        environment.put("SMTP_PROBE_LAUNCHER", "describe");

        HostCommand.Result result = launch(environment, "check");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout().lines()).containsExactly("java=" + runtime.resolve("bin/java"), "jar=" + jar,
                "java_opts=-Xms8m -Xmx64m -Xss256k -XX:MaxMetaspaceSize=64m -XX:+UseSerialGC -XX:NewRatio=4 -XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70 -XX:TieredStopAtLevel=1");
    }

    /** An archive under {@link #archive} and the stamp make-cds-archive would write beside it. */
    private void stampedArchive(Map<String, String> environment) throws IOException {
        Files.createDirectories(archive.getParent());
        Files.write(archive, new byte[4096]);
        Map<String, String> stamping = new HashMap<>(environment);
        stamping.put("SMTP_PROBE_LAUNCHER", "cds-stamp");
        HostCommand.Result stamp = launch(stamping);
        assertThat(stamp.exitCode()).as(stamp.describe()).isZero();
        Files.writeString(Path.of(archive + ".stamp"), stamp.stdout());
    }

    /**
     * A Java home whose release file says {@code version}, whose java prints its arguments, and
     * whose libjvm.so and lib/modules are there to be stamped.
     */
    private Path runtime(String name, String version, String marker) throws IOException {
        Path home = work.resolve(name);
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho " + marker + "\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Files.writeString(Files.createDirectories(home.resolve("lib/server")).resolve("libjvm.so"), name);
        Files.writeString(home.resolve("lib/modules"), name);
        return home;
    }

    private Map<String, String> environment(Path javaHome) {
        Map<String, String> environment = new HashMap<>();
        environment.put("JAVA_HOME", javaHome.toString());
        environment.put("SMTP_PROBE_JAR", jar.toString());
        environment.put("JAVA_OPTS", null);
        environment.put("SMTP_PROBE_CDS_ARCHIVE", archive.toString());
        environment.put("SMTP_PROBE_LAUNCHER", null);
        return environment;
    }

    private HostCommand.Result launch(Map<String, String> environment, String... arguments) {
        String[] command = new String[arguments.length + 1];
        command[0] = LAUNCHER.toString();
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        return HostCommand.run(Duration.ofSeconds(30), environment, "dash", command);
    }
}
