package io.smtpprobe.probe.net;

import io.smtpprobe.probe.step.DeadlineExceededException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The conversation as a person reads it: {@code C:} for what the probe sent, {@code S:} for each line
 * the server sent, and {@code --} for what happened on the connection (TLS, the server closing it, a
 * reset). Recorded from the bytes on the socket ({@link ConversationSocket}), above TLS, so nothing a
 * library logs reaches it. The AUTH exchange shows its command and mechanism, never its payload: every
 * client line from {@code AUTH} until the server's final reply to it is {@code <redacted>} (RFC 4954
 * section 4). Control characters the server sends (an ANSI escape, a bare CR) are written as
 * {@code \x1b}, so a transcript printed to a terminal cannot drive it. Thread-safe, bounded.
 */
public final class Transcript {
    static final String REDACTED = "<redacted>";
    private static final int CAP_CHARS = 128 * 1024;

    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream clientLine = new ByteArrayOutputStream();
    private final ByteArrayOutputStream serverLine = new ByteArrayOutputStream();
    private boolean inAuth;
    private boolean ended;
    private boolean truncated;

    synchronized void sent(byte[] bytes, int offset, int length) {
        collect(bytes, offset, length, clientLine, true);
    }

    synchronized void received(byte[] bytes, int offset, int length) {
        collect(bytes, offset, length, serverLine, false);
    }

    /** The server closed its side: what it sent without a final newline is still shown. */
    synchronized void endOfStream() {
        flushPartial();
        end("the server closed the connection");
    }

    /** A read or write failed; says how in one line, never with a stack trace. */
    synchronized void failed(IOException failure) {
        flushPartial();
        end(describe(failure));
    }

    /** A line of our own about the connection, such as the TLS session. */
    public synchronized void note(String what) {
        append("-- " + printable(what));
    }

    public synchronized String text() {
        flushPartial();
        return truncated ? text + "[transcript truncated at " + CAP_CHARS / 1024 + " KiB]\n" : text.toString();
    }

    private void collect(byte[] bytes, int offset, int length, ByteArrayOutputStream line, boolean client) {
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                emit(line, client);
            } else if (line.size() < CAP_CHARS) {
                line.write(b);
            }
        }
    }

    private void emit(ByteArrayOutputStream buffer, boolean client) {
        String line = buffer.toString(StandardCharsets.UTF_8);
        buffer.reset();
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (client) {
            append("C: " + clientLine(line));
        } else {
            append("S: " + printable(line));
            // A final reply line (code and space) other than a 334 challenge ends the AUTH exchange.
            if (inAuth && line.length() >= 4 && line.charAt(3) == ' ' && !line.startsWith("334")) {
                inAuth = false;
            }
        }
    }

    private String clientLine(String line) {
        if (line.regionMatches(true, 0, "AUTH ", 0, 5)) {
            inAuth = true;
            String[] words = line.strip().split(" +");
            String mechanism = words.length > 1 ? printable(words[1]) : "";
            return "AUTH " + mechanism + (words.length > 2 ? " " + REDACTED : "");
        }
        return inAuth ? REDACTED : printable(line);
    }

    private void flushPartial() {
        if (clientLine.size() > 0) {
            emit(clientLine, true);
        }
        if (serverLine.size() > 0) {
            emit(serverLine, false);
        }
    }

    private void end(String why) {
        if (!ended) {
            ended = true;
            note(why);
        }
    }

    private void append(String line) {
        if (text.length() + line.length() + 1 > CAP_CHARS) {
            truncated = true;
            return;
        }
        text.append(line).append('\n');
    }

    private static String describe(IOException failure) {
        if (failure instanceof DeadlineExceededException || failure instanceof SocketTimeoutException) {
            return "the probe deadline passed";
        }
        if (failure instanceof ReplyLimitExceededException) {
            return failure.getMessage();
        }
        if (failure instanceof EOFException) {
            return "the server closed the connection";
        }
        String message = failure.getMessage() == null ? "" : failure.getMessage().toLowerCase(Locale.ROOT);
        if (failure instanceof SocketException && message.contains("reset")) {
            return "connection reset by peer";
        }
        if (message.contains("broken pipe")) {
            return "the server had closed the connection (broken pipe)";
        }
        if (failure instanceof SocketException && message.contains("closed")) {
            return "the connection was closed";
        }
        return "the connection broke" + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    }

    /**
     * Server text made safe to print: control characters (C0, DEL, C1) as {@code \xNN} and invisible
     * format characters (bidirectional overrides) as {@code \u202e}; a backslash is doubled so that an
     * escape cannot be forged.
     */
    public static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == '\\') {
                out.append("\\\\");
            } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                out.append(String.format(Locale.ROOT, "\\x%02x", c));
            } else if (Character.getType(c) == Character.FORMAT || c == 0x2028 || c == 0x2029) {
                out.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
