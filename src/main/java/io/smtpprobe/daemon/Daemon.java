package io.smtpprobe.daemon;

import io.smtpprobe.engine.LibraryLog;





import io.smtpprobe.config.Config;
import java.nio.file.Path;

/**
 * {@code smtp-probe run}: the agent with its HTTP endpoints in front. The CLI calls {@link #run};
 * tests call {@link #start} and stop the agent themselves.
 */
public final class Daemon {
    private final RunningAgent agent;
    private final FrontEnd http;

    private Daemon(RunningAgent agent, FrontEnd http) {
        this.agent = agent;
        this.http = http;
    }

    /**
     * Starts probing and serving, without signal handlers (for tests in a shared JVM).
     *
     * @param configFile re-read on reload; null when running on the built-in default
     * @param listenAddress the {@code --web.listen-address} flag, or null for {@code web.listen_address}
     * @param frontEnd starts the HTTP endpoints ({@code AgentHttpServer::new})
     * @throws java.io.UncheckedIOException when the listen address cannot be bound (the agent is stopped again)
     */
    public static Daemon start(Config config, Path configFile, AgentOptions options, String listenAddress,
            FrontEnd.Factory frontEnd) {
        return start(config, configFile, options, listenAddress, frontEnd, null);
    }

    /**
     * Runs until SIGTERM or SIGINT; SIGHUP reloads. Returns the exit code (0 after a clean shutdown).
     * The handlers are in place before the HTTP server logs {@code listening}.
     */
    public static int run(Config config, Path configFile, AgentOptions options, String listenAddress,
            FrontEnd.Factory frontEnd) throws InterruptedException {
        return run(config, configFile, options, listenAddress, frontEnd, SignalHandlers.install(options.log()));
    }

    /**
     * As {@link #run(Config, Path, AgentOptions, String, FrontEnd.Factory)}, with handlers the caller installed before
     * anything slow; signals that came meanwhile are acted on once the agent runs.
     */
    public static int run(Config config, Path configFile, AgentOptions options, String listenAddress,
            FrontEnd.Factory frontEnd, SignalHandlers signals) throws InterruptedException {
        return start(config, configFile, options, listenAddress, frontEnd, signals).agent.awaitShutdown();
    }

    private static Daemon start(Config config, Path configFile, AgentOptions options, String listenAddress,
            FrontEnd.Factory frontEnd, SignalHandlers signals) {
        LibraryLog.routeTo(options.log());
        RunningAgent agent = Agent.start(config, configFile, options);
        try {
            if (signals != null) {
                signals.started(agent);
            }
            String address = listenAddress != null ? listenAddress : config.web().listenAddress();
            return new Daemon(agent, frontEnd.start(address, agent, options.log()));
        } catch (RuntimeException e) {
            agent.shutdown();
            throw e;
        }
    }

    public RunningAgent agent() {
        return agent;
    }

    /** The bound HTTP port. */
    public int port() {
        return http.port();
    }
}
