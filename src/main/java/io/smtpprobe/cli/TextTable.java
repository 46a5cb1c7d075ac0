package io.smtpprobe.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with left-aligned columns sized to their content. The last column is wrapped
 * to fit a line width, continuing under itself, so nothing in it is ever cut off.
 */
final class TextTable {
    /** The narrowest the last column gets, however wide the others are: a terminal scrolls, a cut hides. */
    static final int MIN_LAST_COLUMN = 30;

    private final List<String[]> rows = new ArrayList<>();
    private final int lineWidth;

    /** @param lineWidth the width to wrap the last column at (0 for no wrapping) */
    TextTable(int lineWidth, String... header) {
        this.lineWidth = lineWidth;
        rows.add(header);
    }

    void add(String... cells) {
        rows.add(cells);
    }

    /** How far in the last column starts: the room the other columns take. */
    int leadWidth() {
        int indent = 0;
        for (int width : leadingWidths()) {
            indent += width + 2;
        }
        return indent;
    }

    private int[] leadingWidths() {
        int columns = rows.get(0).length;
        int[] widths = new int[columns - 1];
        for (String[] row : rows) {
            for (int c = 0; c < columns - 1; c++) {
                widths[c] = Math.max(widths[c], cell(row, c).length());
            }
        }
        return widths;
    }

    String render() {
        int columns = rows.get(0).length;
        int[] widths = leadingWidths();
        int indent = leadWidth();
        int lastWidth = lineWidth <= 0 ? Integer.MAX_VALUE : Math.max(MIN_LAST_COLUMN, lineWidth - indent);
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns - 1; c++) {
                String cell = cell(row, c);
                line.append(cell).append(" ".repeat(widths[c] - cell.length() + 2));
            }
            List<String> last = wrap(cell(row, columns - 1).replaceAll("\\s+", " ").trim(), lastWidth);
            out.append((line + last.get(0)).stripTrailing()).append('\n');
            for (String more : last.subList(1, last.size())) {
                out.append(" ".repeat(indent)).append(more).append('\n');
            }
        }
        return out.toString();
    }

    private static String cell(String[] row, int column) {
        return row[column] == null ? "" : row[column];
    }

    /**
     * Lines of at most {@code width} characters, broken at spaces. A longer word (a URL in a server's
     * reply) gets a line of its own and stays whole, so that it can still be copied.
     */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
