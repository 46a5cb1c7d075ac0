package io.smtpprobe.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a {@code mode: delivery} entry of {@code targets}. Whether its {@code relay} names a submission or smtps
 * target of the same file is checked once every target is read ({@link TargetList}).
 */
final class DeliveryReader {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,62}");
    /** IMAP folder names may hold more, but a probe's folder needs no quoting in any server's syntax. */
    private static final Pattern FOLDER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/ -]{0,99}");

    private final Map<String, String> environment;
    private final LocalFiles files;
    private final TargetReader targets;

    DeliveryReader(Map<String, String> environment, LocalFiles files, TargetReader targets) {
        this.environment = environment;
        this.files = files;
        this.targets = targets;
    }

    /** Whether a target mapping asks for a delivery probe. */
    static boolean isDelivery(YamlMapping target) {
        return target.raw("mode") != null && target.raw("mode").isTextual()
                && target.raw("mode").asText().trim().equalsIgnoreCase("delivery");
    }

    /** The delivery target, or null when it has errors (they are in the mapping's error list). */
    DeliveryConfig read(YamlMapping target) {
        int errorsBefore = target.errors().size();
        target.allowOnly("name", "mode", "relay", "mail_from", "rcpt_to", "mailbox", "interval", "delivery_timeout",
                "state_file");
        String name = target.string("name", null);
        if (name == null && !target.has("name")) {
            target.error("name", "missing; a delivery target needs a name (it has no host to be named after)");
        } else if (name != null && !NAME.matcher(name).matches()) {
            target.error("name", "must be 1 to 63 letters, digits, '.', '-', '_' or ':' starting with a letter or"
                    + " digit, found " + YamlMapping.quote(name));
        }
        String relay = target.string("relay", null);
        if (relay == null && !target.has("relay")) {
            target.error("relay", "missing; name the submission or smtps target to send the probe message through");
        }
        String mailFrom = address(target, "mail_from", "the sender of the probe message");
        String rcptTo = address(target, "rcpt_to", "the recipient whose mailbox is read");
        Duration interval = target.duration("interval", DeliveryConfig.DEFAULT_INTERVAL);
        if (interval != null && interval.compareTo(DeliveryConfig.MIN_INTERVAL) < 0) {
            target.error("interval", "must be at least 1m (each interval sends a real message), found "
                    + Syntax.formatDuration(interval));
        }
        Duration timeout = target.duration("delivery_timeout", DeliveryConfig.DEFAULT_DELIVERY_TIMEOUT);
        if (timeout != null && timeout.isZero()) {
            target.error("delivery_timeout", "must be greater than 0, found " + Syntax.formatDuration(timeout));
        } else if (timeout != null && interval != null && timeout.compareTo(interval) >= 0) {
            target.error("delivery_timeout", "must be less than interval (" + Syntax.formatDuration(interval)
                    + "), found " + Syntax.formatDuration(timeout));
        }
        MailboxConfig mailbox = null;
        if (!target.has("mailbox")) {
            target.error("mailbox", "missing; the IMAPS mailbox of rcpt_to (host, username, password_file)");
        } else {
            mailbox = mailbox(target.mapping("mailbox"));
        }
        Path stateFile = stateFile(target, name);
        if (target.errors().size() > errorsBefore) {
            return null;
        }
        return new DeliveryConfig(name, relay, mailFrom, rcptTo, mailbox, interval, timeout, stateFile);
    }

    private MailboxConfig mailbox(YamlMapping mailbox) {
        int errorsBefore = mailbox.errors().size();
        mailbox.allowOnly("host", "port", "username", "password_file", "password_env", "tls", "folder");
        String host = mailbox.string("host", null);
        if (host == null && !mailbox.has("host")) {
            mailbox.error("host", "missing; the IMAP server that holds the mailbox");
        } else if (host != null && !Syntax.isHost(host)) {
            mailbox.error("host", "not a host name or IP address, found " + YamlMapping.quote(host));
        }
        Integer port = mailbox.integer("port", MailboxConfig.DEFAULT_PORT, 1, 65535);
        String folder = mailbox.string("folder", MailboxConfig.DEFAULT_FOLDER);
        if (folder != null && !FOLDER.matcher(folder).matches()) {
            mailbox.error("folder", "must be a folder name like INBOX or Probes/Delivery, found "
                    + YamlMapping.quote(folder));
        }
        TlsConfig tls = targets.readTls(mailbox.mapping("tls"));
        AuthConfig login = new AuthReader(environment, files).passwordCredentials(mailbox, "the IMAP login");
        if (mailbox.errors().size() > errorsBefore || login == null) {
            return null;
        }
        return new MailboxConfig(host, port, login.username(), login.password(), login.passwordSource(), tls, folder);
    }

    /** {@code state_file}, or {@code delivery-NAME.last-sent} in systemd's {@code $STATE_DIRECTORY} or the default. */
    private Path stateFile(YamlMapping target, String name) {
        String text = target.string("state_file", null);
        if (text != null) {
            return files.path(target, "state_file", text);
        }
        String directory = environment.get("STATE_DIRECTORY");
        // systemd lists one directory per StateDirectory= entry, separated by colons: ours is the first.
        directory = directory == null || directory.isBlank() ? DeliveryConfig.DEFAULT_STATE_DIRECTORY
                : directory.split(":", -1)[0];
        return name == null ? null : Path.of(directory, "delivery-" + name + ".last-sent");
    }

    private static String address(YamlMapping target, String key, String what) {
        String value = target.string(key, null);
        if (value == null && !target.has(key)) {
            target.error(key, "missing; " + what);
        } else if (value != null && !Syntax.isMailAddress(value)) {
            target.error(key, "not a mail address like someone@example.com, found " + YamlMapping.quote(value));
            return null;
        }
        return value;
    }
}
