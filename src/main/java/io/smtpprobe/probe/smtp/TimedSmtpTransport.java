package io.smtpprobe.probe.smtp;

import io.smtpprobe.probe.step.PhaseClock;
import io.smtpprobe.probe.step.Step;
import io.smtpprobe.probe.tls.TlsSocketFactory;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.util.Locale;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus Mail's SMTP client with our timing and our rules hooked into its protected steps. Angus runs
 * the conversation (greeting, EHLO with HELO fallback, STARTTLS, the second EHLO, AUTH); this class
 * marks when each step starts, refuses to go on without TLS where TLS is required, and makes sure
 * credentials never leave over a plain connection (RFC 4954 section 4, RFC 8314 section 3).
 */
final class TimedSmtpTransport extends SMTPTransport {
    private final PhaseClock clock;
    private final TlsSocketFactory tls;
    private final boolean tlsRequired;
    private boolean authSent;

    TimedSmtpTransport(Session session, URLName url, PhaseClock clock, TlsSocketFactory tls, boolean tlsRequired) {
        super(session, url);
        this.clock = clock;
        this.tls = tls;
        this.tlsRequired = tlsRequired;
    }

    @Override
    protected boolean ehlo(String domain) throws MessagingException {
        clock.enter(Step.EHLO);
        boolean accepted = super.ehlo(domain);
        if (accepted && tlsRequired && !tls.established() && !super.supportsExtension("STARTTLS")) {
            throw new StartTlsUnavailableException("the server does not offer STARTTLS in its EHLO reply");
        }
        return accepted;
    }

    @Override
    protected void helo(String domain) throws MessagingException {
        clock.enter(Step.EHLO);
        super.helo(domain);
        if (tlsRequired && !tls.established()) {
            // Without EHLO there are no extensions, so no STARTTLS (RFC 3207 section 4).
            throw new StartTlsUnavailableException("the server refused EHLO and took HELO, so it offers no STARTTLS");
        }
    }

    @Override
    protected void startTLS() throws MessagingException {
        clock.enter(Step.STARTTLS);
        // The factory handshakes and checks the certificate before Angus gets the socket back.
        super.startTLS();
    }

    /** AUTH is hidden until TLS is up, so Angus never starts an exchange that would carry secrets. */
    @Override
    public boolean supportsExtension(String extension) {
        if (extension.toUpperCase(Locale.ROOT).startsWith("AUTH") && !tls.established()) {
            return false;
        }
        return super.supportsExtension(extension);
    }

    @Override
    public synchronized int simpleCommand(String command) throws MessagingException {
        if (command.regionMatches(true, 0, "AUTH ", 0, 5)) {
            if (!tls.established()) {
                throw new MessagingException("refusing to send credentials over a connection without TLS");
            }
            clock.enter(Step.AUTH);
            authSent = true;
        }
        return super.simpleCommand(command);
    }

    /** Whether an AUTH command went to the server (over TLS). */
    boolean authSent() {
        return authSent;
    }
}
