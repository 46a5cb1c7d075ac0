package io.smtpprobe.probe.smtp;

import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.probe.tls.TlsSocketFactory;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.util.Deque;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Angus Mail sessions kept for reuse. Making a {@link Session} reads Angus's provider lists from the
 * jar and runs service lookups: about a sixth of the CPU of a STARTTLS probe in the benchmark's
 * profile. A session holds no connection state, only settings, so probes with the same settings
 * reuse one, each session used by one probe at a time. The only per-probe setting, the TLS socket
 * factory, is put in when a session is taken and removed when it comes back, so an idle session
 * keeps no probe's socket alive. At most as many sessions per set of settings as probes ever ran
 * them at once, up to {@link #MAX_IDLE}. Thread-safe.
 */
public final class MailSessions {
    private static final String SOCKET_FACTORY = "mail.smtp.ssl.socketFactory";

    /**
     * Idle sessions kept per set of settings. A probe holds a session only while it converses, so at
     * most {@code probe.concurrency} are out at once; this bounds the pool even so.
     */
    static final int MAX_IDLE = ConfigLoader.MAX_CONCURRENCY;

    private final Map<Map<String, String>, Deque<Session>> idle = new ConcurrentHashMap<>();

    /** A session with these settings and this probe's TLS socket factory; give it back with {@link #release}. */
    Session take(Map<String, String> settings, TlsSocketFactory tls) {
        // Last in, first out: the sessions a steady load needs stay in use, the rest stay idle.
        Session session = idle.computeIfAbsent(settings, s -> new ConcurrentLinkedDeque<>()).pollFirst();
        if (session == null) {
            return fresh(settings, tls);
        }
        session.getProperties().put(SOCKET_FACTORY, tls);
        return session;
    }

    /** A new session with these settings and this probe's TLS socket factory; pooled or not, as the caller decides. */
    static Session fresh(Map<String, String> settings, TlsSocketFactory tls) {
        Properties properties = new Properties();
        properties.putAll(settings);
        properties.put(SOCKET_FACTORY, tls);
        return Session.getInstance(properties);
    }

    /**
     * Returns a session from {@link #take} once its probe is over, whatever the outcome.
     *
     * @param server the URL the probe connected to: Jakarta Mail remembers a connect without a password
     *     in the session under it, which a reused session must not pile up for every server it met
     */
    void release(Map<String, String> settings, Session session, URLName server) {
        session.getProperties().remove(SOCKET_FACTORY);
        session.setPasswordAuthentication(server, null);
        Deque<Session> sessions = idle.computeIfAbsent(settings, s -> new ConcurrentLinkedDeque<>());
        if (sessions.size() < MAX_IDLE) {
            sessions.offerFirst(session);
        }
    }

    /** Sessions waiting for reuse, for tests. */
    int idle() {
        return idle.values().stream().mapToInt(Deque::size).sum();
    }
}
