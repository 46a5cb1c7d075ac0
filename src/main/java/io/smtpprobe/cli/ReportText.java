package io.smtpprobe.cli;

import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.ProbeResult;
import java.util.ArrayList;
import java.util.List;
import io.smtpprobe.report.RoundReport;
import java.util.Locale;

/** The human form of a round: the policy in one line, a table of results, the diagnosis under it. */
final class ReportText {
    private static final int WIDTH = 100;
    /** The narrowest REASON column worth having; narrower, the reasons are listed under the table. */
    private static final int MIN_REASON_WIDTH = 40;

    private ReportText() {}

    /**
     * @param lineWidth the terminal's width (0 when unknown: no wrapping): the REASON column wraps to fit it,
     *     or when too narrow the reasons are listed under the table; a reason is never cut
     */
    static String render(RoundReport report, boolean transcripts, int lineWidth) {
        StringBuilder out = new StringBuilder();
        out.append(policyLine(report.policy())).append('\n');
        for (String warning : report.policy().warnings()) {
            out.append("warning: ").append(warning).append('\n');
        }
        out.append('\n');
        TextTable table = table(report, true, lineWidth);
        if (lineWidth <= 0 || lineWidth - table.leadWidth() >= MIN_REASON_WIDTH) {
            out.append(table.render()).append('\n');
        } else {
            // Too narrow for a readable REASON column: the reasons go under the table, whole.
            out.append(table(report, false, lineWidth).render()).append('\n');
            out.append(reasonsBelow(report, lineWidth));
        }
        out.append("Diagnosis: ").append(report.finding().diagnosis().label()).append('\n');
        out.append(wrap(report.finding().explanation(), "  ")).append('\n');
        out.append("What to do:\n").append(wrap(report.finding().action(), "  ")).append('\n');
        if (transcripts) {
            for (ClassifiedResult r : report.results()) {
                if (r.result().transcript() != null) {
                    out.append("\n--- transcript: ").append(r.result().target()).append(' ')
                            .append(r.result().host()).append(':').append(r.result().port()).append(" ---\n")
                            .append(r.result().transcript().stripTrailing()).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static TextTable table(RoundReport report, boolean withReason, int lineWidth) {
        List<String> header = new ArrayList<>(List.of("TARGET", "ROLE", "HOST", "PORT", "EXPECTED", "OUTCOME",
                "VERDICT", "TIME"));
        if (withReason) {
            header.add("REASON");
        }
        TextTable table = new TextTable(lineWidth, header.toArray(String[]::new));
        for (ClassifiedResult r : report.results()) {
            ProbeResult p = r.result();
            List<String> row = new ArrayList<>(List.of(p.target(), r.role().label(), p.host(),
                    Integer.toString(p.port()), r.expected().label(), p.outcome().label(), r.verdict().label(),
                    seconds(p)));
            if (withReason) {
                row.add(reason(r));
            }
            table.add(row.toArray(String[]::new));
        }
        return table;
    }

    /** The full reason of every result that is not ok, wrapped to the line width. */
    private static String reasonsBelow(RoundReport report, int lineWidth) {
        StringBuilder out = new StringBuilder("Reasons:\n");
        for (ClassifiedResult r : report.results()) {
            ProbeResult p = r.result();
            if (p.outcome() != Outcome.OK) {
                String text = p.target() + " " + p.host() + ":" + p.port() + ": " + reason(r);
                List<String> lines = TextTable.wrap(text, Math.max(20, lineWidth - 4));
                out.append("  ").append(lines.get(0)).append('\n');
                lines.subList(1, lines.size()).forEach(line -> out.append("    ").append(line).append('\n'));
            }
        }
        return out.append('\n').toString();
    }

    /**
     * The detail, and for a result that is not ok the server's last reply too: a person needs both; a refusal
     * leads with its cause ({@code [cause: ip_blocklisted]}).
     */
    static String reason(ClassifiedResult r) {
        ProbeResult p = r.result();
        boolean quoteReply = p.outcome() != Outcome.OK && p.reply() != null && !p.detail().contains(p.reply());
        String reason = quoteReply ? p.detail() + "; the server said: " + p.reply() : p.detail();
        if (!p.attempts().isEmpty()) {
            reason += (reason.isEmpty() ? "" : "; ") + "tried before: " + p.attempts().stream()
                    .map(a -> a.address() + " " + a.outcome().label()).collect(java.util.stream.Collectors.joining(", "));
        }
        return r.cause() == null ? reason : "[cause: " + r.cause().label() + "] " + reason;
    }

    static String policyLine(Port25Policy policy) {
        return "Subscription: " + policy.offer().key()
                + (policy.created() == null ? ", creation date not set" : ", created " + policy.created())
                + (policy.exemption() ? ", port-25 exemption recorded" : "")
                + " (from " + policy.source() + "): outbound port 25 expected " + policy.port25().label();
    }

    /** One line of progress as a result arrives, for people watching a check that takes seconds. */
    static String progressLine(ProbeResult p) {
        return String.format(Locale.ROOT, "  %-14s %s:%d  %s  %s", p.target(), p.host(), p.port(),
                p.outcome().label(), seconds(p));
    }

    static String seconds(ProbeResult p) {
        return String.format(Locale.ROOT, "%.2fs", p.total().toNanos() / 1e9);
    }

    /** Wraps prose at about {@value #WIDTH} columns with an indent. */
    static String wrap(String text, String indent) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split("\\s+")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > WIDTH) {
                out.append(line).append('\n');
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        return out.append(line).toString();
    }
}
