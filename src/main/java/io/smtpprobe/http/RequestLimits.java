package io.smtpprobe.http;

import java.time.Duration;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Caps what a client may send and how long it may take. The endpoints need no headers beyond a few
 * standard ones and no body at all, so anything large is refused (431 for headers, by Jetty's parser; 413
 * for a body, by {@link CappedBody}); a connection that has not sent a whole request head within the
 * deadline is closed, however slowly it trickles bytes; and the number of connections is capped.
 *
 * <p>None of this holds a thread: Jetty parses request heads as bytes arrive, without a thread per
 * connection, so clients that send a byte a second cost a socket each and nothing that serves scrapes.
 *
 * @param headerDeadline how long a connection may take to send a request head, from its opening or its
 *     previous request; also how long a connection may stay idle
 * @param maxConnections connections beyond this wait in the kernel's backlog until one closes
 */
record RequestLimits(Duration headerDeadline, int maxConnections) {
    static final int MAX_HEADER_BYTES = 8 * 1024;
    static final int MAX_BODY_BYTES = 4 * 1024;

    /**
     * 10 s: Prometheus sends a scrape's request in one segment; a client that needs longer is not scraping.
     * 512 connections: far more than the scrapers of one VM, few enough for the file descriptor limit.
     */
    static final RequestLimits DEFAULT = new RequestLimits(Duration.ofSeconds(10), 512);

    void applyTo(HttpConfiguration http) {
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setIdleTimeout(headerDeadline.toMillis());
        http.setSendServerVersion(false);
        http.setUseInputDirectByteBuffers(false);
        http.setUseOutputDirectByteBuffers(false);
        http.setSendXPoweredBy(false);
        // A body that trickles in (a POST with Content-Length: 4096 and nothing after) is cut off like a head.
        http.setMinRequestDataRate(MAX_BODY_BYTES / Math.max(1, headerDeadline.toSeconds()));
    }

    /**
     * Closes a connection that has begun no new request within the deadline: a client trickling a request
     * head keeps an idle timeout from ever firing, so the count of requests is what is checked.
     */
    static final class HeadDeadline implements Connection.Listener {
        private final Scheduler scheduler;
        private final Duration deadline;

        HeadDeadline(Scheduler scheduler, Duration deadline) {
            this.scheduler = scheduler;
            this.deadline = deadline;
        }

        @Override
        public void onOpened(Connection connection) {
            check(connection, connection.getMessagesIn());
        }

        private void check(Connection connection, long requestsBefore) {
            scheduler.schedule(() -> {
                if (!connection.getEndPoint().isOpen()) {
                    return;
                }
                long requests = connection.getMessagesIn();
                if (requests == requestsBefore) {
                    connection.getEndPoint().close();
                } else {
                    check(connection, requests);
                }
            }, deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }
}
