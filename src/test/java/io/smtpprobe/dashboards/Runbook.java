package io.smtpprobe.dashboards;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The sections of a Markdown file as the anchors a link names ({@code #smtpnoegress}), as GitHub and GitLab make them. */
final class Runbook {
    private Runbook() {}

    static Set<String> anchors(Path markdown) throws IOException {
        return Files.readAllLines(markdown).stream()
                .filter(line -> line.startsWith("#"))
                .map(line -> line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
