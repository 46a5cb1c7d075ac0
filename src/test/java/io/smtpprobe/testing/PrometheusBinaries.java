package io.smtpprobe.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds Debian's Prometheus binaries (package {@code prometheus}) or fails saying how to install them:
 * CI installs them, so a skip would only hide a broken set-up.
 */
final class PrometheusBinaries {
    private PrometheusBinaries() {}

    static Path find(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin";
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(name + " is not installed (looked in PATH and /usr/bin). It comes with"
                + " Debian's prometheus package: apt-get update && apt-get install -y prometheus, or run"
                + " src/test/sh/install-test-deps.sh");
    }
}
