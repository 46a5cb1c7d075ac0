package io.smtpprobe.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * How every file a config names, and the config itself, is read: looked at before it is opened, so a
 * FIFO, a device or a directory is refused without a read that could block (a FIFO's open waits for a
 * writer, and a reload holding its lock while it waits would hold up shutdown), and a file over its
 * kind's cap is refused by its size, so a 3 GB sparse file costs nothing. Then at most cap + 1 bytes are
 * read, in case the file grew. Reasons name no content and leave the path to the caller.
 */
final class BoundedFile {
    private BoundedFile() {}

    /** What a file is for, and the most it may hold: anything bigger is the wrong file. */
    enum Limit {
        /** A config is a page of YAML. */
        CONFIG(1 << 20, "is it the config?"),
        /** A password or client secret file holds one line. */
        SECRET(4096, "it should hold only the password"),
        /** A CA bundle is a few certificates; the whole Mozilla set is about 220 KB. */
        CA_BUNDLE(4 << 20, "it should hold the CA certificates to trust, in PEM");

        final int maxBytes;
        private final String hint;

        Limit(int maxBytes, String hint) {
            this.maxBytes = maxBytes;
            this.hint = hint;
        }

        String tooLarge() {
            return "is larger than " + maxBytes + " bytes; " + hint;
        }
    }

    /** A file that was not read, and why; the reason names no content and leaves the path to the caller. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * The bytes of a regular file of at most {@code limit} bytes. Checks the file's type and size before
     * opening it, so a FIFO or a device is never opened and an oversized file never read.
     */
    static byte[] read(Path file, Limit limit) throws Refused {
        regularFile(file);
        try {
            if (Files.size(file) > limit.maxBytes) {
                throw new Refused(limit.tooLarge());
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(limit.maxBytes + 1);
            }
            if (bytes.length > limit.maxBytes) {
                throw new Refused(limit.tooLarge());
            }
            return bytes;
        } catch (IOException e) {
            throw new Refused(cannotRead(e));
        }
    }

    /** Refuses anything but an existing, readable regular file (symbolic links are followed). */
    static void regularFile(Path file) throws Refused {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new Refused("does not exist");
        } catch (IOException e) {
            throw new Refused(cannotRead(e));
        }
        if (attributes.isDirectory()) {
            throw new Refused("is a directory, not a file");
        }
        if (!attributes.isRegularFile()) {
            throw new Refused("is " + specialKind(file) + ", not a regular file; it is not read (a read could"
                    + " wait forever)");
        }
        if (!Files.isReadable(file)) {
            throw new Refused("cannot be read (permission denied for this user)");
        }
    }

    /** What a path that is not a regular file or a directory is, from its mode bits where the JDK shows them. */
    private static String specialKind(Path file) {
        try {
            int type = ((Integer) Files.getAttribute(file, "unix:mode")) & 0170000;
            switch (type) {
                case 0010000:
                    return "a FIFO (named pipe)";
                case 0020000:
                    return "a character device";
                case 0060000:
                    return "a block device";
                case 0140000:
                    return "a socket";
                default:
                    break;
            }
        } catch (IOException | RuntimeException e) {
            // No unix view (not Linux or macOS): the general word below says enough.
        }
        return "a special file";
    }

    static String cannotRead(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "cannot be read (permission denied)";
        }
        if (e instanceof NoSuchFileException) {
            return "does not exist";
        }
        return "cannot be read (" + e.getClass().getSimpleName() + ")";
    }
}
