package io.smtpprobe.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a target's {@code auth:} mapping: a user name with a password from a file or the environment,
 * or, with {@code mechanism: xoauth2}, where the bearer token comes from ({@code oauth:}). Secrets are
 * read here, once; messages name where they come from, never what they hold.
 */
final class AuthReader {
    /** How environment variables are conventionally named; other names are not repeated in messages. */
    private static final Pattern CONVENTIONAL_ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Map<String, String> environment;
    private final LocalFiles files;

    AuthReader(Map<String, String> environment, LocalFiles files) {
        this.environment = environment;
        this.files = files;
    }

    /** The credentials, or null when they have errors (they are in the mapping's error list). */
    AuthConfig read(YamlMapping auth) {
        auth.allowOnly("username", "password_file", "password_env", "mechanism", "oauth");
        String username = auth.string("username", null);
        if (username == null && !auth.has("username")) {
            auth.error("username", "missing; AUTH needs a user name");
        } else if (username != null && (username.isBlank() || username.chars().anyMatch(Character::isISOControl))) {
            auth.error("username", "must be a non-empty single line, found " + YamlMapping.quote(username));
        }
        AuthMechanism mechanism = auth.choice("mechanism", AuthMechanism.class, AuthMechanism.AUTO);
        if (mechanism == AuthMechanism.XOAUTH2) {
            return oauthCredentials(auth, username);
        }
        if (auth.has("oauth") && mechanism != null) {
            auth.error("oauth", "applies only with mechanism: xoauth2, found mechanism " + mechanism.label());
        }
        Sourced password = secret(auth, "password_file", "password_env",
                "needs password_file or password_env (the password itself never goes in the config)");
        return password == null || username == null || mechanism == null ? null
                : new AuthConfig(username, password.secret(), password.source(), mechanism);
    }

    /**
     * A user name and password read as a relay's are (a file or an environment variable, never the config
     * text), from a mapping with keys of its own beside them (a delivery target's {@code mailbox:}); null on errors.
     */
    AuthConfig passwordCredentials(YamlMapping mapping, String what) {
        String username = mapping.string("username", null);
        if (username == null && !mapping.has("username")) {
            mapping.error("username", "missing; " + what + " needs a user name");
        } else if (username != null && (username.isBlank() || username.chars().anyMatch(Character::isISOControl))) {
            mapping.error("username", "must be a non-empty single line, found " + YamlMapping.quote(username));
            username = null;
        }
        Sourced password = secret(mapping, "password_file", "password_env",
                "needs password_file or password_env (the password itself never goes in the config)");
        return password == null || username == null ? null
                : new AuthConfig(username, password.secret(), password.source(), AuthMechanism.AUTO);
    }

    private AuthConfig oauthCredentials(YamlMapping auth, String username) {
        for (String key : new String[] {"password_file", "password_env"}) {
            if (auth.has(key)) {
                auth.error(key, "not used with mechanism xoauth2 (the bearer token comes from auth.oauth); remove it");
            }
        }
        if (!auth.has("oauth")) {
            auth.error("mechanism xoauth2 needs oauth: an Entra app (tenant, client_id, client_secret_file) or"
                    + " managed_identity: true");
            return null;
        }
        OAuthConfig oauth = oauth(auth.mapping("oauth"));
        return oauth == null || username == null ? null
                : new AuthConfig(username, null, null, AuthMechanism.XOAUTH2, oauth);
    }

    private OAuthConfig oauth(YamlMapping oauth) {
        int errorsBefore = oauth.errors().size();
        oauth.allowOnly("tenant", "client_id", "client_secret_file", "client_secret_env", "scope", "token_endpoint",
                "managed_identity");
        Boolean managed = oauth.bool("managed_identity", false);
        String clientId = oauth.string("client_id", null);
        if (clientId != null && !Syntax.isGuid(clientId.trim())) {
            oauth.error("client_id", "must be a client id like 00000000-0000-0000-0000-000000000000, found "
                    + YamlMapping.quote(clientId));
        }
        if (managed == null) {
            return null;
        }
        if (managed) {
            for (String key : new String[] {"tenant", "client_secret_file", "client_secret_env", "scope",
                "token_endpoint"}) {
                if (oauth.has(key)) {
                    oauth.error(key, "not used with managed_identity: true (the token comes from the instance"
                            + " metadata service); remove it");
                }
            }
            return oauth.errors().size() > errorsBefore ? null
                    : OAuthConfig.managedIdentity(clientId == null ? "" : clientId.trim());
        }
        String tenant = oauth.string("tenant", null);
        if (tenant == null && !oauth.has("tenant")) {
            oauth.error("tenant", "missing; the directory (tenant) id or domain the app is registered in");
        } else if (tenant != null && !Syntax.isGuid(tenant.trim()) && !Syntax.isDomainName(tenant.trim())) {
            oauth.error("tenant", "must be a tenant id like 00000000-0000-0000-0000-000000000000 or a domain like"
                    + " contoso.onmicrosoft.com, found " + YamlMapping.quote(tenant));
            tenant = null;
        }
        if (clientId == null && !oauth.has("client_id")) {
            oauth.error("client_id", "missing; the app's application (client) id");
        }
        String scope = oauth.string("scope", OAuthConfig.DEFAULT_SCOPE);
        if (scope != null && (scope.isBlank() || scope.chars().anyMatch(Character::isISOControl))) {
            oauth.error("scope", "must be a non-empty single line, found " + YamlMapping.quote(scope));
        }
        URI endpoint = tenant == null ? null : tokenEndpoint(oauth, tenant.trim());
        Sourced secret = secret(oauth, "client_secret_file", "client_secret_env",
                "needs client_secret_file or client_secret_env (the secret itself never goes in the config)");
        if (oauth.errors().size() > errorsBefore || secret == null || endpoint == null || clientId == null) {
            return null;
        }
        return new OAuthConfig(tenant.trim(), clientId.trim(), secret.secret(), secret.source(), scope.trim(),
                endpoint, false);
    }

    /** The configured or default endpoint with {@code {tenant}} filled in; it receives the secret, so https. */
    private static URI tokenEndpoint(YamlMapping oauth, String tenant) {
        String text = oauth.string("token_endpoint", OAuthConfig.DEFAULT_TOKEN_ENDPOINT);
        if (text == null) {
            return null;
        }
        URI uri = null;
        try {
            uri = new URI(text.trim().replace("{tenant}", tenant));
        } catch (URISyntaxException e) {
            // reported below like any other non-URL
        }
        String scheme = uri == null ? null : uri.getScheme();
        if (uri == null || !uri.isAbsolute() || uri.getHost() == null
                || !("http".equals(scheme) || "https".equals(scheme))) {
            oauth.error("token_endpoint", "must be an absolute https URL, found " + YamlMapping.quote(text));
            return null;
        }
        if ("http".equals(scheme) && !isLoopback(uri.getHost())) {
            oauth.error("token_endpoint", "receives the client secret, so it must be https (http only to loopback),"
                    + " found " + YamlMapping.quote(text));
            return null;
        }
        return uri;
    }

    private static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("[::1]") || (Syntax.isIpv4(h) && h.startsWith("127."));
    }

    private record Sourced(Secret secret, String source) {}

    /** A secret from {@code fileKey} (a file only its owner reads) or {@code envKey}; exactly one of them. */
    private Sourced secret(YamlMapping mapping, String fileKey, String envKey, String missing) {
        String fileText = mapping.string(fileKey, null);
        String envName = mapping.string(envKey, null);
        if (mapping.has(fileKey) && mapping.has(envKey)) {
            mapping.error("has both " + fileKey + " and " + envKey + "; keep one");
            return null;
        }
        if (fileText != null) {
            Path file = files.path(mapping, fileKey, fileText);
            if (file != null && !fileText.contains("/") && !fileText.contains("${") && !java.nio.file.Files.exists(file)) {
                // A bare word naming no file may be the secret itself, pasted into the wrong key: never repeat it.
                mapping.error(fileKey, "names no existing file (the value is not repeated, in case it is the secret"
                        + " itself); give the path of the file that holds the secret");
                return null;
            }
            Secret secret = file == null ? null : files.password(mapping, fileKey, file);
            return secret == null ? null : new Sourced(secret, file.toString());
        }
        if (envName != null) {
            String value = ENV_NAME.matcher(envName).matches() ? environment.get(envName) : null;
            if (!ENV_NAME.matcher(envName).matches()) {
                // Not a name, so perhaps the secret itself, pasted into the wrong key: never repeat it.
                String hint = envName.startsWith("$") ? " (written without $ or ${})" : "";
                mapping.error(envKey, "must be an environment variable name" + hint + "; the value is not repeated, in"
                        + " case it is the secret itself");
            } else if (value == null) {
                if (files.leftToStart(mapping, envKey, "environment variable " + shownName(envName), "not set in this"
                        + " shell; the service's environment comes from the unit and /etc/default/smtp-probe")) {
                    return null;
                }
                mapping.error(envKey, "environment variable " + shownName(envName) + " is not set");
            } else if (value.isEmpty()) {
                mapping.error(envKey, "environment variable " + shownName(envName) + " is empty");
            } else if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > LocalFiles.MAX_PASSWORD_BYTES) {
                // As a password file is capped (issue 23: a 133 KB value made a 133 KB AUTH line).
                mapping.error(envKey, "environment variable " + shownName(envName) + " holds "
                        + value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " bytes, more than the "
                        + LocalFiles.MAX_PASSWORD_BYTES + " a password may have; it should hold only the password");
            } else {
                return new Sourced(new Secret(value), "env:" + envName);
            }
            return null;
        }
        if (!mapping.has(fileKey) && !mapping.has(envKey)) {
            mapping.error(missing);
        }
        return null;
    }

    /**
     * The variable's name for a message, when it has the usual upper-case form; a name like
     * {@code Summer2024pass} may be the secret itself, pasted into the wrong key, so it is not repeated.
     */
    private static String shownName(String envName) {
        return CONVENTIONAL_ENV_NAME.matcher(envName).matches() ? envName
                : "(name not repeated: it is not in the usual upper case, and may be the secret itself)";
    }
}
