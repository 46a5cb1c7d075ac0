package io.smtpprobe.config;

/**
 * One configured target. Exactly one of {@code host} and {@code mx} is set.
 *
 * @param name unique name, the {@code target} label
 * @param host a host name or address to probe, or null for an {@code mx:} target
 * @param mx a mail domain whose MX hosts are probed, or null
 * @param mxHosts how many MX hosts to probe, lowest preference first
 * @param port the destination port (the mode's default when not configured)
 * @param auth credentials for submission and smtps, or null
 * @param mailFrom an optional envelope sender tried after AUTH (never followed by DATA), or null
 * @param rcptTo an optional recipient tried after MAIL FROM, or null
 * @param role the {@code role:} key; {@link RoleSetting#AUTO} guesses it from mode and destination
 */
public record TargetConfig(
        String name,
        String host,
        String mx,
        int mxHosts,
        int port,
        Mode mode,
        AuthConfig auth,
        ExpectSetting expect,
        Route route,
        StartTls starttls,
        TlsConfig tls,
        String mailFrom,
        String rcptTo,
        RoleSetting role) {

    /** A target whose role is guessed. */
    public TargetConfig(String name, String host, String mx, int mxHosts, int port, Mode mode, AuthConfig auth,
            ExpectSetting expect, Route route, StartTls starttls, TlsConfig tls, String mailFrom, String rcptTo) {
        this(name, host, mx, mxHosts, port, mode, auth, expect, route, starttls, tls, mailFrom, rcptTo,
                RoleSetting.AUTO);
    }

    /**
     * Normalised once, here, for the reader, {@code --target} and tests alike: nothing downstream supplies
     * a default. A port of 0 is the mode's port, no {@code starttls} the mode's (required for submission,
     * opportunistic for smtp, off otherwise), no {@code tls} the default trust.
     */
    public TargetConfig {
        if (mode != null && port <= 0) {
            port = mode.defaultPort();
        }
        if (mode != null && starttls == null) {
            starttls = defaultStartTls(mode);
        }
        if (tls == null) {
            tls = TlsConfig.DEFAULT;
        }
        if (expect == null) {
            expect = ExpectSetting.AUTO;
        }
        if (route == null) {
            route = Route.AUTO;
        }
    }

    /** The STARTTLS setting a mode has when none is configured. */
    public static StartTls defaultStartTls(Mode mode) {
        return switch (mode) {
            case SUBMISSION -> StartTls.REQUIRED;
            case SMTP -> StartTls.OPPORTUNISTIC;
            case TCP, SMTPS -> StartTls.OFF;
        };
    }

    /** What the target points at, for messages: the host, or {@code mx:domain}. */
    public String destination() {
        return host != null ? host : "mx:" + mx;
    }
}
