package io.smtpprobe.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documents in /usr/share/doc/smtp-probe, as the .deb holds them, send their reader only to what is there
 * (issue 23: the packaged README pointed to systemd/README.md, which the package lacked). Every relative
 * Markdown link must resolve from the file that has it, and every document named by its path
 * ({@code systemd/README.md}, {@code dashboards/FLEET.md#...}) from that file or from the tree's root, the way
 * the repository's documents write paths.
 */
class PackagedDocsIT {
    private static final String VERSION = System.getProperty("smtpprobe.version");
    private static final Path DEB = HostCommand.projectDirectory().resolve("target/smtp-probe_" + VERSION + "_all.deb");
    /** {@code [text](target)} and {@code [label]: target}, the target without a title. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)|^\\s*\\[[^\\]]+\\]:\\s*(\\S+)",
            Pattern.MULTILINE);
    /** A document named by a path with a directory, in backticks or not, not inside a URL. */
    private static final Pattern DOCUMENT = Pattern.compile("(?<![\\w/.:-])((?:[\\w.-]+/)+[\\w.-]+\\.md)(?:#[\\w-]*)?");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @Test
    void everyLinkAndDocumentPathOfThePackagedDocsResolvesInsideThem(@TempDir Path unpacked) throws IOException {
        HostCommand.Result extract = HostCommand.run("dpkg", "dpkg-deb", "-x", DEB.toString(), unpacked.toString());
        assertThat(extract.exitCode()).as(extract.describe()).isZero();
        Path docs = unpacked.resolve("usr/share/doc/smtp-probe");
        List<Path> markdown;
        try (Stream<Path> files = Files.walk(docs)) {
            markdown = files.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
        assertThat(markdown).contains(docs.resolve("README.md"), docs.resolve("systemd/README.md"),
                docs.resolve("dashboards/FLEET.md"));

        List<String> dangling = new ArrayList<>();
        Set<String> followed = new LinkedHashSet<>();
        for (Path file : markdown) {
            String name = docs.relativize(file).toString();
            String text = Files.readString(file);
            Matcher links = LINK.matcher(text);
            while (links.find()) {
                String target = links.group(1) != null ? links.group(1) : links.group(2);
                if (SCHEME.matcher(target).find() || target.startsWith("#")) {
                    continue;
                }
                String path = target.replaceFirst("#.*", "");
                followed.add(name + " -> " + path);
                if (!inside(docs, file.getParent().resolve(path))) {
                    dangling.add(name + ": link (" + target + ")");
                }
            }
            Matcher documents = DOCUMENT.matcher(text);
            while (documents.find()) {
                String path = documents.group(1);
                followed.add(name + " -> " + path);
                if (!inside(docs, file.getParent().resolve(path)) && !inside(docs, docs.resolve(path))) {
                    dangling.add(name + ": " + path);
                }
            }
        }

        assertThat(followed).as("what was followed").contains("README.md -> systemd/README.md",
                "README.md -> src/bench/RESULTS.md", "README.md -> dashboards/FLEET.md");
        assertThat(dangling).as("references in /usr/share/doc/smtp-probe to files the package does not ship there")
                .isEmpty();
    }

    /** Whether {@code path} is a file of the doc tree (not a file elsewhere that a {@code ..} reaches). */
    private static boolean inside(Path docs, Path path) {
        Path normal = path.normalize();
        return normal.startsWith(docs) && Files.isRegularFile(normal);
    }
}
