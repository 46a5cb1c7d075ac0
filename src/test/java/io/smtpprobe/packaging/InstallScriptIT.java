package io.smtpprobe.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd/install.sh from the release tarball, staged with --destdir: the same files in the same
 * places as the .deb, idempotent, keeping configuration the way dpkg keeps conffiles.
 */
class InstallScriptIT {
    private static final String VERSION = System.getProperty("smtpprobe.version");
    private static final Path TARGET = HostCommand.projectDirectory().resolve("target");
    /** Files only the .deb has: lintian's overrides mean nothing without dpkg. */
    private static final String LINTIAN_OVERRIDES = "/usr/share/lintian/overrides/smtp-probe";
    private static final String MANIFEST = "/usr/share/smtp-probe/installed-files";

    @TempDir
    Path work;
    private Path installer;
    private Path stage;

    @BeforeEach
    void unpackTheReleaseTarball() {
        HostCommand.Result untar = HostCommand.run("tar", "tar", "-xzf",
                TARGET.resolve("smtp-probe-" + VERSION + ".tar.gz").toString(), "-C", work.toString());
        assertThat(untar.exitCode()).as(untar.describe()).isZero();
        installer = work.resolve("smtp-probe-" + VERSION + "/systemd/install.sh");
        stage = work.resolve("stage");
    }

    @Test
    void installsTheSameFilesInTheSamePlacesAsTheDebianPackage() throws IOException {
        run("--destdir", stage.toString());

        Map<String, String> fromDeb = debContents();
        fromDeb.remove(LINTIAN_OVERRIDES);
        Map<String, String> installed = tree(stage);
        assertThat(installed.remove(MANIFEST)).isEqualTo("-rw-r--r--");
        assertThat(installed).isEqualTo(fromDeb);
    }

    @Test
    void runsTheStagedLauncher() {
        run("--destdir", stage.toString());

        HostCommand.Result version = HostCommand.run("smtp-probe", stage.resolve("usr/bin/smtp-probe").toString(),
                "--version");
        assertThat(version.exitCode()).as(version.describe()).isZero();
        assertThat(version.stdout()).startsWith("smtp-probe " + VERSION + "\n");
    }

    @Test
    void changesNothingWhenRunAgain() throws IOException {
        run("--destdir", stage.toString());
        Map<String, String> first = tree(stage);

        run("--destdir", stage.toString());

        assertThat(tree(stage)).isEqualTo(first);
    }

    @Test
    void keepsAnEditedConfigAndPutsTheShippedOneBesideIt() throws IOException {
        run("--destdir", stage.toString());
        Path config = stage.resolve("etc/smtp-probe/smtp-probe.yml");
        Files.writeString(config, "# edited\n", java.nio.file.StandardOpenOption.APPEND);
        String edited = Files.readString(config);

        HostCommand.Result again = run("--destdir", stage.toString());

        assertThat(Files.readString(config)).isEqualTo(edited);
        assertThat(stage.resolve("etc/smtp-probe/smtp-probe.yml.new"))
                .hasSameTextualContentAs(HostCommand.projectDirectory().resolve("config/smtp-probe.yml"));
        assertThat(again.stdout()).contains("kept your /etc/smtp-probe/smtp-probe.yml");
    }

    @Test
    void saysOnAFirstInstallThatTheServiceIsNotStartedAndWhatToDo() {
        HostCommand.Result first = run("--destdir", stage.toString());
        HostCommand.Result again = run("--destdir", stage.toString());

        assertThat(first.stdout()).startsWith("install.sh: installed smtp-probe under " + stage
                + "/usr, enabled, not started: first give it your subscription's offer and targets.\n")
                .contains("  sudo systemctl start smtp-probe\n")
                .contains("  until curl -sf http://localhost:9925/-/ready; do sleep 2; done")
                .contains("/usr/share/doc/smtp-probe/systemd/README.md");
        assertThat(again.stdout()).isEqualTo("install.sh: installed smtp-probe under " + stage + "/usr\n");
    }

    @Test
    void uninstallKeepsConfigurationAndPurgeRemovesOnlyWhatItWroteAndNamesTheRest() throws IOException {
        run("--destdir", stage.toString());
        Path password = stage.resolve("etc/smtp-probe/relay-password");
        Files.writeString(password, "not-a-real-password\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        // What an operator adds for TLS (dashboards/FLEET.md), and the drop-in systemctl edit writes.
        Path key = Files.createDirectories(stage.resolve("etc/smtp-probe/tls")).resolve("smtp-probe.key");
        Files.writeString(key, "not a real key\n");
        Files.writeString(stage.resolve("etc/smtp-probe/web.yml"), "tls_server_config: {}\n");
        Files.writeString(stage.resolve("etc/smtp-probe/ca.pem"), "not a real CA\n");
        Path dropIn = Files.createDirectories(stage.resolve("etc/systemd/system/smtp-probe.service.d"))
                .resolve("override.conf");
        Files.writeString(dropIn, "[Service]\nLoadCredential=tls.key:/etc/smtp-probe/tls/smtp-probe.key\n");
        // What make-cds-archive writes on a live install: it goes with the program.
        Path cache = Files.createDirectories(stage.resolve("var/cache/smtp-probe"));
        Files.writeString(cache.resolve("smtp-probe.jsa"), "archive");
        Files.writeString(cache.resolve("smtp-probe.jsa.stamp"), "stamp");
        List<String> added = List.of("/etc/smtp-probe/ca.pem", "/etc/smtp-probe/relay-password",
                "/etc/smtp-probe/tls/smtp-probe.key", "/etc/smtp-probe/web.yml",
                "/etc/systemd/system/smtp-probe.service.d/override.conf");

        run("--destdir", stage.toString(), "--uninstall");

        List<String> kept = new java.util.ArrayList<>(added);
        kept.addAll(List.of("/etc/smtp-probe/smtp-probe.yml", "/etc/default/smtp-probe"));
        assertThat(tree(stage)).containsOnlyKeys(kept);
        assertThat(cache).doesNotExist();

        HostCommand.Result purge = run("--destdir", stage.toString(), "--uninstall", "--purge");

        assertThat(tree(stage)).containsOnlyKeys(added);
        assertThat(stage.resolve("usr/share/doc/smtp-probe")).doesNotExist();
        assertThat(purge.stdout()).contains("""
                install.sh: --purge kept what you added under /etc/smtp-probe (secrets among it stay as private as you made them):
                  /etc/smtp-probe/ca.pem
                  /etc/smtp-probe/relay-password
                  /etc/smtp-probe/tls/smtp-probe.key
                  /etc/smtp-probe/web.yml
                install.sh: remove them when no longer needed: sudo rm -r /etc/smtp-probe
                install.sh: --purge kept your drop-ins of smtp-probe.service (systemctl edit writes them here):
                  /etc/systemd/system/smtp-probe.service.d/override.conf
                install.sh: remove them when no longer needed: sudo rm -r /etc/systemd/system/smtp-probe.service.d\
                 && sudo systemctl daemon-reload
                """);
        assertThat(purge.stdout()).doesNotContain("not-a-real-password").doesNotContain("not a real key");
    }

    @Test
    void purgeWithNothingAddedLeavesNoConfigurationAndSaysNothingKept() throws IOException {
        run("--destdir", stage.toString());

        HostCommand.Result purge = run("--destdir", stage.toString(), "--uninstall", "--purge");

        assertThat(tree(stage)).isEmpty();
        assertThat(stage.resolve("etc/smtp-probe")).doesNotExist();
        assertThat(purge.stdout()).doesNotContain("kept");
    }

    @Test
    void pointsTheUnitAtTheLauncherUnderAnotherPrefix() throws IOException {
        run("--destdir", stage.toString(), "--prefix", "/usr/local");

        String unit = Files.readString(stage.resolve("usr/local/lib/systemd/system/smtp-probe.service"));
        assertThat(unit)
                .contains("ExecStart=/usr/local/bin/smtp-probe run --config /etc/smtp-probe/smtp-probe.yml")
                .contains("ExecStartPre=/usr/local/bin/smtp-probe check-config /etc/smtp-probe/smtp-probe.yml")
                .doesNotContain("/usr/bin/smtp-probe");
        assertThat(stage.resolve("usr/local/share/smtp-probe/smtp-probe.jar")).isRegularFile();
    }

    private HostCommand.Result run(String... arguments) {
        String[] command = Stream.concat(Stream.of("sh", installer.toString()), Stream.of(arguments))
                .toArray(String[]::new);
        HostCommand.Result result = HostCommand.run("dash", command);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }

    /** Path to mode ("-rw-r--r--") of every regular file of the .deb, from dpkg-deb -c. */
    private static Map<String, String> debContents() {
        HostCommand.Result listing = HostCommand.run("dpkg", "dpkg-deb", "-c",
                TARGET.resolve("smtp-probe_" + VERSION + "_all.deb").toString());
        assertThat(listing.exitCode()).as(listing.describe()).isZero();
        Map<String, String> files = new TreeMap<>();
        listing.stdout().lines().map(line -> line.trim().split("\\s+"))
                .filter(fields -> fields[0].startsWith("-"))
                .forEach(fields -> files.put(fields[5].substring(1), fields[0]));
        return files;
    }

    /** Path (as installed, from /) to mode of every regular file under a staging root. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                if (Files.isRegularFile(path)) {
                    files.put("/" + root.relativize(path),
                            "-" + PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
                }
            }
        }
        return files;
    }
}
