package io.smtpprobe.engine;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider that writes what the libraries log (Jetty, dnsjava) into the agent's {@link EventLog}:
 * their warnings and errors as warnings and errors, their information at debug, their own debug and trace
 * not at all. A library's warning is how the agent learns that its listener is in trouble (issue 23: Jetty's
 * "Unable to register OP_ACCEPT" went to slf4j-nop and no one saw it).
 *
 * <p>SLF4J finds its provider with the ServiceLoader, once per JVM, so the log it writes to is the one
 * piece of static state here: {@link #routeTo} sets it when a daemon or a check starts. Before that,
 * library errors go to standard error in the same format, rather than nowhere.
 */
public final class LibraryLog implements SLF4JServiceProvider {
    private static volatile EventLog sink;

    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private final ILoggerFactory loggers = Bridge::new;

    /** Where library log lines go from now on. */
    public static void routeTo(EventLog log) {
        sink = log;
    }

    private static EventLog sink() {
        EventLog log = sink;
        if (log == null) {
            log = new EventLog(System.err, java.time.Clock.systemUTC(), LogLevel.ERROR, true);
            sink = log;
        }
        return log;
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // Nothing to set up: the sink is set by routeTo.
    }

    /** One library logger; its level test is the agent's, after the mapping above. */
    private static final class Bridge extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;

        Bridge(String name) {
            this.name = name;
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public boolean isInfoEnabled() {
            return sink().enabled(LogLevel.DEBUG);
        }

        @Override
        public boolean isWarnEnabled() {
            return sink().enabled(LogLevel.WARN);
        }

        @Override
        public boolean isErrorEnabled() {
            return sink().enabled(LogLevel.ERROR);
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                Throwable throwable) {
            LogLevel agentLevel = switch (level) {
                case ERROR -> LogLevel.ERROR;
                case WARN -> LogLevel.WARN;
                case INFO -> LogLevel.DEBUG;
                case DEBUG, TRACE -> null;
            };
            if (agentLevel == null) {
                return;
            }
            String message = MessageFormatter.basicArrayFormat(pattern, arguments);
            // The exception's class and message, never its stack trace: one line per event.
            if (throwable == null) {
                sink().log(agentLevel, message, "logger", name);
            } else {
                sink().log(agentLevel, message, "logger", name, "error", throwable.toString());
            }
        }
    }
}
