package io.smtpprobe.probe;

/**
 * Caps what a server may make us read, so a hostile or broken peer costs bounded memory. RFC 5321
 * section 4.5.3.1.5 limits a reply line to 512 octets; we allow a margin for servers that stretch
 * it. The line cap applies while the connection is plain text; once TLS starts the bytes counted
 * here are ciphertext and only the conversation cap applies (it still bounds every buffer).
 */
final class ReplyLimits {
    static final int MAX_LINE_BYTES = 2048;
    static final int MAX_CONVERSATION_BYTES = 64 * 1024;

    private final int maxLine;
    private final int maxConversation;
    private long total;
    private int line;
    private boolean plaintext = true;

    ReplyLimits() {
        this(MAX_LINE_BYTES, MAX_CONVERSATION_BYTES);
    }

    ReplyLimits(int maxLine, int maxConversation) {
        this.maxLine = maxLine;
        this.maxConversation = maxConversation;
    }

    /** Whether the peer has sent anything at all. */
    synchronized boolean anyReceived() {
        return total > 0;
    }

    synchronized void tlsStarted() {
        plaintext = false;
    }

    synchronized void count(byte[] buffer, int offset, int length) throws ReplyLimitExceededException {
        total += length;
        if (total > maxConversation) {
            throw new ReplyLimitExceededException(
                    "the server sent more than " + maxConversation / 1024 + " KiB in one conversation");
        }
        if (!plaintext) {
            return;
        }
        for (int i = offset; i < offset + length; i++) {
            if (buffer[i] == '\n') {
                line = 0;
            } else if (++line > maxLine) {
                throw new ReplyLimitExceededException("a reply line is longer than " + maxLine
                        + " bytes (RFC 5321 section 4.5.3.1.5 allows 512)");
            }
        }
    }
}
