package io.smtpprobe.probe.net;

/**
 * Caps what a server may make us read, so a hostile or broken peer costs bounded memory. RFC 5321
 * section 4.5.3.1.5 limits a reply line to 512 octets; we allow a margin for servers that stretch
 * it. The line cap applies while the connection is plain text; once TLS starts the bytes counted
 * here are ciphertext and only the conversation cap applies (it still bounds every buffer).
 */
public final class ReplyLimits {
    static final int MAX_LINE_BYTES = 2048;
    static final int MAX_CONVERSATION_BYTES = 64 * 1024;

    private final int maxLine;
    private final int maxConversation;
    private long total;
    private int line;
    private boolean plaintext = true;
    private final byte[] head = new byte[3];
    private int headLength;

    public ReplyLimits() {
        this(MAX_LINE_BYTES, MAX_CONVERSATION_BYTES);
    }

    public ReplyLimits(int maxLine, int maxConversation) {
        this.maxLine = maxLine;
        this.maxConversation = maxConversation;
    }

    /** Whether the peer has sent anything at all. */
    public synchronized boolean anyReceived() {
        return total > 0;
    }

    /**
     * Why the first bytes the peer sent cannot begin an SMTP reply (three digits, RFC 5321 section
     * 4.2), or null when they can or nothing came yet. A TLS record starts 0x15/0x16 then 0x03; an
     * HTTP response starts "HTTP/".
     */
    public synchronized String notSmtp() {
        if (headLength == 0) {
            return null;
        }
        if (headLength >= 2 && (head[0] == 0x15 || head[0] == 0x16) && head[1] == 0x03) {
            return "the peer speaks TLS here: is this an implicit-TLS (smtps) port?";
        }
        if (headLength == 3 && head[0] == 'H' && head[1] == 'T' && head[2] == 'T') {
            return "the peer answers like an HTTP server, not SMTP";
        }
        for (int i = 0; i < headLength; i++) {
            if (head[i] < '0' || head[i] > '9') {
                return "the peer sent bytes that cannot begin an SMTP reply";
            }
        }
        return null;
    }

    public synchronized void tlsStarted() {
        plaintext = false;
    }

    synchronized void count(byte[] buffer, int offset, int length) throws ReplyLimitExceededException {
        // Only plain text can say "not SMTP": once TLS is up (smtps from the first byte) the bytes are records.
        for (int i = offset; plaintext && i < offset + length && headLength < head.length; i++) {
            head[headLength++] = buffer[i];
        }
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
