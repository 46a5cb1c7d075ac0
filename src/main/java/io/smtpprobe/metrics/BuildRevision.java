package io.smtpprobe.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The git revision the jar was built from, for {@code smtp_probe_build_info{revision}}: written at build
 * time by {@code git rev-parse HEAD} (pom.xml, generate-resources), {@code unknown} when the build ran
 * outside a git checkout or without git.
 */
final class BuildRevision {
    static final String RESOURCE = "/io/smtpprobe/revision.properties";
    static final String UNKNOWN = "unknown";

    private BuildRevision() {}

    static String read() {
        try (InputStream in = BuildRevision.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties properties = new Properties();
            properties.load(in);
            String revision = properties.getProperty("revision", "").trim();
            return revision.matches("[0-9a-f]{7,64}") ? revision : UNKNOWN;
        } catch (IOException e) {
            return UNKNOWN;
        }
    }
}
