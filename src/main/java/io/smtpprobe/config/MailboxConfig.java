package io.smtpprobe.config;

/**
 * The IMAPS mailbox a delivery target reads (smtp-probe.yml(5), "Delivery targets").
 *
 * @param host the IMAP server
 * @param port its implicit-TLS port (RFC 8314 section 3.3: 993 by default)
 * @param username the mailbox's login
 * @param password read from {@code password_file} or {@code password_env} at load, like a relay's
 * @param passwordSource where the password was read from (a path or {@code env:NAME}), for messages
 * @param tls how the server's certificate is checked, as for a relay target
 * @param folder the folder the probe message arrives in
 */
public record MailboxConfig(String host, int port, String username, Secret password, String passwordSource,
        TlsConfig tls, String folder) {
    public static final int DEFAULT_PORT = 993;
    public static final String DEFAULT_FOLDER = "INBOX";

    public MailboxConfig {
        if (tls == null) {
            tls = TlsConfig.DEFAULT;
        }
        if (folder == null) {
            folder = DEFAULT_FOLDER;
        }
        if (port <= 0) {
            port = DEFAULT_PORT;
        }
    }
}
