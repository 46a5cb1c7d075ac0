package io.smtpprobe.config;

/**
 * A target's {@code role:} key (README.md "Reading the verdicts"): guess the role from mode and destination, or
 * the operator's own statement of what the target is.
 */
public enum RoleSetting {
    /** {@code mx:} targets and {@code smtp} to a public host are mx, submission, smtps and {@code smtp} to a
     *  private address are relay, {@code tcp} is control. */
    AUTO,
    /** A mail exchanger this VM delivers to directly on port 25. */
    MX,
    /** A relay (smarthost) this VM submits mail through. */
    RELAY,
    /** A plain connection that proves the path, not a mail service. */
    CONTROL
}
