package io.smtpprobe.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.smtpprobe.config.MailboxConfig;
import io.smtpprobe.config.Secret;
import io.smtpprobe.config.TlsConfig;
import io.smtpprobe.probe.tls.TlsContexts;
import io.smtpprobe.testing.GreenMailSetups;
import jakarta.mail.Message;
import jakarta.mail.search.SearchTerm;
import jakarta.mail.search.SubjectTerm;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The production wait against GreenMail's IMAPS, which offers IDLE: news of an arrival ends it long before its
 * bound, and the bound ends it when nothing arrives. Generous limits: nothing here depends on sub-second timing.
 */
class MailboxWaitTest {
    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(
            GreenMailSetups.loopback(ServerSetupTest.SMTP, ServerSetupTest.IMAPS));

    private Mailbox open(GreenMailUser user) throws Exception {
        MailboxConfig config = new MailboxConfig("127.0.0.1", greenMail.getImaps().getPort(), "inbox",
                new Secret("inbox-Pa55word"), "test", new TlsConfig(null, true), "INBOX");
        return Mailbox.open(config, new TlsContexts(), Duration.ofSeconds(30));
    }

    @Test
    void idleEndsWhenTheMessageArrives() throws Exception {
        GreenMailUser user = greenMail.setUser("inbox@example.com", "inbox", "inbox-Pa55word");
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Mailbox mailbox = open(user); MailboxWait wait = new MailboxWait()) {
            assertThat(mailbox.offersIdle()).isTrue();
            assertThat(mailbox.takeProbeMessages("nothing-of-ours", Instant.EPOCH)).isFalse(); // the first look
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                try {
                    wait.await(mailbox, Duration.ofMinutes(10));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, thread);
            // The IDLE may start before or after the delivery; either way the message is seen (EXISTS, or at once).
            GreenMailUtil.sendTextEmail("inbox@example.com", "someone@example.com", "smtp-probe delivery x", "hi",
                    greenMail.getSmtp().getServerSetup());

            // Before the one-minute IDLE ends by itself: the arrival ended it (the NOOP before IDLE, or EXISTS during it).
            waiting.get(45, TimeUnit.SECONDS);
            assertThat(mailbox.takeProbeMessages("nothing-of-ours", Instant.EPOCH)).isFalse();
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void idleEndsAtItsBoundWhenNothingArrives() throws Exception {
        GreenMailUser user = greenMail.setUser("inbox@example.com", "inbox", "inbox-Pa55word");
        try (Mailbox mailbox = open(user); MailboxWait wait = new MailboxWait()) {
            assertThat(mailbox.takeProbeMessages("nothing-of-ours", Instant.EPOCH)).isFalse(); // the first look
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                try {
                    wait.await(mailbox, Duration.ofSeconds(2));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            waiting.get(60, TimeUnit.SECONDS);
            // The connection is still good for the next look.
            assertThat(mailbox.takeProbeMessages("nothing-of-ours", Instant.EPOCH)).isFalse();
        }
    }

    /**
     * The simulated network's slow-arrival case: the next probe's first look deleted the late messages, and its own
     * landed while that look was under way, after its search. The look must not count a message it never searched:
     * the wait then idled until delivery_timeout and reported that as the arrival time (4.3 s for a message Postfix
     * delivered 0.1 s after submission). The search term delivers the message once it is running, client side.
     */
    @Test
    void aMessageThatLandsDuringALookAfterItsSearchIsNewsToTheNextLook() throws Exception {
        GreenMailUser user = greenMail.setUser("inbox@example.com", "inbox", "inbox-Pa55word");
        GreenMailUtil.sendTextEmail("inbox@example.com", "someone@example.com", "other mail", "hi",
                greenMail.getSmtp().getServerSetup());
        AtomicBoolean landed = new AtomicBoolean();
        SubjectTerm probeSubjects = new SubjectTerm(ProbeMessage.SUBJECT_PREFIX.trim());
        SearchTerm landsDuringTheSearch = new SearchTerm() {
            @Override
            public boolean match(Message message) {
                if (landed.compareAndSet(false, true)) {
                    GreenMailUtil.sendTextEmail("inbox@example.com", "someone@example.com", "smtp-probe delivery late",
                            "hi", greenMail.getSmtp().getServerSetup());
                }
                return probeSubjects.match(message);
            }
        };
        try (Mailbox mailbox = open(user)) {
            assertThat(mailbox.takeProbeMessages("nothing-of-ours", Instant.EPOCH, landsDuringTheSearch)).isFalse();
            assertThat(landed).isTrue();

            assertThat(mailbox.changedSinceLastLook()).isTrue();
        }
    }

    /**
     * The last wait of a probe, whose bound is all but up (the IDLE before it ended a hair short of the deadline):
     * its wake can come before the IDLE has begun. A lost wake left that IDLE running until the server spoke
     * (Dovecot: after 2 minutes), and a check in the simulated network hit its 60 s limit. Each wait ends soon after
     * its bound, however its wake and its IDLE fall.
     */
    @Test
    void aWaitWhoseBoundIsAlmostUpEndsSoonEvenWhenItsWakeComesFirst() throws Exception {
        GreenMailUser user = greenMail.setUser("inbox@example.com", "inbox", "inbox-Pa55word");
        try (Mailbox mailbox = open(user); MailboxWait wait = new MailboxWait()) {
            assertThat(mailbox.takeProbeMessages("nothing-of-ours", Instant.EPOCH)).isFalse();
            for (int i = 0; i < 10; i++) {
                CompletableFuture.runAsync(() -> {
                    try {
                        wait.await(mailbox, Duration.ofNanos(1));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).get(20, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void returnsAtOnceWhenAMessageCameSinceTheLastLook() throws Exception {
        GreenMailUser user = greenMail.setUser("inbox@example.com", "inbox", "inbox-Pa55word");
        try (Mailbox mailbox = open(user); MailboxWait wait = new MailboxWait()) {
            assertThat(mailbox.takeProbeMessages("nothing-of-ours", Instant.EPOCH)).isFalse();
            GreenMailUtil.sendTextEmail("inbox@example.com", "someone@example.com", "hello", "hi",
                    greenMail.getSmtp().getServerSetup());

            assertThat(mailbox.changedSinceLastLook()).isTrue();
            CompletableFuture.runAsync(() -> {
                try {
                    wait.await(mailbox, Duration.ofMinutes(10));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).get(45, TimeUnit.SECONDS); // no IDLE at all: it would last a minute
        }
    }
}
