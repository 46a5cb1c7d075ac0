package io.smtpprobe.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
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

    @BeforeEach
    void aJarToLaunch() throws IOException {
        jar = Files.writeString(work.resolve("smtp-probe.jar"), "");
    }

    @Test
    void runsTheJarWithJavaOptsAndTheArgumentsUnchanged() throws IOException {
        Path runtime = runtime("java17", "17.0.15", "ECHO");
        Map<String, String> environment = environment(runtime);
        environment.put("JAVA_OPTS", "-Xmx32m -Dsmtp.probe=yes");

        HostCommand.Result result = launch(environment, "check", "--target", "a name with spaces");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout().lines()).containsExactly("ECHO",
                "-Xmx32m", "-Dsmtp.probe=yes", "-jar", jar.toString(), "check", "--target", "a name with spaces");
    }

    @Test
    void sizesTheJvmForASmallAgentWhenJavaOptsIsUnset() throws IOException {
        HostCommand.Result result = launch(environment(runtime("java17", "17.0.15", "ECHO")), "--version");

        assertThat(result.stdout().lines()).containsSubsequence("ECHO", "-Xmx64m", "-XX:+UseSerialGC", "-jar",
                jar.toString(), "--version");
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

    /** A Java home whose release file says {@code version} and whose java prints its arguments. */
    private Path runtime(String name, String version, String marker) throws IOException {
        Path home = work.resolve(name);
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho " + marker + "\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    private Map<String, String> environment(Path javaHome) {
        Map<String, String> environment = new HashMap<>();
        environment.put("JAVA_HOME", javaHome.toString());
        environment.put("SMTP_PROBE_JAR", jar.toString());
        environment.put("JAVA_OPTS", null);
        return environment;
    }

    private HostCommand.Result launch(Map<String, String> environment, String... arguments) {
        String[] command = new String[arguments.length + 1];
        command[0] = LAUNCHER.toString();
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        return HostCommand.run(Duration.ofSeconds(30), environment, "dash", command);
    }
}
