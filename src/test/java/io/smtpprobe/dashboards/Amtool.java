package io.smtpprobe.dashboards;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a binary of Debian's prometheus-alertmanager package ({@code amtool}, {@code prometheus-alertmanager}),
 * or fails saying how to install it: CI installs it, so a skip would only hide a broken set-up.
 */
final class Amtool {
    /** How one run ended; {@code stdout} alone, and {@code output} with what it wrote to stderr after. */
    record Run(int exitCode, String stdout, String output) {}

    private Amtool() {}

    static Path find(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin";
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = dir.isEmpty() ? null : Path.of(dir, name);
            if (candidate != null && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(name + " is not installed (looked in PATH and /usr/bin). It comes with Debian's"
                + " prometheus-alertmanager package: apt-get install -y prometheus-alertmanager, or run"
                + " src/test/sh/install-test-deps.sh");
    }

    static Run run(String... arguments) {
        List<String> command = new ArrayList<>(List.of(find("amtool").toString()));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
            // amtool writes a few lines at most, so reading one stream after the other cannot block it.
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("amtool did not finish within 60 s: " + command);
            }
            return new Run(process.exitValue(), stdout, stdout + stderr);
        } catch (IOException e) {
            throw new AssertionError("could not run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
    }
}
