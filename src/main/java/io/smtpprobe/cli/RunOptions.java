package io.smtpprobe.cli;

import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.http.ListenAddress;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of {@code run} beside {@code --config}, which {@code check-config} takes too: the unit's
 * {@code ExecStartPre} passes it the {@code $ARGS} of /etc/default/smtp-probe, so the web config the agent will
 * use is checked before it starts (issue 23).
 */
final class RunOptions {
    @Option(names = "--web.listen-address", paramLabel = "HOST:PORT",
            description = "Where to serve HTTP (:PORT for every interface); overrides web.listen_address.")
    private String listenAddress;

    @Option(names = "--web.config.file", paramLabel = "FILE",
            description = "TLS, basic authentication and headers for every endpoint, in the format of Prometheus'"
                    + " exporter-toolkit (tls_server_config, basic_auth_users, http_server_config).")
    private Path webConfigFile;

    @Option(names = "--log.level", paramLabel = "LEVEL", defaultValue = "info",
            description = "debug, info, warn or error (default: ${DEFAULT-VALUE}).")
    private String logLevel;

    /** The listen address, checked; null when not given. */
    String listenAddress() {
        if (listenAddress != null) {
            try {
                ListenAddress.parse(listenAddress, "--web.listen-address");
            } catch (IllegalArgumentException e) {
                throw new ErrorHandler.UsageProblem(e.getMessage());
            }
        }
        return listenAddress;
    }

    /** Null when not given. */
    Path webConfigFile() {
        return webConfigFile;
    }

    LogLevel logLevel() {
        try {
            return LogLevel.parse(logLevel);
        } catch (IllegalArgumentException e) {
            throw new ErrorHandler.UsageProblem("--log.level: " + e.getMessage());
        }
    }
}
