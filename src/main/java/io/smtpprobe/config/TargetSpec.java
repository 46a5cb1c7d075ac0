package io.smtpprobe.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A target written on the command line, {@code smtp-probe check --target SPEC} (repeatable):
 *
 * <pre>
 *   [NAME=]MODE://[USER@]HOST[:PORT][?KEY=VALUE&amp;...]
 *   [NAME=]mx:DOMAIN[?KEY=VALUE&amp;...]
 * </pre>
 *
 * <ul>
 *   <li>MODE is {@code tcp}, {@code smtp}, {@code submission} or {@code smtps}; PORT defaults to the
 *       mode's port (25, 587, 465) and is required for {@code tcp}. An IPv6 HOST goes in brackets:
 *       {@code smtp://[2001:db8::25]:25}.</li>
 *   <li>{@code mx:DOMAIN} probes the domain's MX hosts on 25 in smtp mode.</li>
 *   <li>USER (percent-encoded where it holds {@code @} or {@code :}) turns on AUTH; the password is
 *       read from the environment variable {@value #PASSWORD_VARIABLE}, never from the command line.</li>
 *   <li>KEY is one of {@code expect} (auto|reachable|blocked), {@code route} (auto|internet|private),
 *       {@code starttls} (opportunistic|required|off), {@code mx_hosts} (1-10), {@code insecure_skip_verify}
 *       (true|false), {@code ca_file} (a PEM bundle), {@code mail_from}, {@code rcpt_to}, {@code role} (auto|mx|relay|control).</li>
 *   <li>NAME (the {@code target} label) defaults to the host or the domain.</li>
 * </ul>
 *
 * <p>Examples: {@code mx:gmail.com}, {@code relay=submission://apikey@smtp.example.net},
 * {@code smtp://10.0.0.5?route=private}, {@code https=tcp://www.microsoft.com:443}. A spec is turned
 * into the same mapping a YAML target is, and checked by the same rules.
 */
public final class TargetSpec {
    /** Where a USER's password comes from. */
    public static final String PASSWORD_VARIABLE = "SMTP_PROBE_PASSWORD";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]*");
    private static final Set<String> KEYS = Set.of("expect", "route", "starttls", "mx_hosts", "insecure_skip_verify",
            "ca_file", "mail_from", "rcpt_to", "role");
    private static final String MODES = "tcp, smtp, submission or smtps";

    private TargetSpec() {}

    /** Parses one spec; relative {@code ca_file} paths are relative to the working directory. */
    public static TargetConfig parse(String spec, Map<String, String> environment) throws ConfigException {
        String where = "--target " + shown(spec);
        List<String> errors = new ArrayList<>();
        ObjectNode node = toMapping(spec, environment, errors);
        TargetConfig target = null;
        if (errors.isEmpty()) {
            target = new TargetReader(environment, new LocalFiles(environment, null))
                    .read(YamlMapping.of(node, "", errors));
        }
        if (target == null) {
            throw new ConfigException(null, errors.stream().map(e -> where + ": " + e).toList());
        }
        return target;
    }

    /** Parses every spec, reporting all errors together, including a name used twice. */
    public static List<TargetConfig> parseAll(List<String> specs, Map<String, String> environment)
            throws ConfigException {
        List<String> errors = new ArrayList<>();
        List<TargetConfig> targets = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (String spec : specs) {
            try {
                TargetConfig target = parse(spec, environment);
                String earlier = names.putIfAbsent(target.name(), spec);
                if (earlier != null) {
                    errors.add("--target " + shown(spec) + ": the name " + target.name()
                            + " is already used by --target " + shown(earlier) + "; give one NAME=");
                }
                targets.add(target);
            } catch (ConfigException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(null, errors);
        }
        return targets;
    }

    /**
     * A spec as messages show it: quoted, escaped, and with the password of a {@code USER:PASSWORD@}
     * replaced, so that a password typed where it does not belong is not printed back.
     */
    private static String shown(String spec) {
        return YamlMapping.quote(withoutPassword(spec));
    }

    private static String withoutPassword(String spec) {
        int[] password = passwordSpan(spec);
        return password == null ? spec : spec.substring(0, password[0]) + "******" + spec.substring(password[1]);
    }

    /**
     * Where a password typed as {@code USER:PASSWORD@HOST} sits in a spec ({@code [from, to)}), or null. A
     * {@code ?} in the password splits the spec early, so an {@code @} after the {@code ?} with something
     * other than a port after the {@code :} is taken for one too: better to hide too much than to print it.
     */
    private static int[] passwordSpan(String spec) {
        int scheme = spec.indexOf("://");
        if (scheme < 0) {
            return null;
        }
        int start = scheme + 3;
        int question = spec.indexOf('?', start);
        int end = question < 0 ? spec.length() : question;
        int at = spec.lastIndexOf('@', end - 1);
        if (at >= start) {
            int colon = spec.indexOf(':', start);
            return colon >= 0 && colon < at ? new int[] {colon + 1, at} : null;
        }
        int laterAt = question < 0 ? -1 : spec.indexOf('@', question);
        String authority = spec.substring(start, end);
        int colon = authority.indexOf(':');
        if (laterAt < 0 || authority.startsWith("[") || colon < 0
                || authority.substring(colon + 1).matches("\\d{0,9}")) {
            return null;
        }
        return new int[] {start + colon + 1, laterAt};
    }

    /**
     * The name a spec without {@code NAME=} gets: its host or domain, except that an IPv6 address starting
     * with {@code ::} gets a leading 0 ({@code ::1} is named {@code 0::1}, the same address), since a name
     * starts with a letter or a digit.
     */
    private static String derivedName(ObjectNode node) {
        String host = node.hasNonNull("host") ? node.get("host").asText() : null;
        if (host != null && host.startsWith("::") && Syntax.isIpv6(host)) {
            return "0" + host;
        }
        return null;
    }

    private static ObjectNode toMapping(String spec, Map<String, String> environment, List<String> errors) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (passwordSpan(spec) != null) {
            // The password would be in the shell's history and the process list; it is neither used nor repeated.
            errors.add("a password in USER:PASSWORD@ is never taken from the command line (it is not repeated"
                    + " here); give USER@ only and put the password in the environment variable "
                    + PASSWORD_VARIABLE + " (a ':' in the user name is written %3A)");
            return node;
        }
        String rest = spec.trim();
        int eq = rest.indexOf('=');
        int colon = rest.indexOf(':');
        if (eq >= 0 && (colon < 0 || eq < colon)) {
            String name = rest.substring(0, eq);
            if (!NAME.matcher(name).matches()) {
                errors.add("NAME must be letters, digits, '.', '-' or '_', found " + YamlMapping.quote(name));
            }
            node.put("name", name);
            rest = rest.substring(eq + 1);
        }
        int question = rest.indexOf('?');
        String query = question < 0 ? null : rest.substring(question + 1);
        rest = question < 0 ? rest : rest.substring(0, question);
        if (rest.toLowerCase(Locale.ROOT).startsWith("mx:")) {
            node.put("mx", rest.substring(3));
        } else {
            int scheme = rest.indexOf("://");
            if (scheme < 0) {
                errors.add("expected MODE://HOST[:PORT] or mx:DOMAIN, where MODE is " + MODES);
                return node;
            }
            String mode = rest.substring(0, scheme).toLowerCase(Locale.ROOT);
            if (!Set.of("tcp", "smtp", "submission", "smtps").contains(mode)) {
                errors.add("unknown mode " + YamlMapping.quote(mode) + "; use " + MODES);
            }
            node.put("mode", mode);
            authority(rest.substring(scheme + 3), node, environment, errors);
        }
        if (query != null) {
            query(query, node, errors);
        }
        String derived = node.has("name") ? null : derivedName(node);
        if (derived != null) {
            node.put("name", derived);
        }
        return node;
    }

    private static void authority(String authority, ObjectNode node, Map<String, String> environment,
            List<String> errors) {
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String user = decoded(authority.substring(0, at), "USER", errors);
            authority = authority.substring(at + 1);
            if (environment.get(PASSWORD_VARIABLE) == null) {
                errors.add("user " + YamlMapping.quote(user) + " needs a password in the environment variable "
                        + PASSWORD_VARIABLE + ", which is not set");
            }
            ObjectNode auth = node.putObject("auth");
            auth.put("username", user);
            auth.put("password_env", PASSWORD_VARIABLE);
        }
        String host = authority;
        String port = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                errors.add("an IPv6 address in brackets needs its closing ]");
                return;
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (after.startsWith(":")) {
                port = after.substring(1);
            } else if (!after.isEmpty()) {
                errors.add("expected :PORT after ], found " + YamlMapping.quote(after));
            }
        } else if (authority.indexOf(':') >= 0 && authority.indexOf(':') == authority.lastIndexOf(':')) {
            host = authority.substring(0, authority.indexOf(':'));
            port = authority.substring(authority.indexOf(':') + 1);
        } else if (authority.indexOf(':') >= 0) {
            // ::1:25 is an address of its own, not ::1 on port 25: without brackets a port cannot be told apart.
            errors.add("an IPv6 address goes in brackets, so that a port can follow it: [2001:db8::25] or"
                    + " [2001:db8::25]:25");
            return;
        }
        if (host.isEmpty()) {
            errors.add("the host is missing");
        }
        node.put("host", host);
        if (port != null) {
            if (port.matches("\\d{1,9}")) {
                node.put("port", Integer.parseInt(port));
            } else {
                errors.add("PORT must be a number, found " + YamlMapping.quote(port));
            }
        }
    }

    /** Percent-decoded text; a malformed escape ({@code %zz}, a lone {@code %}) is an error, not an exception. */
    private static String decoded(String text, String what, List<String> errors) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            errors.add(what + " has a malformed percent escape (write % as %25), found " + YamlMapping.quote(text));
            return text;
        }
    }

    private static void query(String query, ObjectNode node, List<String> errors) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : decoded(pair.substring(eq + 1), "the value of " + YamlMapping.quote(key), errors);
            if (!KEYS.contains(key)) {
                errors.add("unknown key " + YamlMapping.quote(key) + "; use " + String.join(", ", KEYS.stream().sorted().toList()));
            } else if (node.has(key) || (node.has("tls") && node.get("tls").has(key))) {
                errors.add(key + " is given twice");
            } else if (key.equals("mx_hosts") && value.matches("\\d{1,9}")) {
                node.put(key, Integer.parseInt(value));
            } else if (key.equals("insecure_skip_verify")) {
                ObjectNode tls = node.has("tls") ? (ObjectNode) node.get("tls") : node.putObject("tls");
                if (value.equals("true") || value.equals("false")) {
                    tls.put(key, Boolean.parseBoolean(value));
                } else {
                    tls.put(key, value);
                }
            } else if (key.equals("ca_file")) {
                ObjectNode tls = node.has("tls") ? (ObjectNode) node.get("tls") : node.putObject("tls");
                tls.put(key, value);
            } else {
                node.put(key, value);
            }
        }
    }
}
