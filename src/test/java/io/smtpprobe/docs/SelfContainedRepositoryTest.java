package io.smtpprobe.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No file of the repository sends its reader to a file outside it: a user of this repository (or of
 * the package, which ships the README, examples and dashboards) has only what is here. The
 * user-facing contract lives in the README and the man pages (src/man).
 */
class SelfContainedRepositoryTest {
    /** A design document kept beside the repository, or any path that climbs out of it to a sibling. */
    private static final Pattern OUTSIDE = Pattern.compile("DESIGN\\.md|\\.\\./shared\\b|\\bDESIGN section\\b");
    private static final String THIS_TEST = "src/test/java/io/smtpprobe/docs/SelfContainedRepositoryTest.java";

    @Test
    void noTrackedFileNamesAPathOutsideTheRepository() throws IOException, InterruptedException {
        List<String> offenders = new ArrayList<>();
        List<String> tracked = trackedFiles();
        assertThat(tracked).contains("README.md", "pom.xml", THIS_TEST);
        for (String name : tracked) {
            Path file = Path.of(name);
            if (name.equals(THIS_TEST) || !Files.isRegularFile(file)) {
                continue;
            }
            byte[] bytes = Files.readAllBytes(file);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            int line = 0;
            for (String content : text.split("\n", -1)) {
                line++;
                if (OUTSIDE.matcher(content).find()) {
                    offenders.add(name + ":" + line + ": " + content.strip());
                }
            }
        }
        assertThat(offenders).as("files that point outside the repository (point to a README section or a man"
                + " page instead)").isEmpty();
    }

    private static List<String> trackedFiles() throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "ls-files", "-z").redirectErrorStream(false).start();
        byte[] out = git.getInputStream().readAllBytes();
        assertThat(git.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(git.exitValue()).as("git ls-files in " + Path.of("").toAbsolutePath()).isZero();
        List<String> names = new ArrayList<>();
        for (String name : new String(out, StandardCharsets.UTF_8).split("\0")) {
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }
}
