package io.smtpprobe.config;

import java.util.Collection;
import java.util.Comparator;

/** "Did you mean": the candidate closest to what was typed, by edit distance. */
public final class Nearest {
    private Nearest() {}

    /** The candidate with the fewest single-character edits from {@code typed}; the first of equals wins. */
    public static String of(String typed, Collection<String> candidates) {
        return candidates.stream().min(Comparator.comparingInt(c -> distance(typed, c))).orElseThrow();
    }

    /** Levenshtein distance: insertions, deletions and substitutions to turn {@code a} into {@code b}. */
    public static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
