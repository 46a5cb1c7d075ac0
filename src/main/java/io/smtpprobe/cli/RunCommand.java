package io.smtpprobe.cli;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigException;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.daemon.Daemon;
import io.smtpprobe.daemon.SignalHandlers;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.engine.NetworkProbers;
import io.smtpprobe.http.AgentHttpServer;
import io.smtpprobe.http.WebConfigFile;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.report.ExitCodes;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code smtp-probe run}: the agent, probing on schedule and serving metrics until SIGTERM. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run the agent: probe every target on its schedule and serve /metrics, /status,"
                + " /-/healthy, /-/ready and POST /-/reload. SIGHUP reloads the config; SIGTERM and SIGINT stop it.",
            "Exit codes: 0 stopped by a signal, 78 config error, 70 internal error (e.g. the port is taken)."})
final class RunCommand implements Callable<Integer> {
    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The configuration file, re-read on reload. Without it, the built-in default targets.")
    private Path configFile;

    @Mixin
    private RunOptions options;

    RunCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        LogLevel level = options.logLevel();
        String listenAddress = options.listenAddress();
        Path webConfigFile = options.webConfigFile();
        AgentOptions agentOptions = AgentOptions.defaults(VersionProvider.version(), environment, level,
                new NetworkProbers(Clock.systemUTC(), Ticker.SYSTEM));
        // Before anything slow: a SIGHUP (systemctl reload) right after start must not kill the agent.
        SignalHandlers signals = SignalHandlers.install(agentOptions.log());
        Config config;
        WebConfigFile web;
        try {
            config = ConfigFiles.loadOrBuiltIn(configFile, environment);
            web = webConfigFile == null ? WebConfigFile.NONE : WebConfigFile.load(webConfigFile, environment);
        } catch (ConfigException e) {
            err.println("smtp-probe: " + e.getMessage());
            err.flush();
            return ExitCodes.CONFIG;
        }
        try {
            return Daemon.run(config, configFile, agentOptions, listenAddress,
                    (address, agent, log) -> new AgentHttpServer(address, webConfigFile, web, environment, agent, log),
                    signals);
        } catch (UncheckedIOException e) {
            err.println("smtp-probe: " + e.getMessage());
            err.flush();
            return ExitCodes.INTERNAL;
        }
    }
}
