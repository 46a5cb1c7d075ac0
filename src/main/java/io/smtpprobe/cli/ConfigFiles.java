package io.smtpprobe.cli;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigException;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.policy.PolicyTable;
import java.nio.file.Path;
import java.util.Map;

/** How every command reads its configuration: the named file, or the built-in default without one. */
final class ConfigFiles {
    private ConfigFiles() {}

    static Config loadOrBuiltIn(Path file, Map<String, String> environment) throws ConfigException {
        return file == null ? ConfigLoader.builtInDefault() : load(file, environment);
    }

    static Config load(Path file, Map<String, String> environment) throws ConfigException {
        return new ConfigLoader(environment, PolicyTable.NAMES).load(file);
    }
}
