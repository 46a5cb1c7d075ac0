package io.smtpprobe.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.CancelledKeyException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What Jetty and dnsjava log through SLF4J lands in the agent's log, as one logfmt line, at the mapped level. */
class LibraryLogTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private void routeAt(LogLevel level) {
        LibraryLog.routeTo(new EventLog(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC), level, false));
    }

    @AfterEach
    void routeBackToTheDefault() {
        LibraryLog.routeTo(null);
    }

    @Test
    void writesALibraryWarningWithItsLoggerAndExceptionButNoStackTrace() {
        routeAt(LogLevel.INFO);
        LoggerFactory.getLogger("org.eclipse.jetty.io.ManagedSelector")
                .warn("Unable to register OP_ACCEPT on {}", "sun.nio.ch.ServerSocketChannelImpl", new CancelledKeyException());
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("level=warn msg=\"Unable to register OP_ACCEPT on"
                + " sun.nio.ch.ServerSocketChannelImpl\" logger=org.eclipse.jetty.io.ManagedSelector"
                + " error=java.nio.channels.CancelledKeyException" + System.lineSeparator());
    }

    @Test
    void writesLibraryInformationOnlyAtDebugAndLibraryDebugNever() {
        routeAt(LogLevel.INFO);
        LoggerFactory.getLogger("org.eclipse.jetty.server.Server").info("Started {}", "oejs.Server@1");
        LoggerFactory.getLogger("org.xbill.DNS.Resolver").debug("sending query");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEmpty();

        routeAt(LogLevel.DEBUG);
        LoggerFactory.getLogger("org.eclipse.jetty.server.Server").info("Started {}", "oejs.Server@1");
        LoggerFactory.getLogger("org.xbill.DNS.Resolver").debug("sending query");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("level=debug msg=\"Started oejs.Server@1\""
                + " logger=org.eclipse.jetty.server.Server" + System.lineSeparator());
    }
}
