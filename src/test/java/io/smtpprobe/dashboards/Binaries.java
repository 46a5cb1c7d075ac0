package io.smtpprobe.dashboards;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the Prometheus binaries the dashboard tests run, or fails saying how to install them. */
final class Binaries {
    private Binaries() {}

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
        throw new AssertionError(name + " is not installed (looked in PATH and /usr/bin). The dashboard and alert"
                + " tests need Debian's prometheus package: apt-get update && apt-get install -y prometheus");
    }
}
