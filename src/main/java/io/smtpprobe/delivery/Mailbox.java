package io.smtpprobe.delivery;

import static io.smtpprobe.probe.step.CauseChain.find;

import io.smtpprobe.config.MailboxConfig;
import io.smtpprobe.probe.tls.TlsContexts;
import io.smtpprobe.probe.tls.TlsSetupException;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.FolderNotFoundException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.search.SearchTerm;
import jakarta.mail.search.SubjectTerm;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;

/**
 * The probe's mailbox over IMAPS (RFC 9051 over implicit TLS, RFC 8314): opened before anything is sent, so a
 * mailbox that cannot be read costs no message. Finds probe messages by subject and token and deletes only them.
 */
final class Mailbox implements AutoCloseable {
    private final MailboxConfig config;
    private final IMAPStore store;
    private final IMAPFolder folder;
    /** The message count the last look searched, less what it deleted: whether anything came since. */
    private int countAtLastLook = -1;

    private Mailbox(MailboxConfig config, IMAPStore store, IMAPFolder folder) {
        this.config = config;
        this.store = store;
        this.folder = folder;
    }

    /** Connects, checks the certificate, logs in and opens the folder read-write. */
    static Mailbox open(MailboxConfig config, TlsContexts tls, Duration timeout) throws MailboxFailedException {
        Properties properties = new Properties();
        String millis = Long.toString(timeout.toMillis());
        properties.put("mail.imaps.connectiontimeout", millis);
        properties.put("mail.imaps.timeout", millis);
        properties.put("mail.imaps.writetimeout", millis);
        properties.put("mail.imaps.ssl.checkserveridentity", Boolean.toString(!config.tls().insecureSkipVerify()));
        String where = config.host() + ":" + config.port();
        try {
            properties.put("mail.imaps.ssl.socketFactory",
                    TlsContexts.newContext(tls.trust(config.tls())).getSocketFactory());
        } catch (TlsSetupException | GeneralSecurityException e) {
            throw new MailboxFailedException("cannot set up TLS for the mailbox " + where + ": " + e.getMessage(), e);
        }
        IMAPStore store;
        try {
            store = (IMAPStore) Session.getInstance(properties).getStore("imaps");
        } catch (MessagingException e) {
            throw new MailboxFailedException("Angus Mail has no IMAPS provider: " + e.getMessage(), e);
        }
        try {
            store.connect(config.host(), config.port(), config.username(), config.password().reveal());
            IMAPFolder folder = (IMAPFolder) store.getFolder(config.folder());
            folder.open(Folder.READ_WRITE);
            return new Mailbox(config, store, folder);
        } catch (MessagingException e) {
            closeQuietly(store);
            throw failed(config, e);
        }
    }

    /** The one place an IMAP failure becomes a message: which step failed, and what to check. */
    private static MailboxFailedException failed(MailboxConfig config, MessagingException e) {
        String where = config.host() + ":" + config.port();
        if (e instanceof AuthenticationFailedException) {
            return new MailboxFailedException("IMAP login failed: " + where + " refused the login of "
                    + config.username() + " (" + e.getMessage() + "); check mailbox.username and the password in "
                    + config.passwordSource(), e);
        }
        if (e instanceof FolderNotFoundException) {
            return new MailboxFailedException("IMAP folder " + config.folder() + " does not exist in the mailbox of "
                    + config.username() + " on " + where + "; check mailbox.folder", e);
        }
        SSLException tlsFailure = find(e, SSLException.class);
        if (tlsFailure != null) {
            String why = find(e, CertificateException.class) != null
                    || find(e, java.security.cert.CertPathValidatorException.class) != null
                    || find(e, java.security.cert.CertPathBuilderException.class) != null
                    ? "the server's certificate is not trusted (" + tlsFailure.getMessage() + "); give its CA in"
                            + " mailbox.tls.ca_file"
                    : tlsFailure.getMessage();
            return new MailboxFailedException("IMAP TLS failed with " + where + ": " + why, e);
        }
        if (find(e, UnknownHostException.class) != null) {
            return new MailboxFailedException("IMAP connect failed: " + config.host() + " does not resolve", e);
        }
        if (find(e, ConnectException.class) != null) {
            return new MailboxFailedException("IMAP connect failed: " + where + " refused the connection; check"
                    + " mailbox.host and mailbox.port (IMAPS is 993)", e);
        }
        if (find(e, SocketTimeoutException.class) != null) {
            return new MailboxFailedException("IMAP connect failed: " + where + " did not answer in time", e);
        }
        return new MailboxFailedException("IMAP failed with " + where + ": " + e.getMessage(), e);
    }

    /** Whether the server offers IDLE (RFC 2177), so the probe can wait for news rather than poll. */
    boolean offersIdle() throws MailboxFailedException {
        try {
            return store.hasCapability("IDLE");
        } catch (MessagingException e) {
            throw failed(config, e);
        }
    }

    /**
     * Whether a message came since the last look: a NOOP (RFC 9051 section 6.1.2) makes the server report what
     * arrived, so a message that landed between the last look and an IDLE is not waited for until IDLE's bound.
     */
    boolean changedSinceLastLook() throws MailboxFailedException {
        try {
            folder.doCommand(protocol -> {
                protocol.simpleCommand("NOOP", null);
                return null;
            });
            return folder.getMessageCount() != countAtLastLook;
        } catch (MessagingException e) {
            throw failed(config, e);
        }
    }

    IMAPFolder folder() {
        return folder;
    }

    /**
     * Looks for the message with {@code token}, deleting it and every probe message sent before it (left behind by a
     * probe that ended before it found its own); other mail is never touched.
     *
     * @return whether the message with {@code token} was there
     */
    boolean takeProbeMessages(String token, Instant sent) throws MailboxFailedException {
        return takeProbeMessages(token, sent, new SubjectTerm(ProbeMessage.SUBJECT_PREFIX.trim()));
    }

    /** {@link #takeProbeMessages(String, Instant)} with the search for probe messages given (tests time arrivals). */
    boolean takeProbeMessages(String token, Instant sent, SearchTerm probeMessages) throws MailboxFailedException {
        try {
            // The messages this look's search covers: one that lands after the search is reported by a later command
            // of the look and must stay news, or the wait idles past it until its bound.
            int searched = folder.getMessageCount();
            boolean found = false;
            int deleted = 0;
            for (Message message : folder.search(probeMessages)) {
                String tokenOf = ProbeMessage.tokenOf(message);
                boolean ours = token.equals(tokenOf);
                // Another agent's message sent after ours may still be waited for: only older ones are left over.
                boolean older = tokenOf != null && message.getSentDate() != null
                        && message.getSentDate().toInstant().isBefore(sent);
                if (ours || older) {
                    found |= ours;
                    message.setFlag(Flags.Flag.DELETED, true);
                    deleted++;
                }
            }
            if (deleted > 0) {
                folder.expunge();
            }
            countAtLastLook = searched - deleted;
            return found;
        } catch (MessagingException e) {
            throw failed(config, e);
        }
    }

    @Override
    public void close() {
        try {
            if (folder.isOpen()) {
                folder.close(false);
            }
        } catch (MessagingException e) {
            // The messages were expunged already; a failed close loses nothing.
        }
        closeQuietly(store);
    }

    private static void closeQuietly(Store store) {
        try {
            store.close();
        } catch (MessagingException e) {
            // Closing is best effort: the connection is gone either way.
        }
    }
}
