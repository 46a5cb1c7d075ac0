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
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README.md "Code layout": packages by concept, dependencies one way:
 * {@code config <- policy <- probe <- {classify, delivery} <- {metrics, azure, report} <- engine <- daemon <- {http, cli}}.
 * Read from the sources (imports and fully qualified names outside comments): a package may use only
 * packages of a lower layer, so there are no cycles, and every package has a {@code package-info.java}.
 * Of the siblings, {@code metrics} renders {@code classify}'s judged results, so it sits just above, and
 * {@code cli}, the entry point, hands the daemon the HTTP front end, so it sits above {@code http}.
 *
 * <p>Inside {@code probe} (which the other packages see as one, sub-packages and all) the same rule holds for its
 * sub-packages: {@code probe} itself, what the rest of the code sees of a probe, at the bottom;
 * {@code probe.step}, what every step shares; {@code probe.dns} and {@code probe.net}; {@code probe.tls};
 * {@code probe.mtasts} and {@code probe.smtp}; the prober, {@code probe.target}, at the top. Siblings on one layer
 * use neither the other.
 */
class PackageDependencyTest {
    private static final Path MAIN = Path.of("src", "main", "java", "io", "smtpprobe");
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("config", 0), Map.entry("policy", 1), Map.entry("probe", 2),
            Map.entry("classify", 3), Map.entry("delivery", 3), Map.entry("metrics", 4),
            Map.entry("azure", 4), Map.entry("report", 4),
            Map.entry("engine", 5), Map.entry("daemon", 6),
            Map.entry("http", 7), Map.entry("cli", 8));
    private static final Map<String, Integer> PROBE_LAYER = Map.ofEntries(
            Map.entry("probe", 0), Map.entry("probe.step", 1),
            Map.entry("probe.dns", 2), Map.entry("probe.net", 2),
            Map.entry("probe.tls", 3),
            Map.entry("probe.mtasts", 4), Map.entry("probe.smtp", 4),
            Map.entry("probe.target", 5));
    private static final Pattern USE = Pattern.compile("\\bio\\.smtpprobe\\.([a-z]+)\\.");
    /** A type of {@code probe} or of one of its sub-packages, imported or named in full: the package. */
    private static final Pattern PROBE_USE = Pattern.compile("\\bio\\.smtpprobe\\.(probe(?:\\.[a-z]+)?)\\.[A-Z*]");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);

    @Test
    void everyPackageUsesOnlyPackagesOfALowerLayer() throws IOException {
        Map<String, TreeSet<String>> uses = uses(MAIN, USE, dir -> MAIN.relativize(dir).getName(0).toString());
        List<String> wrong = new ArrayList<>();
        uses.forEach((from, targets) -> targets.stream()
                .filter(to -> !to.equals(from) && LAYER.get(to) >= LAYER.get(from))
                .forEach(to -> wrong.add(from + " -> " + to)));
        assertThat(uses.keySet()).as("packages with a layer in the README's code layout").isEqualTo(new TreeSet<>(LAYER.keySet()));
        assertThat(wrong).as("dependencies against the README's code layout's direction").isEmpty();
    }

    @Test
    void everyProbeSubPackageUsesOnlySubPackagesOfALowerLayer() throws IOException {
        Map<String, TreeSet<String>> uses = uses(MAIN.resolve("probe"), PROBE_USE,
                dir -> MAIN.relativize(dir).toString().replace(dir.getFileSystem().getSeparator(), "."));
        assertThat(uses.keySet()).as("probe's sub-packages with a layer").isEqualTo(new TreeSet<>(PROBE_LAYER.keySet()));
        List<String> wrong = new ArrayList<>();
        uses.forEach((from, targets) -> targets.stream()
                .filter(to -> !to.equals(from) && PROBE_LAYER.get(to) >= PROBE_LAYER.get(from))
                .forEach(to -> wrong.add(from + " -> " + to)));
        assertThat(wrong).as("dependencies against the order of probe's sub-packages").isEmpty();
    }

    @Test
    void everyPackageSaysWhatLivesThere() throws IOException {
        for (String pkg : LAYER.keySet()) {
            assertThat(MAIN.resolve(pkg).resolve("package-info.java")).as("package-info of %s", pkg).isRegularFile();
        }
        for (String pkg : PROBE_LAYER.keySet()) {
            assertThat(MAIN.resolve(pkg.replace('.', '/')).resolve("package-info.java")).as("package-info of %s", pkg)
                    .isRegularFile();
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

    /**
     * The packages the sources under {@code root} use, by package ({@code packageOf} a source's folder): each
     * {@code use}'s first group, read from the code without its comments.
     */
    private static Map<String, TreeSet<String>> uses(Path root, Pattern use, Function<Path, String> packageOf)
            throws IOException {
        Map<String, TreeSet<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = packageOf.apply(file.getParent());
                String code = COMMENT.matcher(Files.readString(file)).replaceAll("");
                TreeSet<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = use.matcher(code);
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        return uses;
    }
}
