package io.smtpprobe.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.smtpprobe.config.ConfigException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --web.config.file}: TLS, basic authentication and response headers for every endpoint, in the
 * format and with the meaning of Prometheus' exporter-toolkit (docs/web-configuration.md), so that one
 * file serves node_exporter and smtp-probe alike. Relative paths are taken from the file's directory,
 * as exporter-toolkit takes them. Users and headers follow the file as it changes
 * ({@link WebConfigReloader}); the certificate and key are read again at every TLS handshake
 * ({@link ReloadingKeyManager}); the rest of the TLS settings take effect at the next start.
 *
 * @param tls null for plain HTTP
 * @param basicAuthUsers user name to bcrypt hash; empty: no authentication
 * @param headers added to every answer
 */
public record WebConfigFile(TlsServerConfig tls, Map<String, String> basicAuthUsers, Map<String, String> headers) {
    /** No file: plain HTTP, no authentication. */
    public static final WebConfigFile NONE = new WebConfigFile(null, Map.of(), Map.of());

    /** The headers exporter-toolkit lets a file set, with the values it accepts (null: any). */
    private static final Map<String, Set<String>> HEADERS = headerRules();
    private static final Set<String> TOP = Set.of("tls_server_config", "http_server_config", "basic_auth_users");
    private static final Set<String> TLS = Set.of("cert_file", "key_file", "client_auth_type", "client_ca_file",
            "min_version", "max_version", "cipher_suites", "prefer_server_cipher_suites");
    /** exporter-toolkit keys smtp-probe does not implement: refused by name rather than as unknown. */
    private static final Map<String, String> UNSUPPORTED = Map.of(
            "rate_limit", "is not supported by smtp-probe",
            "tls_server_config.cert", "(inline) is not supported by smtp-probe; use cert_file",
            "tls_server_config.key", "(inline) is not supported by smtp-probe; use key_file",
            "tls_server_config.client_ca", "(inline) is not supported by smtp-probe; use client_ca_file",
            "tls_server_config.client_allowed_sans", "is not supported by smtp-probe",
            "tls_server_config.curve_preferences", "is not supported by smtp-probe");

    public WebConfigFile {
        basicAuthUsers = Map.copyOf(basicAuthUsers);
        headers = Map.copyOf(headers);
    }

    /**
     * Reads and checks the file, including that the certificate, key and client CA can be read.
     *
     * @throws ConfigException with every problem, each naming its key path
     */
    public static WebConfigFile load(Path file) throws ConfigException {
        return load(file, Map.of());
    }

    /**
     * As {@link #load(Path)}, with {@code ${VAR}} in file paths taken from {@code environment}: a key delivered
     * by systemd's {@code LoadCredential=} is {@code key_file: ${CREDENTIALS_DIRECTORY}/tls.key}.
     */
    public static WebConfigFile load(Path file, Map<String, String> environment) throws ConfigException {
        return load(file, WebConfigPaths.of(environment));
    }

    /**
     * As {@link #load(Path)}, with the file and the files it names found and checked as {@code paths} says: as
     * this process reads them, or, for {@code check-config}, as the service will.
     */
    public static WebConfigFile load(Path file, WebConfigPaths paths) throws ConfigException {
        List<String> errors = new ArrayList<>();
        if (!paths.readable(null, file, errors)) {
            throw new ConfigException(source(file), errors);
        }
        return parse(file, read(file), paths);
    }

    /** The file's bytes, for {@link #parse}; a regular file of bounded size only. */
    static byte[] read(Path file) throws ConfigException {
        try {
            return PemFiles.readRegularFile(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(source(file), List.of("cannot read the file: No such file"));
        } catch (IOException e) {
            throw new ConfigException(source(file), List.of("cannot read the file: " + e.getMessage()));
        }
    }

    private static String source(Path file) {
        return "--web.config.file " + file;
    }

    /** Checks {@code bytes}, read from {@code file}; see {@link #load}. */
    static WebConfigFile parse(Path file, byte[] bytes) throws ConfigException {
        return parse(file, bytes, WebConfigPaths.of(Map.of()));
    }

    static WebConfigFile parse(Path file, byte[] bytes, WebConfigPaths paths) throws ConfigException {
        String source = source(file);
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(source, List.of("cannot read the file: " + e.getMessage()));
        }
        List<String> errors = new ArrayList<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return NONE; // an empty file, as exporter-toolkit reads it: no TLS, no users
        }
        if (!root.isObject()) {
            throw new ConfigException(source, List.of("expected a mapping of tls_server_config,"
                    + " http_server_config and basic_auth_users"));
        }
        allowOnly(root, "", TOP, errors);
        Path dir = file.toAbsolutePath().getParent();
        TlsServerConfig tls = null;
        JsonNode tlsNode = root.get("tls_server_config");
        if (tlsNode != null && !tlsNode.isNull()) {
            tls = TlsServerConfig.read(mapping(tlsNode, "tls_server_config", errors), dir, paths, errors);
        }
        Map<String, String> users = new LinkedHashMap<>();
        JsonNode usersNode = root.get("basic_auth_users");
        if (usersNode != null && !usersNode.isNull()) {
            for (var e : fields(mapping(usersNode, "basic_auth_users", errors))) {
                String hash = e.getValue().isTextual() ? e.getValue().asText() : "";
                if (!BasicAuth.isBcryptHash(hash)) {
                    // The value is a secret (or a password written by mistake): never echoed.
                    errors.add("basic_auth_users." + e.getKey() + ": not a bcrypt hash ($2y$10$..., as"
                            + " htpasswd -nBC 10 \"\" writes)");
                } else {
                    users.put(e.getKey(), hash);
                }
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode httpNode = root.get("http_server_config");
        if (httpNode != null && !httpNode.isNull()) {
            JsonNode http = mapping(httpNode, "http_server_config", errors);
            allowOnly(http, "http_server_config.", Set.of("headers", "http2"), errors);
            JsonNode http2 = http.get("http2");
            if (http2 != null && !http2.isBoolean()) {
                errors.add("http_server_config.http2: expected true or false, found " + http2);
            }
            JsonNode headersNode = http.get("headers");
            if (headersNode != null && !headersNode.isNull()) {
                for (var e : fields(mapping(headersNode, "http_server_config.headers", errors))) {
                    header(e.getKey(), e.getValue().asText(), headers, errors);
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(source, errors);
        }
        return new WebConfigFile(tls, users, headers);
    }

    private static void header(String name, String value, Map<String, String> headers, List<String> errors) {
        String path = "http_server_config.headers." + name;
        if (!HEADERS.containsKey(name)) {
            errors.add(path + ": this header can not be configured; allowed: " + String.join(", ",
                    new java.util.TreeSet<>(HEADERS.keySet())));
        } else if (HEADERS.get(name) != null && !HEADERS.get(name).contains(value)) {
            errors.add(path + ": expected one of " + new java.util.TreeSet<>(HEADERS.get(name)) + ", found \""
                    + value + "\"");
        } else if (!value.isEmpty()) { // blank: unset, as exporter-toolkit has it
            headers.put(name, value);
        }
    }

    private static Map<String, Set<String>> headerRules() {
        Map<String, Set<String>> rules = new java.util.HashMap<>();
        rules.put("Content-Security-Policy", null);
        rules.put("Strict-Transport-Security", null);
        rules.put("X-XSS-Protection", null);
        rules.put("X-Frame-Options", Set.of("deny", "sameorigin"));
        rules.put("X-Content-Type-Options", Set.of("nosniff"));
        return rules;
    }

    static JsonNode mapping(JsonNode node, String path, List<String> errors) {
        if (!node.isObject()) {
            errors.add(path + ": expected a mapping, found " + node.getNodeType().name().toLowerCase(
                    java.util.Locale.ROOT));
            return new ObjectMapper().createObjectNode();
        }
        return node;
    }

    static void allowOnly(JsonNode node, String prefix, Set<String> allowed, List<String> errors) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            String reason = UNSUPPORTED.get(prefix + name);
            if (reason != null) {
                errors.add(prefix + name + ": " + reason);
            } else if (!allowed.contains(name)) {
                errors.add(prefix + name + ": unknown key; expected one of " + new java.util.TreeSet<>(allowed));
            }
        }
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        List<Map.Entry<String, JsonNode>> list = new ArrayList<>();
        node.fields().forEachRemaining(list::add);
        return list;
    }

    static Set<String> tlsKeys() {
        return TLS;
    }
}
