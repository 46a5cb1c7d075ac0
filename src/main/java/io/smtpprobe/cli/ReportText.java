package io.smtpprobe.cli;

import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.report.RoundReport;
import java.util.Locale;

/** The human form of a round: the policy in one line, a table of results, the diagnosis under it. */
final class ReportText {
    private static final int WIDTH = 100;

    private ReportText() {}

    static String render(RoundReport report, boolean transcripts) {
        StringBuilder out = new StringBuilder();
        out.append(policyLine(report.policy())).append('\n');
        for (String warning : report.policy().warnings()) {
            out.append("warning: ").append(warning).append('\n');
        }
        out.append('\n');
        TextTable table = new TextTable(60, "TARGET", "HOST", "PORT", "EXPECTED", "OUTCOME", "VERDICT", "TIME",
                "REASON");
        for (ClassifiedResult r : report.results()) {
            ProbeResult p = r.result();
            table.add(p.target(), p.host(), Integer.toString(p.port()), r.expected().label(), p.outcome().label(),
                    r.verdict().label(), seconds(p), p.detail());
        }
        out.append(table.render()).append('\n');
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
