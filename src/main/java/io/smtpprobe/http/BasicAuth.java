package io.smtpprobe.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code basic_auth_users}: HTTP basic authentication against bcrypt hashes, as exporter-toolkit does it.
 * A bcrypt check costs tens of milliseconds by design, so its result is remembered per user and password
 * digest (exporter-toolkit caches the same way); an unknown user costs a check against a fixed hash, so
 * timing tells no one which users exist.
 */
final class BasicAuth {
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    /** A bcrypt hash of nothing anyone sends, for unknown users. */
    private static final byte[] DECOY = "$2y$10$8hhtePNmbkz3.bv581CEEe.e5KUs7glS1ZEXd5Hnv4lFvqjJvJh52"
            .getBytes(StandardCharsets.US_ASCII);
    private static final int CACHE_LIMIT = 128;
    /** bcrypt uses at most 72 bytes of a password; the library refuses longer ones with an exception. */
    static final int MAX_PASSWORD_BYTES = 72;

    private final Map<String, String> users;
    private final Map<String, Boolean> checked = new ConcurrentHashMap<>();

    BasicAuth(Map<String, String> users) {
        this.users = Map.copyOf(users);
    }

    static boolean isBcryptHash(String text) {
        return BCRYPT.matcher(text).matches();
    }

    boolean enabled() {
        return !users.isEmpty();
    }

    /** Whether the request's Authorization header names a user with the right password. */
    boolean allows(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        String key = user + '\0' + digest(password);
        Boolean known = checked.get(key);
        if (known != null) {
            return known;
        }
        String hash = users.get(user);
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        // No bcrypt hash matches a longer password: refused like a wrong one (a 401, not a 500 and an error
        // log line that anyone without credentials could provoke).
        boolean ok = bytes.length <= MAX_PASSWORD_BYTES
                && BCrypt.verifyer().verify(bytes, hash == null ? DECOY : hash.getBytes(StandardCharsets.US_ASCII))
                        .verified
                && hash != null;
        if (checked.size() >= CACHE_LIMIT) {
            checked.clear(); // many distinct wrong passwords: start over rather than grow
        }
        checked.put(key, ok);
        return ok;
    }

    private static String digest(String password) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
