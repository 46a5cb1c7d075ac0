package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.testing.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password file the agent may not read (the unit's DynamicUser meeting a root-only file) is a config
 * error with its key path and exit 78, for {@code check-config} and {@code run} alike, and the password
 * stays unread. Root reads everything, so the agent runs without the capabilities that let root
 * ignore file permissions (setpriv from util-linux drops them from the bounding set).
 */
class UnreadablePasswordFileTest {
    private static final String PASSWORD = "Zq7-unreadable-hunter2";

    @TempDir
    Path dir;

    @Test
    void aPasswordFileTheAgentMayNotReadIsAConfigErrorWithItsKeyPathAndExit78() throws Exception {
        Path password = Files.writeString(dir.resolve("relay-password"), PASSWORD + "\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("---------"));
        Path config = Files.writeString(dir.resolve("smtp-probe.yml"), "azure:\n  metadata: off\ntargets:\n"
                + "  - name: relay\n    host: 127.0.0.1\n    mode: submission\n    port: 587\n"
                + "    auth:\n      username: relay-user\n      password_file: " + password + "\n");
        String expected = "targets[0].auth.password_file: " + password
                + " cannot be read (permission denied for this user)";

        for (List<String> args : List.of(List.of("check-config", config.toString()),
                List.of("run", "--config", config.toString(), "--web.listen-address", "127.0.0.1:0"))) {
            List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search"));
            command.addAll(ChildProcess.java(io.smtpprobe.cli.Main.class.getName(), args.toArray(String[]::new)));
            try (ChildProcess agent = new ChildProcess(command)) {
                String output = agent.awaitEnd(30);

                assertThat(agent.process().exitValue()).as("%s: %s", args.get(0), output).isEqualTo(78);
                assertThat(output).contains(expected).doesNotContain(PASSWORD).doesNotContain("listening");
            }
        }
    }
}
