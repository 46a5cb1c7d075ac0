package io.smtpprobe.testing;

import io.smtpprobe.config.AuthConfig;
import io.smtpprobe.config.AuthMechanism;
import io.smtpprobe.config.ExpectSetting;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.Route;
import io.smtpprobe.config.Secret;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.config.TlsConfig;
import java.nio.file.Path;

/** Builds {@link TargetConfig}s for tests: {@code Targets.host("localhost", port, Mode.SMTP).build()}. */
public final class Targets {
    private String name = "test";
    private String host;
    private String mx;
    private int mxHosts = 1;
    private int port;
    private Mode mode;
    private AuthConfig auth;
    /** Null: the mode's default, as the reader gives it (TargetConfig's compact constructor applies it). */
    private StartTls starttls;
    private TlsConfig tls = TlsConfig.DEFAULT;
    private String mailFrom;
    private String rcptTo;

    private Targets() {}

    public static Targets host(String host, int port, Mode mode) {
        Targets targets = new Targets();
        targets.host = host;
        targets.port = port;
        targets.mode = mode;
        return targets;
    }

    public static Targets mx(String domain, int mxHosts, int port, Mode mode) {
        Targets targets = new Targets();
        targets.mx = domain;
        targets.mxHosts = mxHosts;
        targets.port = port;
        targets.mode = mode;
        return targets;
    }

    public Targets name(String value) {
        name = value;
        return this;
    }

    public Targets auth(String username, String password, AuthMechanism mechanism) {
        auth = new AuthConfig(username, new Secret(password), "test", mechanism);
        return this;
    }

    /** XOAUTH2 credentials: the user and where the bearer token comes from. */
    public Targets oauth(String username, io.smtpprobe.config.OAuthConfig oauth) {
        auth = new AuthConfig(username, null, null, AuthMechanism.XOAUTH2, oauth);
        return this;
    }

    public Targets starttls(StartTls value) {
        starttls = value;
        return this;
    }

    public Targets caFile(Path file) {
        tls = new TlsConfig(file, false);
        return this;
    }

    public Targets insecureSkipVerify() {
        tls = new TlsConfig(null, true);
        return this;
    }

    public Targets mailFrom(String value) {
        mailFrom = value;
        return this;
    }

    public Targets rcptTo(String value) {
        rcptTo = value;
        return this;
    }

    public TargetConfig build() {
        return new TargetConfig(name, host, mx, mxHosts, port, mode, auth, ExpectSetting.AUTO, Route.AUTO, starttls, tls,
                mailFrom, rcptTo);
    }
}
