package io.smtpprobe.http;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The server's certificate and key, read from their files at every TLS handshake as exporter-toolkit
 * does ({@code GetCertificate}): a renewed certificate (certbot, cert-manager, a rotation script) is
 * served from the next connection on, without a restart. The files are parsed again only when their
 * bytes changed. A pair that cannot be read fails that handshake and is logged; the next one tries again.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private final Path certFile;
    private final Path keyFile;
    private final Consumer<String> problems;
    private volatile Loaded current;
    /** The pair before the latest rotation, for a handshake that chose it just before. */
    private volatile Loaded previous;

    /** One reading of the two files; its alias names it, so a handshake sees one pair even across a rotation. */
    private record Loaded(int generation, byte[] certBytes, byte[] keyDigest, PemFiles.KeyPair pair) {
        String alias() {
            return "web-" + generation;
        }
    }

    /**
     * Reads both files once, so that a bad pair is refused at start.
     *
     * @throws PemFiles.PemException naming the key path ({@code tls_server_config.cert_file: ...})
     */
    ReloadingKeyManager(Path certFile, Path keyFile, Consumer<String> problems) throws PemFiles.PemException {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.problems = problems;
        this.current = load(null);
    }

    private Loaded load(Loaded previous) throws PemFiles.PemException {
        byte[] cert = read("tls_server_config.cert_file", certFile);
        byte[] key = read("tls_server_config.key_file", keyFile);
        try {
            // Only a digest of the key stays in memory beside the parsed key, to notice a change.
            byte[] keyDigest = sha256(key);
            if (previous != null && Arrays.equals(cert, previous.certBytes)
                    && Arrays.equals(keyDigest, previous.keyDigest)) {
                return previous;
            }
            PemFiles.KeyPair pair;
            try {
                pair = PemFiles.keyPair(cert, key);
            } catch (PemFiles.PemException e) {
                throw new PemFiles.PemException("tls_server_config: " + certFile + " and " + keyFile + ": "
                        + e.getMessage());
            }
            int generation = previous == null ? 0 : previous.generation + 1;
            return new Loaded(generation, cert, keyDigest, pair);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static byte[] read(String key, Path file) throws PemFiles.PemException {
        try {
            return PemFiles.readRegularFile(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PemFiles.PemException(key + ": cannot read " + file + ": No such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new PemFiles.PemException(key + ": cannot read " + file + ": Permission denied");
        } catch (IOException e) {
            throw new PemFiles.PemException(key + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    /** At every handshake: the pair as the files hold it now. */
    private Loaded refresh() {
        Loaded before = current;
        try {
            Loaded fresh = load(before);
            if (fresh != before) {
                previous = before;
                current = fresh;
            }
            return fresh;
        } catch (PemFiles.PemException e) {
            problems.accept(e.getMessage());
            return null;
        }
    }

    private String alias(String keyType) {
        Loaded loaded = refresh();
        return loaded != null && loaded.pair.key().getAlgorithm().equals(keyType) ? loaded.alias() : null;
    }

    private Loaded byAlias(String alias) {
        Loaded loaded = current;
        if (loaded.alias().equals(alias)) {
            return loaded;
        }
        Loaded before = previous;
        return before != null && before.alias().equals(alias) ? before : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        Loaded loaded = current;
        return loaded.pair.key().getAlgorithm().equals(keyType) ? new String[] {loaded.alias()} : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Loaded loaded = byAlias(alias);
        return loaded == null ? null : loaded.pair.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Loaded loaded = byAlias(alias);
        return loaded == null ? null : loaded.pair.key();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
