package io.smtpprobe.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.probe.Outcome;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The cause table of README.md "Reading the verdicts" against replies as receivers send them: Postfix, Exim and postgrey
 * as configured in the simulated network, and the published texts of Gmail, Outlook.com, Microsoft 365
 * and Yahoo.
 */
class RefusalReaderTest {
    static Stream<Arguments> replies() {
        return Stream.of(
                Arguments.of(Outcome.RECIPIENT_REJECTED, "550 5.1.1 <nobody@example.test>: Recipient address rejected:"
                        + " User unknown in local recipient table", Cause.RECIPIENT_UNKNOWN),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "550 Unrouteable address", Cause.RECIPIENT_UNKNOWN),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "550-5.1.1 The email account that you tried to reach does not"
                        + " exist.", Cause.RECIPIENT_UNKNOWN),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "554 5.7.1 <x@elsewhere.test>: Relay access denied",
                        Cause.RELAY_DENIED),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "553 5.7.1 <probe@example.test>: Sender address rejected: not"
                        + " owned by user alice", Cause.SENDER_NOT_ALLOWED),
                Arguments.of(Outcome.SENDER_REJECTED, "550 5.7.60 SMTP; Client does not have permissions to send as"
                        + " this sender", Cause.SENDER_NOT_ALLOWED),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "553 5.1.8 <probe@nowhere.test>: Sender address rejected:"
                        + " Domain not found", Cause.SENDER_NOT_ALLOWED),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "554 5.7.1 Service unavailable; Client host [20.1.2.3] blocked"
                        + " using zen.spamhaus.org; https://www.spamhaus.org/query/ip/20.1.2.3", Cause.IP_BLOCKLISTED),
                Arguments.of(Outcome.GREETING_REJECTED, "550 5.7.1 Unfortunately, messages from [20.1.2.3] weren't sent."
                        + " Please contact your Internet service provider since part of their network is on our block"
                        + " list (S3150).", Cause.IP_BLOCKLISTED),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "550 5.7.606 Access denied, banned sending IP [20.1.2.3]. To"
                        + " request removal from this list please visit https://sender.office.com/",
                        Cause.IP_BLOCKLISTED),
                // Exim's example ACL (configure.default), as Exim 4.96 in the simulated network answers with it.
                Arguments.of(Outcome.RECIPIENT_REJECTED, "550 5.7.1 Rejected because 198.51.100.10 is in a black list at"
                        + " zen.rbl.test", Cause.IP_BLOCKLISTED),
                Arguments.of(Outcome.GREETING_REJECTED, "554 mx.example.test [BL21] Connections will not be accepted"
                        + " from 20.1.2.3, because the ip is in Spamhaus's list", Cause.IP_BLOCKLISTED),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "550 5.7.25 [20.1.2.3] The IP address sending this message"
                        + " does not have a PTR record setup", Cause.NO_REVERSE_DNS),
                Arguments.of(Outcome.GREETING_REJECTED, "421 4.7.23 [20.1.2.3] The sending IP does not match the IP"
                        + " address of the hostname specified in the pointer (PTR) record.", Cause.NO_REVERSE_DNS),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "450 4.7.25 Client host rejected: cannot find your hostname,"
                        + " [20.1.2.3]", Cause.NO_REVERSE_DNS),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "504 5.5.2 <localhost>: Helo command rejected: need"
                        + " fully-qualified hostname", Cause.HELO_REJECTED),
                Arguments.of(Outcome.EHLO_REJECTED, "550 Go away", Cause.HELO_REJECTED),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "550 5.7.26 This mail has been blocked because the sender is"
                        + " unauthenticated.", Cause.SENDER_POLICY),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "550 5.7.23 SPF validation failed", Cause.SENDER_POLICY),
                Arguments.of(Outcome.GREETING_REJECTED, "421 4.7.28 [20.1.2.3] Our system has detected an unusual rate"
                        + " of unsolicited mail originating from your IP address.", Cause.RATE_LIMITED),
                Arguments.of(Outcome.GREETING_REJECTED, "421 4.7.0 [TSS04] Messages from 20.1.2.3 temporarily deferred"
                        + " due to unexpected volume or user complaints", Cause.RATE_LIMITED),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "451 4.7.550 Mail throttled", Cause.RATE_LIMITED),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "450 4.2.0 <x@example.test>: Recipient address rejected:"
                        + " Greylisted, see http://postgrey.schweikert.ch/help/example.test.html", Cause.GREYLISTED),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "451 4.7.1 Please try again later", Cause.GREYLISTED),
                // Postfix's "defer" restriction, as a greylisting MX of the simulated network answers: the 4.3.2 is
                // read as a deferral at RCPT, not as a loaded receiver.
                Arguments.of(Outcome.RECIPIENT_REJECTED, "450 4.3.2 <postmaster@grey.mail.test>: Recipient address"
                        + " rejected: Try again later", Cause.GREYLISTED),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "450 4.7.1 <postmaster@greylist.mail.test>: Recipient address"
                        + " rejected: Greylisted, try again later", Cause.GREYLISTED),
                Arguments.of(Outcome.SENDER_REJECTED, "530 5.7.0 Must issue a STARTTLS command first",
                        Cause.TLS_REQUIRED),
                Arguments.of(Outcome.SENDER_REJECTED, "530 5.7.0 Authentication required", Cause.AUTH_REQUIRED),
                Arguments.of(Outcome.SENDER_REJECTED, "530 5.7.57 Client not authenticated to send mail",
                        Cause.AUTH_REQUIRED),
                Arguments.of(Outcome.GREETING_REJECTED, "421 4.3.2 Service not available, closing transmission channel",
                        Cause.SERVICE_UNAVAILABLE),
                Arguments.of(Outcome.GREETING_REJECTED, "421 mx.example.test Error: too busy", Cause.SERVICE_UNAVAILABLE),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "554 5.7.1 Message rejected due to content restrictions",
                        Cause.POLICY),
                Arguments.of(Outcome.AUTH_REJECTED, "535 5.7.8 Error: authentication failed: UGFzc3dvcmQ6",
                        Cause.POLICY),
                Arguments.of(Outcome.RECIPIENT_REJECTED, "550 Requested action not taken", Cause.OTHER),
                Arguments.of(Outcome.SENDER_REJECTED, null, Cause.OTHER));
    }

    @ParameterizedTest(name = "{2}: {1}")
    @MethodSource("replies")
    void readsTheCauseFromTheReply(Outcome outcome, String reply, Cause cause) {
        assertThat(RefusalReader.cause(outcome, reply)).isEqualTo(cause);
    }

    @Test
    void givesNoCauseToWhatIsNotARefusal() {
        assertThat(RefusalReader.cause(Outcome.TCP_REFUSED, null)).isNull();
        assertThat(RefusalReader.cause(Outcome.OK, "250 2.1.5 Ok")).isNull();
        assertThat(RefusalReader.cause(Outcome.TLS_HANDSHAKE_FAILED, null)).isNull();
    }

    @Test
    void findsTheClientAddressAReplyQuotes() {
        assertThat(RefusalReader.quotedAddress("554 5.7.1 Service unavailable; Client host [20.1.2.3] blocked using"
                + " zen.spamhaus.org")).hasValue("20.1.2.3");
        assertThat(RefusalReader.quotedAddress("550 5.7.1 messages from [IPv6:2001:db8::5] weren't sent"))
                .hasValue("2001:db8::5");
        assertThat(RefusalReader.quotedAddress("550 5.1.1 <a@b.test>: User unknown")).isEmpty();
        assertThat(RefusalReader.quotedAddress(null)).isEmpty();
    }

    @Test
    void findsTheClientAddressAReplyQuotesWithoutBrackets() {
        assertThat(RefusalReader.quotedAddress("550 5.7.1 Rejected because 198.51.100.10 is in a black list at"
                + " zen.rbl.test")).hasValue("198.51.100.10");
        assertThat(RefusalReader.quotedAddress("421 4.7.0 [TSS04] Messages from 20.1.2.3 temporarily deferred due to"
                + " unexpected volume or user complaints")).hasValue("20.1.2.3");
        assertThat(RefusalReader.quotedAddress("550 5.7.1 20.1.2.3 is listed at zen.example.test (127.0.0.2: see"
                + " https://example.test/20.1.2.3)")).hasValue("20.1.2.3");
        assertThat(RefusalReader.quotedAddress("550 5.7.1 Rejected because it is listed at zen.example.test"
                + " (127.0.0.2)")).as("a DNSBL's answer is not the client").isEmpty();
        assertThat(RefusalReader.quotedAddress("550 5.7.1 Exim 4.96 rejected 1.2.3")).isEmpty();
        assertThat(RefusalReader.quotedAddress("550 5.7.1 from 300.1.2.3")).isEmpty();
    }
}
