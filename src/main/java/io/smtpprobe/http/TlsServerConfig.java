package io.smtpprobe.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * {@code tls_server_config} of the web config file, with exporter-toolkit's defaults (TLS 1.2 to 1.3,
 * no client certificate) and the names of Go's {@code crypto/tls}.
 *
 * @param clientCaFile null unless client certificates are verified
 * @param cipherSuites IANA names (Go and Java use the same), for TLS 1.2 and older; empty: the JDK's defaults
 */
public record TlsServerConfig(Path certFile, Path keyFile, ClientAuth clientAuth, Path clientCaFile,
        String minVersion, String maxVersion, List<String> cipherSuites, boolean preferServerCipherSuites) {

    /** Go's {@code tls.ClientAuthType}, by the names exporter-toolkit reads. */
    public enum ClientAuth {
        NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert;

        boolean verifies() {
            return this == VerifyClientCertIfGiven || this == RequireAndVerifyClientCert;
        }
    }

    /** exporter-toolkit's version names and Java's. */
    private static final Map<String, String> VERSIONS = Map.of("TLS10", "TLSv1", "TLS11", "TLSv1.1",
            "TLS12", "TLSv1.2", "TLS13", "TLSv1.3");
    private static final List<String> ORDER = List.of("TLS10", "TLS11", "TLS12", "TLS13");

    public TlsServerConfig {
        cipherSuites = List.copyOf(cipherSuites);
    }

    static TlsServerConfig read(JsonNode node, Path dir, WebConfigPaths paths, List<String> errors) {
        WebConfigFile.allowOnly(node, "tls_server_config.", WebConfigFile.tlsKeys(), errors);
        Path cert = path(node, "cert_file", dir, paths, errors);
        Path key = path(node, "key_file", dir, paths, errors);
        if (isBlank(node, "cert_file")) {
            errors.add("tls_server_config.cert_file: missing; TLS needs a certificate file");
        }
        if (isBlank(node, "key_file")) {
            errors.add("tls_server_config.key_file: missing; TLS needs a private key file");
        }
        ClientAuth auth = ClientAuth.NoClientCert;
        String authText = text(node, "client_auth_type", errors);
        if (authText != null && !authText.isEmpty()) {
            try {
                auth = ClientAuth.valueOf(authText.equals("RequireClientCert") ? "RequireAnyClientCert" : authText);
            } catch (IllegalArgumentException e) {
                errors.add("tls_server_config.client_auth_type: expected one of " + Arrays.toString(ClientAuth.values())
                        + ", found \"" + authText + "\"");
            }
        }
        Path ca = path(node, "client_ca_file", dir, paths, errors);
        if (!isBlank(node, "client_ca_file") && auth == ClientAuth.NoClientCert) {
            errors.add("tls_server_config.client_ca_file: set without a client_auth_type; use"
                    + " RequireAndVerifyClientCert to require client certificates signed by it");
        }
        if (isBlank(node, "client_ca_file") && auth.verifies()) {
            errors.add("tls_server_config.client_ca_file: missing; " + auth + " needs the CA that signs client"
                    + " certificates");
        }
        String min = version(node, "min_version", "TLS12", errors);
        String max = version(node, "max_version", "TLS13", errors);
        if (min != null && max != null && ORDER.indexOf(min) > ORDER.indexOf(max)) {
            errors.add("tls_server_config.min_version: " + min + " is above max_version " + max);
        }
        List<String> suites = new ArrayList<>();
        JsonNode suitesNode = node.get("cipher_suites");
        if (suitesNode != null && !suitesNode.isNull()) {
            Set<String> known = supportedSuites();
            if (!suitesNode.isArray()) {
                errors.add("tls_server_config.cipher_suites: expected a list of cipher suite names");
            } else {
                for (int i = 0; i < suitesNode.size(); i++) {
                    String suite = suitesNode.get(i).asText();
                    if (!known.contains(suite)) {
                        errors.add("tls_server_config.cipher_suites[" + i + "]: unknown cipher \"" + suite + "\"");
                    } else {
                        suites.add(suite);
                    }
                }
            }
        }
        JsonNode prefer = node.get("prefer_server_cipher_suites");
        if (prefer != null && !prefer.isBoolean()) {
            errors.add("tls_server_config.prefer_server_cipher_suites: expected true or false, found " + prefer);
        }
        if (cert == null || key == null || min == null || max == null) {
            return null;
        }
        TlsServerConfig config = new TlsServerConfig(cert, key, auth, ca, VERSIONS.get(min), VERSIONS.get(max),
                suites, prefer == null || prefer.asBoolean(true));
        config.check(paths, errors);
        return config;
    }

    /**
     * Reads the files once, so that what cannot be read is refused at start, with its key path; first whether
     * the service may read them at all, which says how to let it.
     */
    private void check(WebConfigPaths paths, List<String> errors) {
        boolean certReadable = paths.readable("tls_server_config.cert_file", certFile, errors);
        if (paths.readable("tls_server_config.key_file", keyFile, errors) && certReadable) {
            try {
                new ReloadingKeyManager(certFile, keyFile, problem -> { });
            } catch (PemFiles.PemException e) {
                errors.add(e.getMessage());
            }
        }
        if (clientCaFile != null && paths.readable("tls_server_config.client_ca_file", clientCaFile, errors)) {
            try {
                clientCas();
            } catch (PemFiles.PemException e) {
                errors.add(e.getMessage());
            }
        }
    }

    private List<X509Certificate> clientCas() throws PemFiles.PemException {
        byte[] bytes;
        try {
            bytes = PemFiles.readRegularFile(clientCaFile);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PemFiles.PemException("tls_server_config.client_ca_file: cannot read " + clientCaFile
                    + ": No such file");
        } catch (java.io.IOException e) {
            throw new PemFiles.PemException("tls_server_config.client_ca_file: cannot read " + clientCaFile + ": "
                    + e.getMessage());
        }
        try {
            return PemFiles.certificates(bytes);
        } catch (PemFiles.PemException e) {
            throw new PemFiles.PemException("tls_server_config.client_ca_file: " + clientCaFile + " "
                    + e.getMessage());
        }
    }

    /**
     * Jetty's TLS settings: the reloading key manager, the client certificate policy, versions and suites.
     *
     * @param problems where a certificate or key that cannot be read at a handshake is reported
     */
    SslContextFactory.Server sslContextFactory(Consumer<String> problems) throws PemFiles.PemException,
            GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new javax.net.ssl.KeyManager[] {new ReloadingKeyManager(certFile, keyFile, problems)},
                trustManagers(), null);
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setSslContext(context);
        List<String> protocols = new ArrayList<>();
        for (String version : ORDER.subList(ORDER.indexOf(nameOf(minVersion)), ORDER.indexOf(nameOf(maxVersion)) + 1)) {
            protocols.add(VERSIONS.get(version));
        }
        factory.setIncludeProtocols(protocols.toArray(String[]::new));
        factory.setExcludeProtocols("SSL", "SSLv2", "SSLv2Hello", "SSLv3");
        if (!cipherSuites.isEmpty()) {
            // As in Go, the list covers TLS 1.2 and older; TLS 1.3's suites are not configurable and stay on.
            List<String> suites = new ArrayList<>(cipherSuites);
            suites.addAll(List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"));
            factory.setIncludeCipherSuites(suites.toArray(String[]::new));
            factory.setExcludeCipherSuites();
        }
        factory.setUseCipherSuitesOrder(preferServerCipherSuites);
        switch (clientAuth) {
            case NoClientCert -> { }
            case RequestClientCert, VerifyClientCertIfGiven -> factory.setWantClientAuth(true);
            case RequireAnyClientCert, RequireAndVerifyClientCert -> factory.setNeedClientAuth(true);
        }
        return factory;
    }

    private TrustManager[] trustManagers() throws PemFiles.PemException, GeneralSecurityException {
        if (!clientAuth.verifies()) {
            return new TrustManager[] {new AnyClientCertificate()};
        }
        KeyStore store;
        try {
            store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("an empty key store cannot be made", e);
        }
        int i = 0;
        for (X509Certificate ca : clientCas()) {
            store.setCertificateEntry("client-ca-" + i++, ca);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        return trust.getTrustManagers();
    }

    private static String nameOf(String javaVersion) {
        return VERSIONS.entrySet().stream().filter(e -> e.getValue().equals(javaVersion)).findFirst().orElseThrow()
                .getKey();
    }

    private static Set<String> supportedSuites() {
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (GeneralSecurityException e) {
            return Set.of();
        }
    }

    private static String text(JsonNode node, String key, List<String> errors) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            errors.add("tls_server_config." + key + ": expected a string, found " + value);
            return null;
        }
        return value.asText();
    }

    /** Whether a key is absent or empty (a key given but not resolved has its own error, or is left to the start). */
    private static boolean isBlank(JsonNode node, String key) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() || (value.isTextual() && value.asText().isEmpty());
    }

    /** The path a key names, {@code ${VAR}} expanded (systemd's {@code ${CREDENTIALS_DIRECTORY}} above all). */
    private static Path path(JsonNode node, String key, Path dir, WebConfigPaths paths, List<String> errors) {
        String text = text(node, key, errors);
        if (text == null || text.isEmpty()) {
            return null;
        }
        return paths.resolve("tls_server_config." + key, text, dir, errors);
    }

    private static String version(JsonNode node, String key, String fallback, List<String> errors) {
        String text = text(node, key, errors);
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        if (!VERSIONS.containsKey(text)) {
            errors.add("tls_server_config." + key + ": expected one of " + ORDER + ", found \"" + text + "\"");
            return null;
        }
        return text;
    }

    /**
     * RequestClientCert and RequireAnyClientCert: a certificate is asked for (or required) but not verified,
     * as in Go. exporter-toolkit's docs call these insecure; they are here because the format has them.
     */
    private static final class AnyClientCertificate extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) { }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("the web server verifies no servers");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) { }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("the web server verifies no servers");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) { }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("the web server verifies no servers");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
