package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.testing.ChildProcess;
import io.smtpprobe.testing.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 14: {@code smtp-probe run} as its own process, with the unit's JVM options. A SIGHUP
 * that arrives while the agent starts (a {@code systemctl reload} right after start) once killed it
 * with exit 129; a SIGHUP ignored from birth (nohup) silently disabled reload.
 */
class SignalsAtStartTest {
    private static final Pattern LISTENING = Pattern.compile("msg=listening address=127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    private Path config() throws Exception {
        return Files.writeString(dir.resolve("smtp-probe.yml"), """
                subscription:
                  offer: pay-as-you-go
                azure:
                  metadata: off
                probe:
                  interval: 1h
                  jitter: 0s
                  timeout: 2s
                  helo_name: vm.test
                targets:
                  - name: local
                    host: 127.0.0.1
                    mode: tcp
                    port: 9
                """);
    }

    private List<String> agent(Path config) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(AgentProcess.unitJvmOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), io.smtpprobe.cli.Main.class.getName(),
                "run", "--config", config.toString(), "--web.listen-address", "127.0.0.1:0", "--log.level", "debug"));
        return command;
    }

    private static Http http(ChildProcess daemon) throws InterruptedException {
        Matcher m = LISTENING.matcher(daemon.await(line -> LISTENING.matcher(line).find(), "listening", 60));
        assertThat(m.find()).isTrue();
        return new Http(Integer.parseInt(m.group(1)));
    }

    @Test
    void sighupWhileStartingReloadsOnceStartedInsteadOfKillingTheAgent() throws Exception {
        try (ChildProcess daemon = new ChildProcess(agent(config()))) {
            // The first thing the command does; the config, TLS warm-up and HTTP come after it.
            daemon.await("msg=\"signal handlers installed\" reload_by_signal=true", 60);
            daemon.signal("HUP");
            daemon.signal("HUP");

            Http http = http(daemon);
            daemon.await("msg=\"configuration reloaded\"", 30);
            assertThat(daemon.process().isAlive()).as("alive after an early SIGHUP; output:\n%s", daemon.output())
                    .isTrue();
            assertThat(http.get("/-/healthy").statusCode()).isEqualTo(200);
            assertThat(daemon.output()).doesNotContain("reload by signal is unavailable");
        }
    }

    @Test
    void sighupIgnoredFromBirthIsLoggedAndPostReloadStillReloads() throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "trap '' HUP; exec \"$0\" \"$@\""));
        command.addAll(agent(config()));
        try (ChildProcess daemon = new ChildProcess(command)) {
            daemon.await("reload by signal is unavailable; POST /-/reload still reloads the configuration", 60);
            Http http = http(daemon);

            daemon.signal("HUP"); // ignored by the kernel: nothing happens, and the agent lives on
            assertThat(http.post("/-/reload").statusCode()).isEqualTo(200);
            daemon.await("msg=\"configuration reloaded\"", 30);
            assertThat(daemon.process().isAlive()).isTrue();
            assertThat(daemon.output()).doesNotContain("SIGHUP received");
        }
    }

    @Test
    void sigintIgnoredFromBirthAsInABackgroundJobIsLoggedAndSigtermStillStops() throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "trap '' INT; exec \"$0\" \"$@\""));
        command.addAll(agent(config()));
        try (ChildProcess daemon = new ChildProcess(command)) {
            daemon.await("msg=\"SIGINT is ignored by this process (it was started with it ignored): it does not stop"
                    + " the agent; SIGTERM or SIGINT, whichever is not ignored, does\"", 60);
            http(daemon);
            assertThat(daemon.output()).doesNotContain("SIGTERM is ignored");

            daemon.signal("TERM");
            daemon.awaitEnd(60);
            assertThat(daemon.process().exitValue()).isZero();
            assertThat(daemon.output()).contains("msg=\"SIGTERM received\"").doesNotContain("SIGINT received");
        }
    }
}
