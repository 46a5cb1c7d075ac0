package io.smtpprobe.probe.step;

import jakarta.mail.MessagingException;

/**
 * How a failure is read: by the first exception of a type in its cause chain, and by the message of its
 * deepest cause. Angus Mail chains its causes as a {@link MessagingException}'s next exception.
 */
public final class CauseChain {
    private CauseChain() {}

    /** The message of the deepest cause: what actually went wrong. */
    public static String message(Throwable failure) {
        Throwable deepest = failure;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        return deepest.getMessage() == null ? "no further detail" : deepest.getMessage();
    }

    /** The first throwable of {@code type} in the cause chain (MessagingException keeps its own). */
    public static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < 20; depth++) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
            Throwable next = current instanceof MessagingException m && m.getNextException() != null
                    ? m.getNextException()
                    : current.getCause();
            current = next == current ? null : next;
        }
        return null;
    }
}
