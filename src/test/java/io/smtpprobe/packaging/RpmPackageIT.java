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
        // No command starts it (the first installation's message tells the administrator to, once configured).
        assertThat(scripts).doesNotContainPattern("(?m)^\\s*systemctl\\s+(--\\S+\\s+)*start\\b")
                .doesNotContain("enable --now");
        // The dpkg trigger's equivalent: a Java runtime changing under /usr/lib/jvm remakes the archive.
        String triggers = query("--filetriggers").stdout();
        assertThat(triggers).contains("transfiletriggerin").contains("transfiletriggerpostun").contains("/usr/lib/jvm")
                .contains("make-cds-archive");
    }

    /**
     * Issue 23: a first installation says the service is not started and what to do; an erase removes what the
     * package made and names what the administrator added (files under /etc/smtp-probe, drop-ins), which stays.
     * The scriptlets run here as rpm runs them, with $1, in a mount namespace of their own: /etc is an overlay
     * whose changes go to a directory of this test, and /run is empty, so no systemd is called.
     */
    @Test
    void saysWhatToDoAfterInstallingAndNamesWhatAnEraseKeeps() {
        HostCommand.Result post = scriptlet("postinstall", 1, "");
        assertThat(post.stdout()).as(post.describe()).startsWith("smtp-probe: installed and enabled, not started:")
                .contains("sudo smtp-probe check-config /etc/smtp-probe/smtp-probe.yml\n")
                .contains("sudo systemctl start smtp-probe\n").contains("curl -sf http://localhost:9925/-/ready")
                .contains("/usr/share/doc/smtp-probe/systemd/README.md");
        assertThat(scriptlet("postinstall", 2, "").stdout()).as("an upgrade").isEmpty();

        // rpm has removed the package's files when %postun runs; these are the administrator's.
        HostCommand.Result postun = scriptlet("postuninstall", 0, """
                mkdir -p /etc/smtp-probe/tls /etc/systemd/system/smtp-probe.service.d
                for f in relay-password web.yml ca.pem tls/smtp-probe.key; do echo x > /etc/smtp-probe/$f; done
                printf '[Service]\\nLoadCredential=tls.key:/etc/smtp-probe/tls/smtp-probe.key\\n' \\
                    > /etc/systemd/system/smtp-probe.service.d/override.conf
                """);

        assertThat(postun.stdout()).as(postun.describe()).contains("""
                smtp-probe: kept what you added under /etc/smtp-probe (secrets among it stay as private as you made them):
                  /etc/smtp-probe/ca.pem
                  /etc/smtp-probe/relay-password
                  /etc/smtp-probe/tls/smtp-probe.key
                  /etc/smtp-probe/web.yml
                smtp-probe: remove them when no longer needed: sudo rm -r /etc/smtp-probe
                smtp-probe: kept your drop-ins of smtp-probe.service (they apply again if the package is installed again):
                  /etc/systemd/system/smtp-probe.service.d/override.conf
                smtp-probe: remove them when no longer needed: sudo rm -r /etc/systemd/system/smtp-probe.service.d\
                 && sudo systemctl daemon-reload
                """).contains("--- left\n/etc/smtp-probe/ca.pem\n");
    }

    /** Runs a scriptlet of the RPM with {@code argument} as its $1 after {@code setup}, both as root in private mounts. */
    private HostCommand.Result scriptlet(String name, int argument, String setup) {
        String scripts = query("--scripts").stdout();
        java.util.regex.Matcher section = java.util.regex.Pattern.compile("^" + name
                + " scriptlet \\(using /bin/sh\\):\\n(.*?)(?=^\\w+ scriptlet \\(|\\z)",
                java.util.regex.Pattern.DOTALL | java.util.regex.Pattern.MULTILINE).matcher(scripts);
        assertThat(section.find()).as(name + " in\n" + scripts).isTrue();
        Path upper = work.resolve("etc-upper-" + name + argument);
        Path workdir = work.resolve("etc-work-" + name + argument);
        String script = "set -e\n"
                + "mount -t overlay overlay -o lowerdir=/etc,upperdir=\"$2\",workdir=\"$3\" /etc\n"
                + "mount -t tmpfs tmpfs /run\n"
                + setup
                + "sh -c \"$1\" " + name + " " + argument + "\n"
                + "if [ " + argument + " -eq 0 ]; then echo '--- left'; find /etc/smtp-probe ! -type d | sort; fi\n";
        try {
            Files.createDirectories(upper);
            Files.createDirectories(workdir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        HostCommand.Result result = HostCommand.run(Duration.ofMinutes(1), Map.of(), "util-linux", "unshare", "--mount",
                "--propagation", "private", "sh", "-c", script, "scriptlet", section.group(1), upper.toString(),
                workdir.toString());
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
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
