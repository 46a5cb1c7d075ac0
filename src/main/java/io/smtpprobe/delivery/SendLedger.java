package io.smtpprobe.delivery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * When a delivery target last sent its message, kept in a small file (by default in the unit's StateDirectory=) so
 * that a reload or a restart never sends a second message within one interval. Written before the message goes
 * out: a send the file cannot record is not made.
 */
final class SendLedger {
    /** A state file is one line; anything much longer is not ours. */
    private static final long MAX_BYTES = 256;

    private final Path file;

    SendLedger(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** The last send, or null when none is recorded (no file, or one that does not hold a time). */
    Instant lastSent() {
        try {
            if (Files.size(file) > MAX_BYTES) {
                return null;
            }
            return Instant.parse(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | DateTimeParseException e) {
            // Unreadable or not a time: sending once more is the lesser harm than never probing again.
            return null;
        }
    }

    /** Records a send, replacing the file in one step so that a crash leaves the old time or the new one. */
    void record(Instant sent) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temporary, sent.toString() + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
