package io.smtpprobe.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** systemd/smtp-probe.service as systemd itself judges it: valid, and sandboxed to the agreed rating. */
class SystemdUnitTest {
    private static final Path UNIT = HostCommand.projectDirectory().resolve("systemd/smtp-probe.service");
    private static final Path LAUNCHER = HostCommand.projectDirectory().resolve("systemd/smtp-probe");
    private static final Pattern OVERALL = Pattern.compile(
            "Overall exposure level for smtp-probe\\.service: (\\d+\\.\\d+) (\\S+)");

    /**
     * What the agent cannot give up, each with its reason; anything else systemd-analyze counts
     * against the unit must be switched on.
     */
    private static final Set<String> JUSTIFIED_EXPOSURES = Set.of(
            "RootDirectoryOrRootImage",          // runs the host's Java runtime
            "MemoryDenyWriteExecute",            // the JIT writes code it then executes
            "PrivateNetwork",                    // probes connect to arbitrary mail hosts
            "IPAddressDeny",                     // same: no allow list can name every MX
            "RestrictAddressFamilies_AF_INET_INET6", // TCP probes and the :9925 web port
            "RestrictAddressFamilies_AF_UNIX",   // the libc resolver talks to nscd/resolved
            "ProcSubset",                        // EHLO name from /proc/sys/kernel/hostname
            "DeviceAllow");                      // ProtectClock's read-only rtc rule

    @Test
    void passesSystemdAnalyzeVerify(@TempDir Path root) throws IOException {
        // verify checks every Exec path exists, so it runs against a root holding the unit, the
        // launcher and the host's stock units (for the targets the unit names).
        Path unitDir = Files.createDirectories(root.resolve("etc/systemd/system"));
        Files.copy(UNIT, unitDir.resolve("smtp-probe.service"));
        Files.copy(LAUNCHER, Files.createDirectories(root.resolve("usr/bin")).resolve("smtp-probe"));
        Files.copy(Path.of("/bin/kill"), Files.createDirectories(root.resolve("bin")).resolve("kill"));
        copyTree(Path.of("/usr/lib/systemd/system"), root.resolve("usr/lib/systemd/system"));

        HostCommand.Result result = HostCommand.run("systemd", "systemd-analyze", "verify", "--man=no",
                "--root=" + root, "smtp-probe.service");

        // verify exits 0 even for unknown keys and bad values; it only prints them.
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout() + result.stderr()).as(result.describe()).isBlank();
    }

    @Test
    void ratesOkUnderSystemdAnalyzeSecurity() {
        HostCommand.Result result = HostCommand.run("systemd", "systemd-analyze", "security", "--offline=true",
                "--no-pager", UNIT.toString());

        Matcher overall = OVERALL.matcher(result.stdout());
        assertThat(overall.find()).as(result.describe()).isTrue();
        assertThat(Double.parseDouble(overall.group(1))).as(result.describe()).isLessThanOrEqualTo(1.5);
        assertThat(overall.group(2)).isEqualTo("OK");
    }

    @Test
    void leavesOnlyTheJustifiedExposuresOpen() throws IOException {
        HostCommand.Result result = HostCommand.run("systemd", "systemd-analyze", "security", "--offline=true",
                "--json=short", "--no-pager", UNIT.toString());
        assertThat(result.exitCode()).as(result.describe()).isZero();

        List<String> open = new ArrayList<>();
        for (JsonNode item : new ObjectMapper().readTree(result.stdout())) {
            if (!item.path("set").asBoolean()) {
                open.add(item.path("json_field").asText());
            }
        }

        assertThat(open).as("sandbox options systemd-analyze finds unset").isSubsetOf(JUSTIFIED_EXPOSURES);
    }

    /**
     * Issue 23: the pre-start check gets the agent's options ({@code ARGS=} of /etc/default/smtp-probe), so a web
     * config the agent would fail on (a key its user cannot read) fails the check, with its message, instead.
     */
    @Test
    void checksTheConfigAndTheWebConfigWithTheAgentsOwnOptionsBeforeItStarts() throws IOException {
        List<String> lines = Files.readAllLines(UNIT);

        assertThat(lines).contains("ExecStartPre=/usr/bin/smtp-probe check-config /etc/smtp-probe/smtp-probe.yml $ARGS",
                "ExecStart=/usr/bin/smtp-probe run --config /etc/smtp-probe/smtp-probe.yml $ARGS");
    }

    /** Regular files and directories only: the stock units' alias and mask links are not needed here. */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isSymbolicLink(source)) {
                    continue;
                }
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
