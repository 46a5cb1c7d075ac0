package io.smtpprobe.cli;

import io.smtpprobe.report.ExitCodes;
import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.testing.ChildProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code smtp-probe run}'s refusals: what it says and exits with before it ever serves. */
class RunCommandTest {
    @TempDir
    Path dir;

    @Test
    void invalidConfigExits78BeforeListening() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yml"), "targets:\n  - host: mx.example.com\n    port: 70000\n");
        Result result = run("run", "--config", file.toString(), "--web.listen-address", "127.0.0.1:0");
        assertThat(result.exitCode).isEqualTo(ExitCodes.CONFIG);
        assertThat(result.err).contains("targets[0].port");
    }

    @Test
    void takenPortExits70AndSaysHowToFixIt() throws Exception {
        Path file = Files.writeString(dir.resolve("ok.yml"),
                "azure:\n  metadata: off\ntargets:\n  - host: 127.0.0.1\n    mode: tcp\n    port: 9\n");
        // Its own process: run installs signal handlers, which do not belong in the test JVM.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ChildProcess agent = new ChildProcess(ChildProcess.java(Main.class.getName(), "run", "--config",
                        file.toString(), "--web.listen-address", "127.0.0.1:" + taken.getLocalPort()))) {
            assertThat(agent.await("cannot listen", 30)).contains("--web.listen-address");
            assertThat(agent.process().waitFor(30, TimeUnit.SECONDS)).as(agent.output()).isTrue();
            assertThat(agent.process().exitValue()).isEqualTo(ExitCodes.INTERNAL);
        }
    }

    @Test
    void invalidListenAddressIsAUsageErrorBeforeProbingStarts() throws Exception {
        Path file = Files.writeString(dir.resolve("ok.yml"),
                "azure:\n  metadata: off\ntargets:\n  - host: 127.0.0.1\n    mode: tcp\n    port: 9\n");
        for (String address : new String[] {"9925", ":http", "::1:9925", ":70000", "[::1:9925"}) {
            Result result = run("run", "--config", file.toString(), "--web.listen-address", address);
            assertThat(result.exitCode).as(address).isEqualTo(ExitCodes.USAGE);
            assertThat(result.err).as(address).startsWith("smtp-probe: --web.listen-address: ")
                    .doesNotContain("internal error").doesNotContain("This is a bug");
        }
        assertThat(run("run", "--web.listen-address", "::1:9925").err)
                .contains("write an IPv6 address in brackets, as [::1]:9925");
    }

    @Test
    void unreadableWebConfigFileExits78BeforeListening() throws Exception {
        Result result = run("run", "--web.config.file", dir.resolve("absent.yml").toString(),
                "--web.listen-address", "127.0.0.1:0");
        assertThat(result.exitCode).isEqualTo(ExitCodes.CONFIG);
        assertThat(result.err).contains("--web.config.file " + dir.resolve("absent.yml") + ": cannot read the file");
    }

    @Test
    void unknownLogLevelIsAUsageError() throws Exception {
        Result result = run("run", "--log.level", "loud");
        assertThat(result.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err).contains("--log.level").contains("debug, info, warn, error");
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.commandLine(Map.of(), new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }

    private record Result(int exitCode, String out, String err) {}
}
