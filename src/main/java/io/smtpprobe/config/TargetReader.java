package io.smtpprobe.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads one target mapping ({@code targets[i]}, or a {@code --target} spec turned into one). */
final class TargetReader {
    static final int DEFAULT_MX_HOSTS = 2;
    static final int MAX_MX_HOSTS = 10;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,62}");

    private final Map<String, String> environment;
    private final LocalFiles files;

    TargetReader(Map<String, String> environment, LocalFiles files) {
        this.environment = environment;
        this.files = files;
    }

    /** The target, or null when it has errors (they are in the mapping's error list). */
    TargetConfig read(YamlMapping target) {
        int errorsBefore = target.errors().size();
        target.allowOnly("name", "host", "mx", "mx_hosts", "port", "mode", "auth", "expect", "route", "starttls",
                "tls", "mail_from", "rcpt_to", "role");
        String host = target.string("host", null);
        String mx = target.string("mx", null);
        if (host == null && mx == null && !target.has("host") && !target.has("mx")) {
            target.error("needs host (a server to probe) or mx (a mail domain whose MX hosts are probed)");
        } else if (target.has("host") && target.has("mx")) {
            target.error("has both host and mx; keep one");
        }
        if (host != null && !Syntax.isHost(host)) {
            target.error("host", "not a host name or IP address, found " + YamlMapping.quote(host));
        }
        if (mx != null && !Syntax.isDomainName(mx)) {
            target.error("mx", "not a domain name, found " + YamlMapping.quote(mx));
        }
        String name = target.string("name", host != null ? host : mx);
        if (name != null && !NAME.matcher(name).matches()) {
            target.error("name", "must be 1 to 63 letters, digits, '.', '-', '_' or ':' starting with a letter or"
                    + " digit, found " + YamlMapping.quote(name));
        }

        Mode mode = target.choice("mode", Mode.class, Mode.SMTP);
        Integer mxHosts = target.integer("mx_hosts", DEFAULT_MX_HOSTS, 1, MAX_MX_HOSTS);
        if (target.has("mx_hosts") && target.has("host")) {
            target.error("mx_hosts", "applies only to mx targets; this target names a host");
        }
        if (mx != null && mode != null && mode != Mode.SMTP && mode != Mode.TCP) {
            target.error("mode", "an mx target is probed with smtp or tcp, found " + mode.label());
        }
        Integer port = target.integer("port", mode == null ? 0 : mode.defaultPort(), 1, 65535);
        if (mode == Mode.TCP && !target.has("port")) {
            target.error("port", "missing; a tcp target needs a port");
        }

        StartTls starttls = target.choice("starttls", StartTls.class, defaultStartTls(mode));
        if (target.has("starttls") && mode != null && mode != Mode.SMTP && mode != Mode.SUBMISSION) {
            target.error("starttls", "applies only to smtp and submission targets, found mode " + mode.label());
        }
        TlsConfig tls = readTls(target.mapping("tls"));
        if (target.has("tls") && mode == Mode.TCP) {
            target.error("tls", "a tcp target only connects; tls applies to smtp, submission and smtps");
        }

        AuthConfig auth = null;
        if (target.has("auth")) {
            auth = new AuthReader(environment, files).read(target.mapping("auth"));
            if (mode != null && !mode.isRelay()) {
                target.error("auth", "only submission and smtps targets authenticate, found mode " + mode.label());
            } else if (mode == Mode.SUBMISSION && starttls == StartTls.OFF) {
                target.error("starttls", "cannot be off when auth is configured: credentials are never sent"
                        + " without TLS");
            }
        }
        String mailFrom = address(target, "mail_from");
        String rcptTo = address(target, "rcpt_to");
        // smtp too (r2): an MX may accept the greeting and EHLO and refuse only at RCPT (Postfix's
        // smtpd_delay_reject). Never DATA, in any mode.
        if ((mailFrom != null || rcptTo != null) && mode == Mode.TCP) {
            target.error(mailFrom != null ? "mail_from" : "rcpt_to",
                    "applies only to smtp, submission and smtps targets, found mode " + mode.label());
        }
        if (target.has("rcpt_to") && !target.has("mail_from")) {
            target.error("rcpt_to", "needs mail_from: RCPT TO follows MAIL FROM (RFC 5321 section 3.3)");
        }
        ExpectSetting expect = target.choice("expect", ExpectSetting.class, ExpectSetting.AUTO);
        Route route = target.choice("route", Route.class, Route.AUTO);
        RoleSetting role = target.choice("role", RoleSetting.class, RoleSetting.AUTO);

        if (target.errors().size() > errorsBefore) {
            return null;
        }
        return new TargetConfig(name, host, mx, mx == null ? 0 : mxHosts, port, mode, auth, expect, route,
                starttls, tls, mailFrom, rcptTo, role);
    }

    /** STARTTLS is opportunistic towards MX hosts and required on submission (RFC 8314 section 3.3). */
    static StartTls defaultStartTls(Mode mode) {
        return mode == null ? StartTls.OFF : TargetConfig.defaultStartTls(mode);
    }

    TlsConfig readTls(YamlMapping tls) {
        tls.allowOnly("ca_file", "insecure_skip_verify");
        Boolean insecure = tls.bool("insecure_skip_verify", false);
        String caText = tls.string("ca_file", null);
        Path caFile = null;
        if (caText != null) {
            caFile = files.path(tls, "ca_file", caText);
            if (caFile != null && !files.caBundle(tls, "ca_file", caFile)) {
                caFile = null;
            }
            if (Boolean.TRUE.equals(insecure)) {
                tls.error("insecure_skip_verify", "true ignores ca_file; keep one of them");
            }
        }
        return caFile == null && !Boolean.TRUE.equals(insecure) ? TlsConfig.DEFAULT
                : new TlsConfig(caFile, Boolean.TRUE.equals(insecure));
    }

    private static String address(YamlMapping target, String key) {
        String value = target.string(key, null);
        if (value != null && !Syntax.isMailAddress(value)) {
            target.error(key, "not a mail address like someone@example.com, found " + YamlMapping.quote(value));
            return null;
        }
        return value;
    }
}
