package io.smtpprobe.policy;

/** Whether a port-25 exemption can be had for an offer today, and whether one ever could. */
public enum ExemptionStatus {
    /** Port 25 is allowed anyway. */
    NOT_NEEDED("n/a"),
    /** Self-service in the portal ("Diagnose and solve" > "Cannot send email (SMTP-Port 25)"). */
    SELF_SERVICE("yes, self-service"),
    /** Not any more, but exemptions were granted in the past and those still hold. */
    NO_LONGER("no (old exemptions persist)"),
    /** Not possible today. */
    NO("no"),
    /** Microsoft has never granted one for this offer. */
    NEVER("never");

    private final String text;

    ExemptionStatus(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
