package io.smtpprobe.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README.md "Code layout": packages by concept, dependencies one way:
 * {@code config <- policy <- probe <- {classify, metrics} <- {azure, report} <- engine <- daemon <- {http, cli}}.
 * Read from the sources (imports and fully qualified names outside comments): a package may use only
 * packages of a lower layer, so there are no cycles, and every package has a {@code package-info.java}.
 * Of the siblings, {@code metrics} renders {@code classify}'s judged results, so it sits just above, and
 * {@code cli}, the entry point, hands the daemon the HTTP front end, so it sits above {@code http}.
 */
class PackageDependencyTest {
    private static final Path MAIN = Path.of("src", "main", "java", "io", "smtpprobe");
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("config", 0), Map.entry("policy", 1), Map.entry("probe", 2),
            Map.entry("classify", 3), Map.entry("metrics", 4),
            Map.entry("azure", 4), Map.entry("report", 4),
            Map.entry("engine", 5), Map.entry("daemon", 6),
            Map.entry("http", 7), Map.entry("cli", 8));
    private static final Pattern USE = Pattern.compile("\\bio\\.smtpprobe\\.([a-z]+)\\.");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);

    @Test
    void everyPackageUsesOnlyPackagesOfALowerLayer() throws IOException {
        Map<String, TreeSet<String>> uses = uses();
        List<String> wrong = new ArrayList<>();
        uses.forEach((from, targets) -> targets.stream()
                .filter(to -> !to.equals(from) && LAYER.get(to) >= LAYER.get(from))
                .forEach(to -> wrong.add(from + " -> " + to)));
        assertThat(uses.keySet()).as("packages with a layer in the README's code layout").isEqualTo(new TreeSet<>(LAYER.keySet()));
        assertThat(wrong).as("dependencies against the README's code layout's direction").isEmpty();
    }

    @Test
    void everyPackageSaysWhatLivesThere() throws IOException {
        for (String pkg : LAYER.keySet()) {
            assertThat(MAIN.resolve(pkg).resolve("package-info.java")).as("package-info of %s", pkg).isRegularFile();
        }
    }

    @Test
    void noClassPassesAboutThreeHundredLines() throws IOException {
        List<String> long_ = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                long lines = Files.readAllLines(file).size();
                if (lines > 320) {
                    long_.add(MAIN.relativize(file) + " (" + lines + " lines)");
                }
            }
        }
        assertThat(long_).as("classes over about 300 lines").isEmpty();
    }

    private static Map<String, TreeSet<String>> uses() throws IOException {
        Map<String, TreeSet<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(file).getName(0).toString();
                String code = COMMENT.matcher(Files.readString(file)).replaceAll("");
                TreeSet<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = USE.matcher(code);
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        return uses;
    }
}
