package io.smtpprobe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.smtpprobe.report.ExitCodes;
import io.smtpprobe.testing.DeliveryFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code check --only NAME} runs a delivery target once and prints its outcome and timing, as text and as JSON. */
class DeliveryCheckCommandTest {
    private static final String RELAY_PASSWORD = DeliveryFixture.RELAY_PASSWORD;
    private static final String MAILBOX_PASSWORD = DeliveryFixture.MAILBOX_PASSWORD;

    @RegisterExtension
    static GreenMailExtension greenMail = DeliveryFixture.greenMail();

    @TempDir
    Path dir;

    @BeforeEach
    void users() {
        DeliveryFixture.users(greenMail);
    }

    private Path config(String mailboxPassword) throws Exception {
        return Files.writeString(dir.resolve("smtp-probe.yml"), DeliveryFixture.targets(greenMail.getSmtps().getPort(),
                DeliveryFixture.secret(dir, "relay-password", RELAY_PASSWORD), "inbox@example.com", "",
                dir.resolve("delivery.last-sent"), greenMail.getImaps().getPort(),
                DeliveryFixture.secret(dir, "mailbox-password", mailboxPassword), true));
    }

    private Run check(Path config, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "--config", config.toString(), "--systemd-unit-path",
                Files.createDirectories(dir.resolve("units")).toString()));
        args.addAll(List.of(more));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.commandLine(Map.of(), new PrintWriter(out), new PrintWriter(err))
                .execute(args.toArray(String[]::new));
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    @Test
    void printsTheOutcomeAndTheTimeToArrivalAsText() throws Exception {
        Run run = check(config(MAILBOX_PASSWORD), "--only", "delivery");

        assertThat(run.exitCode).as(run.err + run.out).isZero();
        assertThat(run.out).matches("(?s)delivery: delivered in \\d+\\.\\d s, relay relay: ok\\R"
                + "  found in INBOX of inbox and deleted\\R");
        assertThat(run.err).contains("Sending one message through relay to inbox@example.com and looking for it in"
                + " 127.0.0.1:" + greenMail.getImaps().getPort() + " (at most 5m)");
    }

    @Test
    void printsTheOutcomeAndTheTimeToArrivalAsJson() throws Exception {
        Run run = check(config(MAILBOX_PASSWORD), "--only", "delivery", "--output", "json");

        assertThat(run.exitCode).as(run.err + run.out).isZero();
        JsonNode delivery = run.json().get("deliveries").get(0);
        assertThat(delivery.get("target").asText()).isEqualTo("delivery");
        assertThat(delivery.get("mode").asText()).isEqualTo("delivery");
        assertThat(delivery.get("outcome").asText()).isEqualTo("delivered");
        assertThat(delivery.get("relay_outcome").asText()).isEqualTo("ok");
        assertThat(delivery.get("arrival_seconds").isNumber()).isTrue();
        assertThat(delivery.get("arrival_seconds").asDouble()).isGreaterThanOrEqualTo(0.0);
    }

    @Test
    void exitsOneWithMailboxFailedAndNeverPrintsThePassword() throws Exception {
        Run run = check(config("Wrong-Pa55word-b7"), "--only", "delivery", "--output", "json");

        assertThat(run.exitCode).isEqualTo(ExitCodes.PROBLEM);
        JsonNode delivery = run.json().get("deliveries").get(0);
        assertThat(delivery.get("outcome").asText()).isEqualTo("mailbox_failed");
        assertThat(delivery.get("detail").asText()).startsWith("IMAP login failed");
        assertThat(run.out + run.err).doesNotContain("Wrong-Pa55word-b7", MAILBOX_PASSWORD, RELAY_PASSWORD);
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void sendsNothingWhenRunAgainWithinTheIntervalAndExitsTwo() throws Exception {
        Path config = config(MAILBOX_PASSWORD);
        assertThat(check(config, "--only", "delivery").exitCode).isZero();

        Run again = check(config, "--only", "delivery", "--output", "json");

        assertThat(again.exitCode).isEqualTo(ExitCodes.INCONCLUSIVE);
        assertThat(again.json().at("/deliveries/0/outcome").asText()).isEqualTo("not_due");
        assertThat(again.json().at("/deliveries/0/detail").asText()).contains("nothing was sent");
    }

    @Test
    void leavesDeliveryTargetsOutOfAPlainCheckAndSaysHowToRunThem() throws Exception {
        Run run = check(config(MAILBOX_PASSWORD), "--output", "json", "--timeout", "5s");

        assertThat(run.json().get("results")).hasSize(1);
        assertThat(run.json().at("/results/0/target").asText()).isEqualTo("relay");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
        assertThat(dir.resolve("delivery.last-sent")).doesNotExist();

        Run text = check(config(MAILBOX_PASSWORD), "--timeout", "5s");
        assertThat(text.err).contains("Not run: delivery targets, which send a real message; run them with check"
                + " --only delivery");
    }

    @Test
    void refusesDeliveryAndProbedTargetsInOneCheck() throws Exception {
        Run run = check(config(MAILBOX_PASSWORD), "--only", "delivery", "--only", "relay");

        assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err).contains("--only: a delivery target sends a real message and runs in a check of its own");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void checkConfigCountsDeliveryTargetsAndWarnsOfAnUnverifiedMailbox() throws Exception {
        Path config = config(MAILBOX_PASSWORD);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.commandLine(Map.of(), new PrintWriter(out), new PrintWriter(err))
                .execute("check-config", config.toString());

        assertThat(exitCode).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith(config + ": OK, 1 target and 1 delivery target, offer unknown");
        assertThat(err.toString()).contains("warning: delivery.mailbox.tls.insecure_skip_verify: the certificate of"
                + " 127.0.0.1 is not verified");
    }
}
