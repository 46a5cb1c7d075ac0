package io.smtpprobe.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven wrote into {@code version.properties} at build time. */
public final class VersionProvider implements IVersionProvider {
    /** The build's version, also exported as {@code smtp_probe_build_info{version}}. */
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("/io/smtpprobe/version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"smtp-probe " + version(), "Java " + Runtime.version()};
    }
}
