package io.smtpprobe.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with left-aligned columns sized to their content; the last column may be cut. */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final int lastColumnWidth;

    /** @param lastColumnWidth the most characters shown of the last column (0 for no limit) */
    TextTable(int lastColumnWidth, String... header) {
        this.lastColumnWidth = lastColumnWidth;
        rows.add(header);
    }

    void add(String... cells) {
        rows.add(cells);
    }

    String render() {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns - 1; c++) {
                widths[c] = Math.max(widths[c], cell(row, c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String cell = cell(row, c);
                if (c == columns - 1) {
                    line.append(cut(cell));
                } else {
                    line.append(cell).append(" ".repeat(widths[c] - cell.length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private static String cell(String[] row, int column) {
        return row[column] == null ? "" : row[column];
    }

    private String cut(String cell) {
        String flat = cell.replaceAll("\\s+", " ").trim();
        if (lastColumnWidth <= 0 || flat.length() <= lastColumnWidth) {
            return flat;
        }
        return flat.substring(0, lastColumnWidth - 3) + "...";
    }
}
