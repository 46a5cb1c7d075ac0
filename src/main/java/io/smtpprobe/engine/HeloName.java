package io.smtpprobe.engine;

import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.config.ErrorText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The name a probe announces in EHLO (RFC 5321 section 4.1.1.1). */
public final class HeloName {
    /** Announced when the host name cannot be: a domain every server takes as syntactically valid. */
    public static final String FALLBACK = "localhost.localdomain";

    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");
    /** The kernel's limit is 64 bytes; more is not a host name. */
    private static final int MAX_HOSTNAME_BYTES = 255;

    /**
     * The name to announce, and a warning when {@code auto} could not use the host name.
     *
     * @param warning null when there is nothing to say
     */
    public record Choice(String name, String warning) {}

    private HeloName() {}

    /**
     * The configured name (checked at load), or for {@code auto} the machine's host name as the kernel
     * knows it; a warning for a host name that is not a valid EHLO domain goes to standard error (the
     * terminal for {@code check}, the journal for the daemon).
     */
    public static String resolve(String configured) {
        Choice choice = choose(configured, KERNEL_HOSTNAME);
        if (choice.warning() != null) {
            System.err.println("smtp-probe: warning: " + choice.warning());
        }
        return choice.name();
    }

    /**
     * Reads the host name from the kernel rather than through {@code InetAddress.getLocalHost()}, which
     * may query DNS. A host name is only announced when it is a domain name or an address literal: the
     * kernel takes any bytes ({@code hostname 'vm evil'}), and a space or a CRLF after EHLO would change
     * the command or add one. Otherwise {@link #FALLBACK} is announced, with a warning that says why.
     */
    static Choice choose(String configured, Path kernelHostname) {
        if (configured != null && !configured.isBlank() && !configured.equals(ConfigLoader.AUTO)) {
            return new Choice(configured, null);
        }
        String name;
        try {
            if (Files.size(kernelHostname) > MAX_HOSTNAME_BYTES) {
                return new Choice(FALLBACK, "the host name is longer than " + MAX_HOSTNAME_BYTES
                        + " bytes; EHLO announces " + FALLBACK + " instead (set probe.helo_name)");
            }
            name = new String(Files.readAllBytes(kernelHostname), StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            // Not Linux, or no /proc: the name every server accepts.
            return new Choice(FALLBACK, null);
        }
        // The kernel file ends with one newline; anything else around the name belongs to it.
        name = name.endsWith("\n") ? name.substring(0, name.length() - 1) : name;
        if (name.isEmpty()) {
            return new Choice(FALLBACK, null);
        }
        if (!ConfigLoader.isEhloName(name)) {
            return new Choice(FALLBACK, "the host name " + ErrorText.quote(name, 80) + " is not a domain name"
                    + " (RFC 5321 section 4.1.1.1), so EHLO announces " + FALLBACK + " instead; set probe.helo_name"
                    + " to this machine's name");
        }
        return new Choice(name, null);
    }
}
