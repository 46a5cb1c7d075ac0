package io.smtpprobe.cli;

import io.smtpprobe.policy.Offer;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code smtp-probe policy}: Azure's port-25 table, or one case explained. */
@Command(name = "policy", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Print Azure's outbound port-25 policy per offer type, or explain one case.",
            "Sources: Microsoft Learn \"Troubleshoot outbound SMTP connectivity issues in Azure\" (2025-07-28) and"
                    + " \"Network security groups overview\" (2025-07-15)."})
final class PolicyCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--offer", paramLabel = "OFFER", description = "An offer key, alias or quotaId to explain.")
    private String offer;

    @Option(names = "--created", paramLabel = "DATE", description = "The subscription's creation date (YYYY-MM-DD).")
    private LocalDate created;

    @Option(names = "--port25-exemption", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
            description = "Whether a port-25 exemption is recorded for the subscription (as in `check`).")
    private Boolean exemption;

    /** The spelling of earlier versions, kept so that scripts using it still work. */
    @Option(names = "--exemption", hidden = true)
    private boolean legacyExemption;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (offer == null) {
            out.print(table());
            out.println();
            out.println("TCP/587 and TCP/465 are never blocked. Private destinations (RFC 1918, RFC 6598, ULA,"
                    + " link-local) are not subject to the block.");
            out.println("Explain one case: smtp-probe policy --offer KEY [--created YYYY-MM-DD] [--port25-exemption]");
            out.flush();
            return 0;
        }
        if (!PolicyTable.isKnown(offer)) {
            // A typo must not pass for an explanation: the case explained would be "unknown", not the one meant.
            throw new ParameterException(spec.commandLine(), "--offer: \"" + offer + "\" is not an offer key, alias"
                    + " or quotaId; did you mean " + PolicyTable.nearestKey(offer) + "? (smtp-probe policy lists them)");
        }
        boolean exempt = exemption != null ? exemption : legacyExemption;
        Port25Policy policy = PolicyTable.evaluate(offer, created, exempt, "flag");
        out.println(ReportText.policyLine(policy));
        out.println(ReportText.wrap(policy.reason(), "  "));
        for (String warning : policy.warnings()) {
            out.println("warning: " + warning);
        }
        out.println("Exemption possible today: " + policy.offer().exemption().text());
        if (!policy.offer().quotaIds().isEmpty()) {
            out.println("quotaId: " + String.join(", ", policy.offer().quotaIds()));
        }
        out.flush();
        return 0;
    }

    static String table() {
        TextTable table = new TextTable(0, "OFFER", "BEFORE 2017-11-15", "SINCE", "EXEMPTION TODAY", "QUOTA IDS");
        for (Offer o : PolicyTable.offers()) {
            String key = o.aliases().isEmpty() ? o.key() : o.key() + " (" + String.join(", ", o.aliases()) + ")";
            table.add(key, o.existedBeforeCutoff() ? o.beforeCutoff().label() : "n/a", o.sinceCutoff().label(),
                    o.exemption().text(), String.join(" ", o.quotaIds()));
        }
        return table.render();
    }
}
