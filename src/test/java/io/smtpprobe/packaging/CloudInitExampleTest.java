package io.smtpprobe.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.PolicyTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** systemd/cloud-init.yml: valid cloud-config, and the files it writes are what the agent and the unit expect. */
class CloudInitExampleTest {
    private static final Path EXAMPLE = HostCommand.projectDirectory().resolve("systemd/cloud-init.yml");
    private static final Path UNIT = HostCommand.projectDirectory().resolve("systemd/smtp-probe.service");

    @Test
    void passesCloudInitSchemaValidation() {
        HostCommand.Result schema = HostCommand.run("cloud-init", "cloud-init", "schema", "--config-file",
                EXAMPLE.toString());

        assertThat(schema.exitCode()).as(schema.describe()).isZero();
        assertThat(schema.stdout()).as(schema.describe()).contains("Valid cloud-config");
    }

    @Test
    void writesAConfigTheAgentLoadsWithThePasswordTheUnitPassesAsCredential(@TempDir Path credentials)
            throws Exception {
        JsonNode files = new ObjectMapper(new YAMLFactory()).readTree(EXAMPLE.toFile()).path("write_files");
        JsonNode config = fileAt(files, "/etc/smtp-probe/smtp-probe.yml");
        Matcher credential = Pattern.compile("(?m)^LoadCredential=relay-password:(\\S+)$")
                .matcher(Files.readString(UNIT));
        assertThat(credential.find()).isTrue();
        JsonNode password = fileAt(files, credential.group(1));
        assertThat(password.path("permissions").asText()).isEqualTo("0600");
        assertThat(password.path("owner").asText()).isEqualTo("root:root");

        // What systemd does at start: the credential appears, owner-only, in $CREDENTIALS_DIRECTORY.
        Path copy = credentials.resolve("relay-password");
        Files.writeString(copy, password.path("content").asText());
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("r--------"));
        Config loaded = new ConfigLoader(Map.of("CREDENTIALS_DIRECTORY", credentials.toString()), PolicyTable.NAMES)
                .parse(config.path("content").asText(), "cloud-init.yml");

        TargetConfig relay = loaded.targets().stream().filter(t -> t.auth() != null).findFirst().orElseThrow();
        assertThat(relay.auth().password().reveal()).isEqualTo(password.path("content").asText().strip());
    }

    private static JsonNode fileAt(JsonNode writeFiles, String path) throws IOException {
        for (JsonNode file : writeFiles) {
            if (file.path("path").asText().equals(path)) {
                return file;
            }
        }
        throw new IOException("cloud-init.yml writes no " + path);
    }
}
