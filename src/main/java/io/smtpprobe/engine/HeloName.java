package io.smtpprobe.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The name a probe announces in EHLO (RFC 5321 section 4.1.1.1). */
public final class HeloName {
    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private HeloName() {}

    /**
     * The configured name, or for {@code auto} the machine's host name as the kernel knows it. Read
     * from the kernel rather than through {@code InetAddress.getLocalHost()}, which may query DNS.
     */
    public static String resolve(String configured) {
        if (configured != null && !configured.isBlank() && !configured.equals("auto")) {
            return configured;
        }
        try {
            String name = Files.readString(KERNEL_HOSTNAME).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | SecurityException e) {
            // Not Linux, or no /proc: fall through to the name every server accepts.
        }
        return "localhost";
    }
}
