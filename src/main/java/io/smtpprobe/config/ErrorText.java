package io.smtpprobe.config;

/**
 * How text from outside (a config value, a key, a file name, a command-line argument) is shown in an
 * error: control characters escaped, so that a value cannot end a line, rewrite the terminal or fake
 * a second message. Printable text, backslashes included, is shown as it is.
 */
public final class ErrorText {
    private ErrorText() {}

    /**
     * {@code text} with CR, LF, TAB and NUL as {@code \r \n \t \0}, other C0 controls as {@code \xNN}, and C1
     * controls, line separators and bidirectional overrides as Unicode escapes.
     */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder shown = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String escaped = escaped(c);
            if (escaped != null && shown == null) {
                shown = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (shown != null) {
                shown.append(escaped != null ? escaped : String.valueOf(c));
            }
        }
        return shown == null ? text : shown.toString();
    }

    /**
     * A value quoted for a message: escaped, then cut to {@code max} characters so that a wrong file read
     * as a value shows its first few characters only.
     */
    public static String quote(String text, int max) {
        String escaped = escape(text);
        String shown = escaped.length() > max ? escaped.substring(0, max - 3) + "..." : escaped;
        return "\"" + shown + "\"";
    }

    private static String escaped(char c) {
        switch (c) {
            case '\r':
                return "\\r";
            case '\n':
                return "\\n";
            case '\t':
                return "\\t";
            case '\0':
                return "\\0";
            default:
                break;
        }
        if (c < 0x20 || c == 0x7f) {
            return String.format("\\x%02x", (int) c);
        }
        // C1 controls, line and paragraph separators, and the bidirectional overrides that reorder a line.
        if ((c >= 0x80 && c <= 0x9f) || c == '\u2028' || c == '\u2029' || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069') || c == '\u200e' || c == '\u200f' || c == '\ufeff') {
            return String.format("\\u%04x", (int) c);
        }
        return null;
    }
}
