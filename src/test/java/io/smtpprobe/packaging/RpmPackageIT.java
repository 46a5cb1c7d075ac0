package io.smtpprobe.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RPM for the RHEL family that {@code mvn package} builds: the files of the .deb in the RHEL
 * places, configuration as {@code %config(noreplace)}, the scriptlets and the Java trigger, and
 * rpmlint without errors. Installing it needs an RHEL-family machine, which this suite does not have.
 */
class RpmPackageIT {
    private static final String VERSION = System.getProperty("smtpprobe.version");
    private static final Path RPM = HostCommand.projectDirectory().resolve("target/smtp-probe-" + VERSION + "-1.noarch.rpm");

    @TempDir
    Path work;

    private static HostCommand.Result query(String... arguments) {
        String[] command = new String[arguments.length + 3];
        command[0] = "rpm";
        command[1] = "-qp";
        System.arraycopy(arguments, 0, command, 2, arguments.length);
        command[command.length - 1] = RPM.toString();
        HostCommand.Result result = HostCommand.run("rpm", command);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }

    @Test
    void holdsTheFilesOfTheDebianPackageInTheRhelPlaces() throws IOException {
        TreeSet<String> files = new TreeSet<>(query("-l").stdout().lines().toList());

        assertThat(files).contains("/usr/bin/smtp-probe", "/usr/share/smtp-probe/smtp-probe.jar",
                "/usr/share/smtp-probe/make-cds-archive", "/usr/share/smtp-probe/cds-training.yml",
                "/usr/lib/systemd/system/smtp-probe.service", "/etc/smtp-probe/smtp-probe.yml",
                "/etc/default/smtp-probe", "/usr/share/man/man1/smtp-probe.1.gz",
                "/usr/share/man/man5/smtp-probe.yml.5.gz", "/usr/share/bash-completion/completions/smtp-probe",
                "/usr/share/doc/smtp-probe/README.md", "/usr/share/doc/smtp-probe/systemd/README.md",
                "/usr/share/doc/smtp-probe/src/bench/RESULTS.md", "/usr/share/licenses/smtp-probe-" + VERSION + "/copyright",
                "/var/cache/smtp-probe");
        // The docs of the .deb, all of them: READMEs, RESULTS.md, every example, the whole dashboards/ tree.
        try (var examples = Files.list(HostCommand.projectDirectory().resolve("config/examples"))) {
            examples.forEach(e -> assertThat(files).contains("/usr/share/doc/smtp-probe/examples/" + e.getFileName()));
        }
        try (var dashboards = Files.walk(HostCommand.projectDirectory().resolve("dashboards"))) {
            dashboards.filter(Files::isRegularFile).forEach(d -> assertThat(files).contains("/usr/share/doc/smtp-probe/"
                    + HostCommand.projectDirectory().relativize(d)));
        }
        assertThat(files).noneMatch(f -> f.endsWith("installed-files")).noneMatch(f -> f.startsWith("/lib/"));
    }

    @Test
    void keepsEditedConfigurationOnUpgrade() {
        // FILEFLAGS "cn": %config(noreplace), so rpm writes the shipped file as .rpmnew beside an edited one.
        List<String> flags = query("--qf", "[%{FILENAMES} %{FILEFLAGS:fflags}\n]").stdout().lines().toList();

        assertThat(flags).contains("/etc/smtp-probe/smtp-probe.yml cn", "/etc/default/smtp-probe cn");
        assertThat(flags).filteredOn(line -> line.endsWith(" cn")).hasSize(2);
    }

    @Test
    void needsJava17AndRestartsOnceAfterTheClassDataSharingArchiveIsMade() {
        assertThat(query("-R").stdout().lines()).contains("java-headless >= 1:17", "systemd");
        String scripts = query("--scripts").stdout();
        String posttrans = scripts.substring(scripts.indexOf("posttrans scriptlet"));
        assertThat(posttrans.indexOf("make-cds-archive")).isPositive()
                .isLessThan(posttrans.indexOf("systemctl try-restart smtp-probe.service"));
        assertThat(scripts).doesNotContain("systemctl start").doesNotContain("enable --now");
        // The dpkg trigger's equivalent: a Java runtime changing under /usr/lib/jvm remakes the archive.
        String triggers = query("--filetriggers").stdout();
        assertThat(triggers).contains("transfiletriggerin").contains("transfiletriggerpostun").contains("/usr/lib/jvm")
                .contains("make-cds-archive");
    }

    @Test
    void passesRpmlintWithoutErrorsOnceSigned() throws IOException {
        // A published RPM is signed (rpmlint's no-signature is an error): sign a copy with a key made here.
        Path gnupg = Files.createDirectory(work.resolve("gnupg"), java.nio.file.attribute.PosixFilePermissions
                .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        Map<String, String> environment = Map.of("GNUPGHOME", gnupg.toString(), "HOME", work.toString());
        Path signed = Files.copy(RPM, work.resolve(RPM.getFileName()));
        try {
            run(environment, "gnupg", "gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key",
                    "smtp-probe rpm test <rpm-test@smtp-probe.invalid>", "rsa3072", "sign", "never");
            run(environment, "rpm", "rpmsign", "--define", "__gpg /usr/bin/gpg", "--define",
                    "_gpg_name rpm-test@smtp-probe.invalid", "--addsign", signed.toString());
            // rpmlint checks the signature against an rpm database: a private one, with the test key.
            Path key = work.resolve("key.asc");
            Files.writeString(key, run(environment, "gnupg", "gpg", "--armor", "--export",
                    "rpm-test@smtp-probe.invalid").stdout());
            Path rpmdb = Files.createDirectory(work.resolve("rpmdb"));
            run(environment, "rpm", "rpmkeys", "--dbpath", rpmdb.toString(), "--import", key.toString());
            Files.writeString(work.resolve(".rpmmacros"), "%_dbpath " + rpmdb + "\n");

            HostCommand.Result rpmlint = HostCommand.run(Duration.ofMinutes(2), environment, "rpmlint", "rpmlint", "-r",
                    HostCommand.projectDirectory().resolve("src/rpm/smtp-probe.rpmlintrc").toString(), signed.toString());

            assertThat(rpmlint.exitCode()).as(rpmlint.describe()).isZero();
            // Every warning is fixed or filtered with its reason in src/rpm/smtp-probe.rpmlintrc.
            assertThat(rpmlint.stdout().lines().filter(l -> l.contains(": E: ") || l.contains(": W: ")))
                    .as(rpmlint.describe()).isEmpty();
            assertThat(rpmlint.stdout()).contains("0 errors, 0 warnings");
        } finally {
            HostCommand.run(Duration.ofSeconds(30), environment, "gnupg", "gpgconf", "--kill", "gpg-agent");
        }
    }

    private static HostCommand.Result run(Map<String, String> environment, String debianPackage, String... command) {
        HostCommand.Result result = HostCommand.run(Duration.ofMinutes(2), environment, debianPackage, command);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }
}
