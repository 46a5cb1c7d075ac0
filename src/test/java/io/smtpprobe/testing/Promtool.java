package io.smtpprobe.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's promtool (package {@code prometheus}). A test that needs it fails with an install
 * hint when it is missing: CI installs it, so a skip would only hide a broken set-up.
 */
public final class Promtool {
    /** What one run printed and how it ended. */
    public record Run(int exitCode, String output) {}

    private final Path executable;

    private Promtool(Path executable) {
        this.executable = executable;
    }

    public static Promtool onPath() {
        return new Promtool(PrometheusBinaries.find("promtool"));
    }

    public Run run(Path workingDirectory, String... arguments) {
        return run(workingDirectory, new byte[0], arguments);
    }

    /** Runs promtool with {@code input} on its standard input, as {@code promtool check metrics} reads it. */
    public Run runWithInput(String input, String... arguments) {
        return run(Path.of("."), input.getBytes(StandardCharsets.UTF_8), arguments);
    }

    private Run run(Path workingDirectory, byte[] input, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command)
                    .directory(workingDirectory.toFile())
                    .redirectErrorStream(true)
                    .start();
            try (var stdin = process.getOutputStream()) {
                stdin.write(input);
            }
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("promtool did not finish within 60 s: " + command);
            }
            return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("could not run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
    }

    /** Writes {@code content} to a file in {@code dir} and returns its path. */
    public static Path write(Path dir, String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("could not write " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    /** {@code text} as a double-quoted YAML scalar, for PromQL and paths written into rule and config files. */
    public static String yamlString(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
