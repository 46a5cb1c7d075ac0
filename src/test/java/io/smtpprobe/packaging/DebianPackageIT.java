package io.smtpprobe.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The .deb that {@code mvn package} builds: what it holds, what it declares, what lintian says,
 * and what happens on a real install, remove and purge on this (root, CI) machine.
 */
class DebianPackageIT {
    private static final String VERSION = System.getProperty("smtpprobe.version");
    private static final Path DEB = HostCommand.projectDirectory()
            .resolve("target/smtp-probe_" + VERSION + "_all.deb");
    private static final String ROOT_FILE = "-rw-r--r-- root/root";
    private static final String ROOT_PROGRAM = "-rwxr-xr-x root/root";
    private static final Duration DPKG_TIMEOUT = Duration.ofMinutes(5);
    private static final Path CDS_ARCHIVE = Path.of("/var/cache/smtp-probe/smtp-probe.jsa");
    private static final Path DROP_INS = Path.of("/etc/systemd/system/smtp-probe.service.d");

    @Test
    void holdsTheProgramUnitConfigAndDocsWithRootOwnedModes() {
        Map<String, String> files = new LinkedHashMap<>();
        Map<String, String> directories = new LinkedHashMap<>();
        HostCommand.Result listing = HostCommand.run("dpkg", "dpkg-deb", "-c", DEB.toString());
        assertThat(listing.exitCode()).as(listing.describe()).isZero();
        for (String line : listing.stdout().split("\n")) {
            // drwxr-xr-x root/root 0 2026-11-27 21:24 ./usr/share/
            String[] fields = line.trim().split("\\s+");
            String path = fields[5].substring(1);
            (fields[0].startsWith("d") ? directories : files).put(path, fields[0] + " " + fields[1]);
        }

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("/usr/share/smtp-probe/smtp-probe.jar", ROOT_FILE);
        expected.put("/usr/bin/smtp-probe", ROOT_PROGRAM);
        expected.put("/usr/share/smtp-probe/make-cds-archive", ROOT_PROGRAM);
        expected.put("/usr/share/smtp-probe/cds-training.yml", ROOT_FILE);
        expected.put("/lib/systemd/system/smtp-probe.service", ROOT_FILE);
        expected.put("/etc/smtp-probe/smtp-probe.yml", ROOT_FILE);
        expected.put("/etc/default/smtp-probe", ROOT_FILE);
        expected.put("/usr/share/bash-completion/completions/smtp-probe", ROOT_FILE);
        expected.put("/usr/share/doc/smtp-probe/copyright", ROOT_FILE);
        expected.put("/usr/share/doc/smtp-probe/changelog.gz", ROOT_FILE);
        expected.put("/usr/share/lintian/overrides/smtp-probe", ROOT_FILE);
        expected.put("/usr/share/man/man1/smtp-probe.1.gz", ROOT_FILE);
        expected.put("/usr/share/man/man5/smtp-probe.yml.5.gz", ROOT_FILE);
        // What a user reaches for: the README, the documents it sends its reader to, every example and the whole
        // dashboards/ tree.
        expected.put("/usr/share/doc/smtp-probe/README.md", ROOT_FILE);
        expected.put("/usr/share/doc/smtp-probe/systemd/README.md", ROOT_FILE);
        expected.put("/usr/share/doc/smtp-probe/src/bench/RESULTS.md", ROOT_FILE);
        for (Path doc : filesUnder("config/examples")) {
            expected.put("/usr/share/doc/smtp-probe/examples/" + doc.getFileName(), ROOT_FILE);
        }
        for (Path doc : filesUnder("dashboards")) {
            expected.put("/usr/share/doc/smtp-probe/" + HostCommand.projectDirectory().relativize(doc), ROOT_FILE);
        }
        assertThat(files).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(directories.values()).containsOnly("drwxr-xr-x root/root");
    }

    @Test
    void dependsOnJava17AndKeepsBothConfigFilesAsConffiles() {
        HostCommand.Result fields = HostCommand.run("dpkg", "dpkg-deb", "-f", DEB.toString(),
                "Package", "Version", "Architecture", "Depends", "Maintainer", "Homepage");
        // The project's own Maintainer and Homepage, not a person's and not a placeholder domain.
        assertThat(fields.stdout()).isEqualTo("""
                Package: smtp-probe
                Version: %s
                Architecture: all
                Depends: default-jre-headless (>= 2:1.17) | openjdk-17-jre-headless | java17-runtime-headless
                Maintainer: smtp-probe developers <smtp-probe@users.noreply.github.com>
                Homepage: https://github.com/smtp-probe/smtp-probe
                """.formatted(VERSION));

        HostCommand.Result conffiles = HostCommand.run("dpkg", "dpkg-deb", "-I", DEB.toString(), "conffiles");
        assertThat(conffiles.stdout().lines()).containsExactlyInAnyOrder(
                "/etc/smtp-probe/smtp-probe.yml", "/etc/default/smtp-probe");
    }

    @Test
    void asksToBeTriggeredWhenAJavaRuntimeChanges() {
        HostCommand.Result triggers = HostCommand.run("dpkg", "dpkg-deb", "-I", DEB.toString(), "triggers");

        assertThat(triggers.exitCode()).as(triggers.describe()).isZero();
        assertThat(triggers.stdout().lines().filter(line -> !line.startsWith("#")))
                .containsExactly("interest-noawait /usr/lib/jvm");
    }

    @Test
    void passesLintianWithoutErrorsOrUnexplainedWarnings() {
        // Every warning is either fixed or overridden with its reason in src/deb/lintian/smtp-probe.
        HostCommand.Result lintian = HostCommand.run(DPKG_TIMEOUT, Map.of(), "lintian", "lintian", DEB.toString());

        assertThat(lintian.exitCode()).as(lintian.describe()).isZero();
        assertThat(lintian.stdout().lines().filter(line -> line.startsWith("E:") || line.startsWith("W:")))
                .as(lintian.describe()).isEmpty();
    }

    @Test
    void installsEnabledButStoppedThenKeepsConfigOnRemoveAndPurgesOnlyWhatThePackageMade() throws IOException {
        // One machine-wide install at a time, even when several builds run their tests at once.
        try (FileChannel lockFile = FileChannel.open(Path.of("/run/lock/smtp-probe-deb-test.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockFile.lock()) {
            assertThat(installedVersion())
                    .as("smtp-probe is already installed on this machine; this test installs and purges it."
                            + " Remove it first: apt-get purge smtp-probe")
                    .isEmpty();
            try {
                installRemovePurge();
            } finally {
                if (!installedVersion().isEmpty()) {
                    apt("purge", "smtp-probe");
                }
                // What the test added as the administrator, which purge keeps.
                deleteTree(Path.of("/etc/smtp-probe"));
                deleteTree(DROP_INS);
            }
        }
    }

    private void installRemovePurge() throws IOException {
        // apt installs the file the way the README tells users to (it runs dpkg -i), and waits
        // for the dpkg lock instead of failing when another apt run holds it.
        HostCommand.Result install = apt("install", DEB.toString());
        assertThat(installedVersion()).isEqualTo(VERSION);
        // Issue 23: the first installation says the service is not started, and what to do.
        assertThat(install.stdout()).contains("smtp-probe: installed and enabled, not started: first give it your"
                + " subscription's offer and targets.\n")
                .contains("  sudo systemctl start smtp-probe\n")
                .contains("  until curl -sf http://localhost:9925/-/ready; do sleep 2; done")
                .contains("Relay password, TLS and JVM options: /usr/share/doc/smtp-probe/systemd/README.md");

        HostCommand.Result version = HostCommand.run("smtp-probe", "/usr/bin/smtp-probe", "--version");
        assertThat(version.exitCode()).as(version.describe()).isZero();
        assertThat(version.stdout()).startsWith("smtp-probe " + VERSION + "\n");

        HostCommand.Result checkConfig = HostCommand.run("smtp-probe", "/usr/bin/smtp-probe", "check-config",
                "/etc/smtp-probe/smtp-probe.yml");
        assertThat(checkConfig.exitCode()).as(checkConfig.describe()).isZero();

        // postinst made the class data sharing archive, and the installed launcher starts from it
        // (-Xshare:on refuses to start otherwise).
        assertThat(CDS_ARCHIVE).isRegularFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(CDS_ARCHIVE))).isEqualTo("rw-r--r--");
        // As the service runs it: without the JAVA_HOME of whatever runs this test (the suite's second pass
        // forks its JVMs on the newest runtime), so the launcher picks the runtime postinst made the archive for.
        Map<String, String> asTheService = new java.util.HashMap<>();
        asTheService.put("JAVA_OPTS", "-Xms16m -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:on"
                + " -Xlog:class+load=info");
        asTheService.put("JAVA_HOME", null);
        HostCommand.Result shared = HostCommand.run(Duration.ofMinutes(1), asTheService, "smtp-probe",
                "/usr/bin/smtp-probe", "policy");
        assertThat(shared.stdout()).as(shared.describe())
                .contains("io.smtpprobe.cli.PolicyCommand source: shared objects file");

        // postinst enables the unit (no systemd runs here, so nothing is started).
        Path wants = Path.of("/etc/systemd/system/multi-user.target.wants/smtp-probe.service");
        assertThat(Files.readSymbolicLink(wants)).isEqualTo(Path.of("/lib/systemd/system/smtp-probe.service"));

        HostCommand.Result completion = HostCommand.run("bash", "bash", "-c",
                ". /usr/share/bash-completion/completions/smtp-probe && complete -p smtp-probe");
        assertThat(completion.stdout()).as(completion.describe()).contains("smtp-probe");
        assertThat(gunzip(Path.of("/usr/share/man/man1/smtp-probe.1.gz"))).contains(".TH SMTP-PROBE 1 ");
        assertThat(gunzip(Path.of("/usr/share/man/man5/smtp-probe.yml.5.gz"))).contains(".TH SMTP-PROBE.YML 5 ");
        // man finds the config page by name once installed.
        HostCommand.Result manPath = HostCommand.run("man-db", "man", "-w", "smtp-probe.yml");
        assertThat(manPath.stdout().strip()).as(manPath.describe()).isEqualTo("/usr/share/man/man5/smtp-probe.yml.5.gz");
        assertThat(Path.of("/usr/share/doc/smtp-probe/dashboards/alerts/smtp-probe.rules.yml")).isRegularFile();

        // What the administrator adds: the relay password, a TLS key, a web config and a CA file, and a drop-in
        // (dashboards/FLEET.md). Kept on remove, and on purge too (issue 23: purge deleted them without a word).
        Path password = Path.of("/etc/smtp-probe/relay-password");
        Files.writeString(password, "not-a-real-password\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Path key = Files.createDirectories(Path.of("/etc/smtp-probe/tls")).resolve("smtp-probe.key");
        Files.writeString(key, "not a real key\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Path web = Files.writeString(Path.of("/etc/smtp-probe/web.yml"), "tls_server_config: {}\n");
        Path ca = Files.writeString(Path.of("/etc/smtp-probe/ca.pem"), "not a real CA\n");
        Path dropIn = Files.writeString(Files.createDirectories(DROP_INS).resolve("override.conf"),
                "[Service]\nLoadCredential=tls.key:/etc/smtp-probe/tls/smtp-probe.key\n");

        apt("remove", "smtp-probe");
        assertThat(Path.of("/usr/bin/smtp-probe")).doesNotExist();
        assertThat(CDS_ARCHIVE.getParent()).doesNotExist();
        assertThat(Path.of("/usr/share/smtp-probe/smtp-probe.jar")).doesNotExist();
        assertThat(Path.of("/etc/smtp-probe/smtp-probe.yml")).exists();
        assertThat(Path.of("/etc/default/smtp-probe")).exists();
        assertThat(password).exists();

        HostCommand.Result purge = apt("purge", "smtp-probe");
        // What the package made is gone: its conffiles, the enablement.
        assertThat(Path.of("/etc/smtp-probe/smtp-probe.yml")).doesNotExist();
        assertThat(Path.of("/etc/default/smtp-probe")).doesNotExist();
        assertThat(wants).doesNotExist();
        assertThat(installedVersion()).isEmpty();
        // What the administrator added stays, and purge names it and how to remove it.
        assertThat(List.of(password, key, web, ca, dropIn)).allMatch(Files::isRegularFile);
        assertThat(purge.stdout()).contains("""
                smtp-probe: purge kept what you added under /etc/smtp-probe (secrets among it stay as private as you made them):
                  /etc/smtp-probe/ca.pem
                  /etc/smtp-probe/relay-password
                  /etc/smtp-probe/tls/smtp-probe.key
                  /etc/smtp-probe/web.yml
                smtp-probe: remove them when no longer needed: sudo rm -r /etc/smtp-probe
                smtp-probe: purge kept your drop-ins of smtp-probe.service (they apply again if the package is\
                 installed again):
                  /etc/systemd/system/smtp-probe.service.d/override.conf
                smtp-probe: remove them when no longer needed: sudo rm -r /etc/systemd/system/smtp-probe.service.d\
                 && sudo systemctl daemon-reload
                """).doesNotContain("not-a-real-password").doesNotContain("not a real key");
    }

    /** Removes a directory and everything under it, if it exists. */
    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static HostCommand.Result apt(String action, String what) {
        HostCommand.Result result = HostCommand.run(DPKG_TIMEOUT, Map.of("DEBIAN_FRONTEND", "noninteractive"), "apt",
                "apt-get", action, "-y", "-q", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=240",
                // Without a pseudo-terminal for dpkg: the maintainer scripts' lines end in \n, not \r\n.
                "-o", "Dpkg::Use-Pty=0", what);
        if (result.exitCode() != 0) {
            fail("apt-get " + action + " failed (these tests run as root, as CI does):\n" + result.describe());
        }
        return result;
    }

    /** The installed version, or empty when the package is not installed (or only its config is left). */
    private static String installedVersion() {
        HostCommand.Result query = HostCommand.run("dpkg", "dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Version}",
                "smtp-probe");
        return query.exitCode() == 0 && query.stdout().startsWith("ii ") ? query.stdout().substring(4).trim() : "";
    }

    /** smtp-probe.1.gz and one page per visible subcommand, as picocli's ManPageGenerator names them. */
    private static java.util.List<Path> filesUnder(String directory) {
        try (var files = Files.walk(HostCommand.projectDirectory().resolve(directory))) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
