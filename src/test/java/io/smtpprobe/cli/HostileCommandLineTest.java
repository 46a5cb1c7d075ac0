package io.smtpprobe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line fed what issue 14 fed it (items 6, 7, 10, 11, 15, 16 and 18): each ends in an exit code
 * and one clear message on standard error, with no stack trace, no secret and no raw control character.
 */
class HostileCommandLineTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"json", "text"})
    void checkExitsWithIoErrorWhenStandardOutputIsFull(String output) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                FileOutputStream full = new FileOutputStream("/dev/full")) {
            Run run = execute(new PrintWriter(full), "check", "--output", output, "--dmi-directory",
                    dir.toString(), "--target", "tcp://127.0.0.1:" + listener.getLocalPort());

            assertThat(run.exitCode).isEqualTo(74);
            assertThat(run.err).contains("smtp-probe: cannot write to standard output");
        }
    }

    @Test
    void checkConfigExitsWithIoErrorWhenStandardOutputIsFullAndZeroWhenItIsNot() throws Exception {
        Path config = Files.writeString(dir.resolve("ok.yml"), "targets:\n  - mx: example.com\n");

        Run full;
        try (FileOutputStream devFull = new FileOutputStream("/dev/full")) {
            full = execute(new PrintWriter(devFull), "check-config", config.toString());
        }
        Run written = execute("check-config", config.toString());

        assertThat(full.exitCode).isEqualTo(74);
        assertThat(written.exitCode).isZero();
        assertThat(written.out).isEqualTo(config + ": OK, 1 target, offer unknown\n");
    }

    @Test
    void checkConfigOfAFifoIsAConfigErrorAtOnce() throws Exception {
        Path fifo = dir.resolve("smtp-probe.yml");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).isTrue();

        Run run = assertTimeoutPreemptively(BOUND, () -> execute("check-config", fifo.toString()));
        Run check = assertTimeoutPreemptively(BOUND, () -> execute("check", "--config", fifo.toString()));

        assertThat(run.exitCode).isEqualTo(78);
        assertThat(run.err).isEqualTo("smtp-probe: " + fifo + ": is a FIFO (named pipe), not a regular file; it is"
                + " not read (a read could wait forever)\n");
        assertThat(check.exitCode).isEqualTo(78);
        assertThat(check.err).isEqualTo(run.err);
    }

    @Test
    void checkConfigOfASparseThreeGigabyteCaFileIsAConfigErrorWithoutAStackTrace() throws Exception {
        Path ca = dir.resolve("ca.pem");
        try (RandomAccessFile file = new RandomAccessFile(ca.toFile(), "rw")) {
            file.setLength(3L << 30);
        }
        Path config = Files.writeString(dir.resolve("big-ca.yml"), "targets:\n  - host: relay.example.com\n"
                + "    mode: submission\n    tls: {ca_file: ca.pem}\n");

        Run checkConfig = execute("check-config", config.toString());
        Run check = execute("check", "--config", config.toString());

        String message = "smtp-probe: " + config + ": targets[0].tls.ca_file: " + ca + " is larger than 4194304"
                + " bytes; it should hold the CA certificates to trust, in PEM\n";
        assertThat(checkConfig.exitCode).isEqualTo(78);
        assertThat(checkConfig.err).isEqualTo(message);
        assertThat(check.exitCode).isEqualTo(78);
        assertThat(check.err).isEqualTo(message);
    }

    @Test
    void checkConfigOfAForeignFileSaysSoWithoutRepeatingItsLines() throws Exception {
        Path shadow = Files.writeString(dir.resolve("shadow"), """
                root:$y$j9T$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA:19700:0:99999:7:::
                daemon:*:19700:0:99999:7:::
                bin:*:19700:0:99999:7:::
                sys:*:19700:0:99999:7:::
                sync:*:19700:0:99999:7:::
                alice:$y$j9T$YWxpY2VzYWx0$YWxpY2VoYXNo:19701:0:99999:7:::
                """);

        Run run = execute("check-config", shadow.toString());

        assertThat(run.exitCode).isEqualTo(78);
        assertThat(run.err).isEqualTo("smtp-probe: " + shadow + ": is not an smtp-probe config: none of its 6"
                + " top-level keys is known, the first \"root...\" (the rest is not repeated); valid keys:"
                + " subscription, azure, probe, dns, web, targets\n");
        assertThat(run.err).doesNotContain("$y$").doesNotContain("daemon").doesNotContain("alice");
    }

    @Test
    void aPasswordInATargetIsAUsageErrorThatNeverPrintsIt() {
        Run run = execute("check", "--target", "submission://alice:Secret-8f2c@smtp.example.net");

        assertThat(run.exitCode).isEqualTo(64);
        assertThat(run.err).contains("SMTP_PROBE_PASSWORD").contains("alice:******@smtp.example.net")
                .doesNotContain("Secret-8f2c");
        assertThat(run.out).isEmpty();
    }

    @Test
    void aTimeoutBeyondTenMinutesIsAUsageError() {
        Run run = execute("check", "--timeout", "2500000h", "--target", "tcp://127.0.0.1:9");

        assertThat(run.exitCode).isEqualTo(64);
        assertThat(run.err).startsWith("Invalid value for option '--timeout': must be at most 10m, found 2500000h");
    }

    @Test
    void escapesControlCharactersOfAnArgumentInParseErrors() {
        Run run = execute("check", "--created", "2024\r\nsmtp-probe: all good\u001b[2J\0");

        assertThat(run.exitCode).isEqualTo(64);
        assertThat(run.err).contains("'2024\\r\\nsmtp-probe: all good\\x1b[2J\\0'")
                .doesNotContain("\r").doesNotContain("\u001b").doesNotContain("\0");
    }

    @Test
    void escapesControlCharactersOfAConfigValueInItsErrors() throws IOException {
        Path config = Files.writeString(dir.resolve("crlf.yml"),
                "probe:\n  helo_name: \"vm1\\r\\nMAIL FROM:<x@example.com>\"\ntargets:\n  - mx: example.com\n");

        Run run = execute("check-config", config.toString());

        assertThat(run.exitCode).isEqualTo(78);
        assertThat(run.err).isEqualTo("smtp-probe: " + config + ": probe.helo_name: must be auto, a domain name or an"
                + " address literal like [192.0.2.1], found \"vm1\\r\\nMAIL FROM:<x@example.com>\"\n");
    }

    private static Run execute(String... args) {
        StringWriter out = new StringWriter();
        Run run = execute(new PrintWriter(out), args);
        return new Run(run.exitCode, out.toString(), run.err);
    }

    private static Run execute(PrintWriter out, String... args) {
        StringWriter err = new StringWriter();
        int exitCode = Main.execute(args, Map.of(), out, new PrintWriter(err), () -> false);
        return new Run(exitCode, "", err.toString());
    }

    private record Run(int exitCode, String out, String err) {}
}
