package io.smtpprobe.packaging;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program of the test machine (systemd-analyze, dpkg, lintian, the built launcher) and
 * collects what it printed. A missing program fails the test with the Debian package to install:
 * CI installs every tool these tests use (src/test/sh/install-test-deps.sh).
 */
final class HostCommand {
    /** What a finished program printed and how it exited. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** For assertion messages: enough to see what went wrong without rerunning. */
        String describe() {
            return String.join(" ", command) + " exited " + exitCode
                    + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    private HostCommand() {
    }

    static Result run(Duration timeout, Map<String, String> extraEnvironment, String debianPackage, String... command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        // A null value removes the variable from the inherited environment.
        extraEnvironment.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return fail("cannot run " + command[0] + " (" + e.getMessage() + "); install the Debian package "
                    + debianPackage + " (src/test/sh/install-test-deps.sh does)");
        }
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return fail(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(List.of(command), process.exitValue(), stdout.join(), stderr.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return fail("interrupted while waiting for " + command[0]);
        }
    }

    static Result run(String debianPackage, String... command) {
        return run(Duration.ofMinutes(2), Map.of(), debianPackage, command);
    }

    static Path projectDirectory() {
        return Path.of(System.getProperty("user.dir"));
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
