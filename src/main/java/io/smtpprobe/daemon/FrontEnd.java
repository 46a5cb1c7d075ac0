package io.smtpprobe.daemon;

import io.smtpprobe.engine.EventLog;

/**
 * What serves a running agent to the outside: the HTTP endpoints ({@code http.AgentHttpServer}). The
 * daemon starts it after the agent and the agent closes it at shutdown; it lives in a package above
 * this one (the code layout in README.md: {@code daemon <- http}), so the daemon is handed the way to start it.
 */
public interface FrontEnd extends AutoCloseable {
    /** The bound port. */
    int port();

    /** Starts a front end for {@code agent} on {@code listenAddress}. */
    @FunctionalInterface
    interface Factory {
        FrontEnd start(String listenAddress, RunningAgent agent, EventLog log);
    }
}
