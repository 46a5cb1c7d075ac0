package io.smtpprobe.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 3: check-config (and so the unit's ExecStartPre, and a reload) refuses one host more
 * than the documented maximum, saying why, instead of letting the daemon die of heap exhaustion and
 * restart in a loop. An mx target counts its mx_hosts.
 */
class TargetLimitTest {
    @TempDir
    Path dir;

    private int checkConfig(Path file, StringWriter err) {
        return Main.commandLine(Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err))
                .execute("check-config", file.toString());
    }

    private Path config(int hostTargets, int mxTargetsOfTen) throws Exception {
        StringBuilder yaml = new StringBuilder("azure:\n  metadata: off\ntargets:\n");
        for (int i = 0; i < hostTargets; i++) {
            yaml.append("  - name: t").append(i).append("\n    host: 127.0.0.1\n    mode: tcp\n    port: 25\n");
        }
        for (int i = 0; i < mxTargetsOfTen; i++) {
            yaml.append("  - mx: d").append(i).append(".test\n    mx_hosts: 10\n");
        }
        return Files.writeString(dir.resolve("targets.yml"), yaml);
    }

    @Test
    void acceptsTheMaximumOfProbedHosts() throws Exception {
        StringWriter err = new StringWriter();
        assertThat(checkConfig(config(ConfigLoader.MAX_PROBED_HOSTS - 100, 10), err)).as(err.toString()).isZero();
    }

    @Test
    void refusesOneHostMoreThanTheMaximumWithTheReason() throws Exception {
        StringWriter err = new StringWriter();
        int exit = checkConfig(config(ConfigLoader.MAX_PROBED_HOSTS - 99, 10), err);

        assertThat(exit).isEqualTo(78);
        assertThat(err.toString()).contains("targets: 2001 probed hosts (an mx target counts its mx_hosts) are more"
                + " than the 2000 one agent holds in the systemd unit's heap (-Xmx64m) with its scrapes; split the"
                + " targets across agents, or raise -Xmx and MemoryMax together");
    }
}
