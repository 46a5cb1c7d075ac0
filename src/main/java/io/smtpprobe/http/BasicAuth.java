package io.smtpprobe.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@code basic_auth_users}: HTTP basic authentication against bcrypt hashes, as exporter-toolkit does it:
 * the cache is asked first, and bcrypt (tens of milliseconds of CPU by design) runs one check at a time.
 *
 * <p>Issue 23: wrong passwords were a denial of service. bcrypt ran on the HTTP threads, several at once,
 * and a cache of 128 entries was cleared whole when full, evicting the scraper's credential. Now:
 * <ul>
 * <li>credentials that passed are remembered apart from those that failed, so no number of wrong passwords
 *     evicts a right one, and a scrape with a known credential never waits for bcrypt;
 * <li>bcrypt runs on the one thread of {@link BcryptChecks}, never on an HTTP thread, so an attacker gets at
 *     most one core and the handlers stay free; past its short queue a request is answered 429 at once;
 * <li>an unknown user is checked against a configured user's own hash, so it costs exactly what a known
 *     user costs and timing tells no one which users exist.
 * </ul>
 */
final class BasicAuth {
    /** What a request's credentials came to. */
    enum Answer { ALLOWED, REFUSED, BUSY }

    /** Costs 04 to 31, the ones bcrypt computes (another cost is refused at load, not thrown at a request). */
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
    /** Right credentials remembered: a scraper or two, a person; more are checked again each time. */
    private static final int ALLOWED_LIMIT = 32;
    /** Wrong credentials remembered, the oldest forgotten first. */
    private static final int REFUSED_LIMIT = 256;
    /** bcrypt uses at most 72 bytes of a password; the library refuses longer ones with an exception. */
    static final int MAX_PASSWORD_BYTES = 72;

    private final Map<String, String> users;
    /** The hash an unknown user is checked against: a real one, so the cost is the same. */
    private final byte[] decoy;
    private final BcryptChecks checks;
    private final Map<String, Boolean> allowed = new ConcurrentHashMap<>();
    private final Map<String, Boolean> refused = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REFUSED_LIMIT;
        }
    };
    private final AtomicLong bcryptRuns = new AtomicLong();

    BasicAuth(Map<String, String> users, BcryptChecks checks) {
        this.users = Map.copyOf(users);
        this.checks = checks;
        this.decoy = users.isEmpty() ? null
                : new TreeMap<>(users).firstEntry().getValue().getBytes(StandardCharsets.US_ASCII);
    }

    static boolean isBcryptHash(String text) {
        return BCRYPT.matcher(text).matches();
    }

    boolean enabled() {
        return !users.isEmpty();
    }

    /**
     * Checks the request's Authorization header.
     *
     * @param later gets the answer, on the bcrypt thread, when the caches do not know it
     * @return the answer when known at once (a malformed header, a remembered credential, a full queue);
     *     null when {@code later} will get it
     */
    Answer check(String authorization, Consumer<Answer> later) {
        Credentials credentials = Credentials.parse(authorization);
        if (credentials == null) {
            return Answer.REFUSED;
        }
        String key = credentials.user() + '\0' + digest(credentials.password());
        if (allowed.containsKey(key)) {
            return Answer.ALLOWED;
        }
        synchronized (refused) {
            if (refused.containsKey(key)) {
                return Answer.REFUSED;
            }
        }
        boolean queued = checks.submit(() -> {
            Answer answer = Answer.REFUSED;
            try {
                boolean ok = verify(credentials);
                remember(key, ok);
                answer = ok ? Answer.ALLOWED : Answer.REFUSED;
            } finally {
                later.accept(answer); // whatever bcrypt did, the request is answered
            }
        });
        return queued ? null : Answer.BUSY;
    }

    /** The answer, waiting for bcrypt when it runs: for tests. */
    boolean allows(String authorization) {
        java.util.concurrent.CompletableFuture<Answer> later = new java.util.concurrent.CompletableFuture<>();
        Answer now = check(authorization, later::complete);
        return (now != null ? now : later.join()) == Answer.ALLOWED;
    }

    /** How many times bcrypt ran. */
    long bcryptRuns() {
        return bcryptRuns.get();
    }

    private boolean verify(Credentials credentials) {
        String hash = users.get(credentials.user());
        byte[] bytes = credentials.password().getBytes(StandardCharsets.UTF_8);
        // No bcrypt hash matches a longer password: refused like a wrong one (a 401, not a 500 and an error
        // log line that anyone without credentials could provoke).
        if (bytes.length > MAX_PASSWORD_BYTES) {
            return false;
        }
        bcryptRuns.incrementAndGet();
        boolean matches = BCrypt.verifyer()
                .verify(bytes, hash == null ? decoy : hash.getBytes(StandardCharsets.US_ASCII)).verified;
        return matches && hash != null;
    }

    private void remember(String key, boolean ok) {
        if (ok) {
            if (allowed.size() < ALLOWED_LIMIT) {
                allowed.put(key, Boolean.TRUE);
            }
        } else {
            synchronized (refused) {
                refused.put(key, Boolean.FALSE);
            }
        }
    }

    private static String digest(String password) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The user and password of a {@code Basic} Authorization header. */
    private record Credentials(String user, String password) {
        /** Null for anything but {@code Basic base64(user:password)}. */
        static Credentials parse(String authorization) {
            if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                return null;
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
    }
}
