package io.smtpprobe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.report.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code smtp-probe policy}: a typo is a usage error, and the exemption flag is spelled as in {@code check}. */
class PolicyCommandTest {
    @Test
    void anUnknownOfferIsAUsageErrorNamingTheNearestKey() {
        Run run = run("policy", "--offer", "foo");

        assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(run.out).doesNotContain("outbound port 25");
        assertThat(run.err).contains("--offer: \"foo\" is not an offer key, alias or quotaId; did you mean");
    }

    @Test
    void explainsAnOfferGivenByQuotaId() {
        Run run = run("policy", "--offer", "MSDN_2014-09-01");

        assertThat(run.exitCode).isZero();
        assertThat(run.out).contains("msdn");
    }

    @Test
    void takesThePort25ExemptionFlagAsCheckDoesAndTheOldSpellingHidden() {
        Run exempt = run("policy", "--offer", "pay-as-you-go", "--port25-exemption");
        Run old = run("policy", "--offer", "pay-as-you-go", "--exemption");
        Run explicitNo = run("policy", "--offer", "pay-as-you-go", "--port25-exemption=false");

        assertThat(exempt.exitCode).isZero();
        assertThat(exempt.out).contains("port-25 exemption recorded (from flag): outbound port 25 expected reachable");
        assertThat(old.out).isEqualTo(exempt.out);
        assertThat(explicitNo.out).doesNotContain("exemption recorded").contains("expected blocked");
        Run help = run("policy", "--help");
        assertThat(help.out).contains("--port25-exemption").doesNotContain("--exemption ");
        assertThat(run("policy").out).contains("[--port25-exemption]");
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.commandLine(Map.of(), new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {}
}
