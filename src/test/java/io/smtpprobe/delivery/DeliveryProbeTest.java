package io.smtpprobe.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.user.GreenMailUser;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.config.DeliveryConfig;
import io.smtpprobe.engine.NetworkProbers;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.testing.DeliveryFixture;
import io.smtpprobe.testing.MutableClock;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery probe against GreenMail's SMTPS and IMAPS on loopback. Time is a {@link MutableClock}; waiting for the
 * message moves it instead of sleeping, so {@code delivery_timeout} passes exactly when a test says.
 */
class DeliveryProbeTest {
    private static final String RELAY_PASSWORD = DeliveryFixture.RELAY_PASSWORD;
    private static final String MAILBOX_PASSWORD = DeliveryFixture.MAILBOX_PASSWORD;

    @RegisterExtension
    static GreenMailExtension greenMail = DeliveryFixture.greenMail();

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T12:00:00Z"));
    private final Ticker ticker = () -> Duration.between(Instant.EPOCH, clock.instant()).toNanos();
    private final List<Duration> waits = new ArrayList<>();
    private final NetworkProbers probers = new NetworkProbers(clock, ticker);
    private GreenMailUser inbox;

    @BeforeEach
    void users() {
        greenMail.setUser("relay@example.com", "relay", RELAY_PASSWORD);
        inbox = greenMail.setUser("inbox@example.com", "inbox", MAILBOX_PASSWORD);
        greenMail.setUser("elsewhere@example.com", "elsewhere", "elsewhere-Pa55word");
    }

    @AfterEach
    void close() {
        probers.close();
    }

    /** A wait that lets {@code bound} pass on the test clock, after {@code meanwhile} has run. */
    private ArrivalWait waitThen(Runnable meanwhile) {
        return (mailbox, bound) -> {
            waits.add(bound);
            meanwhile.run();
            clock.advance(bound);
        };
    }

    /** A wait after which, {@code delay} later on the test clock, the last message sent is in the mailbox. */
    private ArrivalWait arrivingAfter(Duration delay) {
        return (mailbox, bound) -> {
            waits.add(bound);
            clock.advance(delay);
            MimeMessage[] received = greenMail.getReceivedMessages();
            inbox.deliver(received[received.length - 1]);
        };
    }

    private DeliveryResult run(String overrides, ArrivalWait wait) throws Exception {
        return run(parse(yaml(overrides)), wait);
    }

    private DeliveryResult run(Config config, ArrivalWait wait) {
        DeliveryConfig delivery = config.deliveries().get(0);
        try (DeliveryProbe probe = new DeliveryProbe(probers.create(config), clock, ticker, Duration.ofSeconds(10),
                "probe.example.com", wait)) {
            return probe.run(delivery, config.target(delivery.relay()));
        }
    }

    private static Config parse(String yaml) throws Exception {
        return new ConfigLoader(Map.of(), PolicyTable.NAMES).parse(yaml, "delivery-test.yml");
    }

    /** The test's config file, its password files written afresh. */
    private String yaml(String overrides) throws Exception {
        return DeliveryFixture.targets(greenMail.getSmtps().getPort(),
                DeliveryFixture.secret(dir, "relay-password", RELAY_PASSWORD),
                overrides.contains("rcpt_to=") ? overrides.replaceAll(".*rcpt_to=(\\S+).*", "$1") : "inbox@example.com",
                "interval: 15m\ndelivery_timeout: 5m", dir.resolve("state/delivery.last-sent"),
                greenMail.getImaps().getPort(), DeliveryFixture.secret(dir, "mailbox-password", MAILBOX_PASSWORD),
                !overrides.contains("trust-system"));
    }


    private void overwrite(Path file, String value) throws Exception {
        Files.writeString(file, value + "\n");
    }

    @Nested
    class Delivered {
        @Test
        void findsItsMessageAndDeletesIt() throws Exception {
            DeliveryResult result = run("", waitThen(() -> { }));

            assertThat(result.outcome()).as(result.detail()).isEqualTo(DeliveryOutcome.DELIVERED);
            assertThat(result.relayOutcome()).isEqualTo(Outcome.OK);
            assertThat(result.arrival()).isEqualTo(Duration.ZERO); // GreenMail stores it before the relay answers
            assertThat(result.detail()).isEqualTo("found in INBOX of inbox and deleted");
            assertThat(waits).isEmpty();
            assertThat(inboxMessages()).isZero();
        }

        @Test
        void timesArrivalFromSubmissionOnItsClock() throws Exception {
            // The relay delivers elsewhere (where a copy stays to be read); 40 s later it turns up in the mailbox.
            DeliveryResult result = run("rcpt_to=elsewhere@example.com", arrivingAfter(Duration.ofSeconds(40)));

            assertThat(result.outcome()).as(result.detail()).isEqualTo(DeliveryOutcome.DELIVERED);
            assertThat(result.arrival()).isEqualTo(Duration.ofSeconds(40));
            assertThat(result.arrivalSeconds()).isEqualTo(40.0);
            assertThat(waits).containsExactly(Duration.ofMinutes(5));
            assertThat(inboxMessages()).isZero();
            assertThat(greenMail.getReceivedMessages()).hasSize(1);
            MimeMessage sent = greenMail.getReceivedMessages()[0];
            assertThat(sent.getSubject()).matches("smtp-probe delivery [0-9a-f]{32}");
            assertThat(sent.getHeader("Auto-Submitted")).containsExactly("auto-generated");
            assertThat(sent.getHeader("X-Smtp-Probe-Token")).containsExactly(sent.getSubject().substring(20));
            assertThat(sent.getFrom()[0].toString()).isEqualTo("relay@example.com");
            assertThat(((String) sent.getContent()).split("\r\n")).hasSize(2);
        }

        @Test
        void deletesOlderProbeMessagesAndLeavesOtherMail() throws Exception {
            inbox.deliver(message("smtp-probe delivery 0123", "0123", Instant.parse("2026-12-07T11:00:00Z")));
            inbox.deliver(message("Lunch?", null, Instant.parse("2026-12-07T11:30:00Z")));

            DeliveryResult result = run("", waitThen(() -> { }));

            assertThat(result.outcome()).as(result.detail()).isEqualTo(DeliveryOutcome.DELIVERED);
            assertThat(inboxMessages()).isEqualTo(1);
            assertThat(greenMail.getManagers().getImapHostManager().getInbox(inbox).getMessages().get(0)
                    .getMimeMessage().getSubject()).isEqualTo("Lunch?");
        }
    }

    @Test
    void reportsNotDeliveredWhenTheRelayDeliversElsewhere() throws Exception {
        DeliveryResult result = run("rcpt_to=elsewhere@example.com", waitThen(() -> { }));

        assertThat(result.outcome()).isEqualTo(DeliveryOutcome.NOT_DELIVERED);
        assertThat(result.relayOutcome()).isEqualTo(Outcome.OK);
        assertThat(result.arrival()).isNull();
        assertThat(result.detail()).contains("accepted the message", "after 5m (delivery_timeout)");
        assertThat(waits).containsExactly(Duration.ofMinutes(5));
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void reportsMailboxFailedForAWrongPasswordAndSendsNothing() throws Exception {
        String yaml = yaml("");
        overwrite(dir.resolve("mailbox-password"), "not-the-password");
        DeliveryResult result = run(parse(yaml), waitThen(() -> { }));

        assertThat(result.outcome()).isEqualTo(DeliveryOutcome.MAILBOX_FAILED);
        assertThat(result.detail()).startsWith("IMAP login failed: 127.0.0.1:" + greenMail.getImaps().getPort()
                + " refused the login of inbox").contains("check mailbox.username and the password in",
                "nothing was sent").doesNotContain("not-the-password", MAILBOX_PASSWORD);
        assertThat(result.toString()).doesNotContain("not-the-password");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void reportsMailboxFailedNamingTlsForAnUntrustedCertificate() throws Exception {
        DeliveryResult result = run("trust-system", waitThen(() -> { }));

        assertThat(result.outcome()).isEqualTo(DeliveryOutcome.MAILBOX_FAILED);
        assertThat(result.detail()).startsWith("IMAP TLS failed with 127.0.0.1:" + greenMail.getImaps().getPort()
                + ": the server's certificate is not trusted").contains("mailbox.tls.ca_file", "nothing was sent");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void reportsSubmitFailedWithTheRelaysOutcomeAndSendsNothing() throws Exception {
        String yaml = yaml("");
        overwrite(dir.resolve("relay-password"), "not-the-relay-password");
        DeliveryResult result = run(parse(yaml), waitThen(() -> { }));

        assertThat(result.outcome()).isEqualTo(DeliveryOutcome.SUBMIT_FAILED);
        assertThat(result.relayOutcome()).isEqualTo(Outcome.AUTH_REJECTED);
        assertThat(result.reply()).startsWith("535");
        assertThat(result.detail()).contains("relay's own check failed with auth_rejected", "nothing was sent");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
        assertThat(dir.resolve("state/delivery.last-sent")).doesNotExist();
    }

    @Test
    void sendsAtMostOneMessagePerIntervalAcrossARestart() throws Exception {
        // Through elsewhere@, where a copy of each message stays: GreenMail's count of them is the count sent.
        String yaml = yaml("rcpt_to=elsewhere@example.com");
        assertThat(run(parse(yaml), arrivingAfter(Duration.ofSeconds(3))).outcome())
                .isEqualTo(DeliveryOutcome.DELIVERED);
        assertThat(Files.readString(dir.resolve("state/delivery.last-sent")).trim())
                .isEqualTo("2026-12-07T12:00:00Z");

        clock.advance(Duration.ofMinutes(14).plusSeconds(56));
        DeliveryResult early = run(parse(yaml), waitThen(() -> { })); // a new probe and config: as after a restart

        assertThat(early.outcome()).isEqualTo(DeliveryOutcome.NOT_DUE);
        assertThat(early.detail()).contains("sent at 2026-12-07T12:00:00Z", "next is due at 2026-12-07T12:15:00Z",
                "nothing was sent");
        assertThat(greenMail.getReceivedMessages()).hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(run(parse(yaml), arrivingAfter(Duration.ofSeconds(3))).outcome())
                .isEqualTo(DeliveryOutcome.DELIVERED);
        assertThat(greenMail.getReceivedMessages()).hasSize(2);
    }

    private int inboxMessages() throws Exception {
        return greenMail.getManagers().getImapHostManager().getInbox(inbox).getMessageCount();
    }

    private static MimeMessage message(String subject, String token, Instant sent) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom("someone@example.com");
        message.setRecipients(Message.RecipientType.TO, "inbox@example.com");
        message.setSubject(subject);
        message.setSentDate(java.util.Date.from(sent));
        if (token != null) {
            message.setHeader("X-Smtp-Probe-Token", token);
        }
        message.setText("hello\r\n");
        return message;
    }
}
