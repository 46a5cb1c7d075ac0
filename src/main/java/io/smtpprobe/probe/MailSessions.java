package io.smtpprobe.probe;

import jakarta.mail.Session;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Angus Mail sessions kept for reuse. Making a {@link Session} reads Angus's provider lists from the
 * jar and runs service lookups: about a sixth of the CPU of a STARTTLS probe in the benchmark's
 * profile. A session holds no connection state, only settings, so probes with the same settings
 * reuse one, each session used by one probe at a time. The only per-probe setting, the TLS socket
 * factory, is put in when a session is taken and removed when it comes back, so an idle session
 * keeps no probe's socket alive. At most as many sessions per set of settings as probes ever ran
 * them at once. Thread-safe.
 */
final class MailSessions {
    private static final String SOCKET_FACTORY = "mail.smtp.ssl.socketFactory";

    private final Map<Map<String, String>, Queue<Session>> idle = new ConcurrentHashMap<>();

    /** A session with these settings and this probe's TLS socket factory; give it back with {@link #release}. */
    Session take(Map<String, String> settings, TlsSocketFactory tls) {
        Session session = idle.computeIfAbsent(settings, s -> new ConcurrentLinkedQueue<>()).poll();
        if (session == null) {
            Properties properties = new Properties();
            properties.putAll(settings);
            session = Session.getInstance(properties);
        }
        session.getProperties().put(SOCKET_FACTORY, tls);
        return session;
    }

    /** Returns a session from {@link #take} once its probe is over, whatever the outcome. */
    void release(Map<String, String> settings, Session session) {
        session.getProperties().remove(SOCKET_FACTORY);
        idle.computeIfAbsent(settings, s -> new ConcurrentLinkedQueue<>()).offer(session);
    }

    /** Sessions waiting for reuse, for tests. */
    int idle() {
        return idle.values().stream().mapToInt(Queue::size).sum();
    }
}
