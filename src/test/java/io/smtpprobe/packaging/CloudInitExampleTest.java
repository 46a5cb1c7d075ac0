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
import java.util.List;
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
        Map<String, String> variables = variables(files);
        String config = fileAt(files, "/etc/smtp-probe/smtp-probe.yml").path("content").asText();
        String script = fileAt(files, "/run/smtp-probe-install.sh").path("content").asText();
        Matcher credential = Pattern.compile("(?m)^LoadCredential=relay-password:(\\S+)$")
                .matcher(Files.readString(UNIT));
        assertThat(credential.find()).isTrue();
        // The install script writes the password where the unit loads the credential from, owner-only.
        assertThat(script).contains("install -m 0600 /dev/null " + credential.group(1))
                .contains("\"$SMTP_PROBE_RELAY_PASSWORD\" > " + credential.group(1));

        // What the script and systemd do at start: placeholders filled in, the credential owner-only.
        String filled = config;
        for (Matcher placeholder = Pattern.compile("@(SMTP_PROBE_[A-Z_]+)@").matcher(config); placeholder.find(); ) {
            assertThat(variables).as("the variables file sets " + placeholder.group(1)).containsKey(placeholder.group(1));
            filled = filled.replace(placeholder.group(), variables.get(placeholder.group(1)));
        }
        Path copy = credentials.resolve("relay-password");
        Files.writeString(copy, variables.get("SMTP_PROBE_RELAY_PASSWORD") + "\n");
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("r--------"));
        Config loaded = new ConfigLoader(Map.of("CREDENTIALS_DIRECTORY", credentials.toString()), PolicyTable.NAMES)
                .parse(filled, "cloud-init.yml");

        TargetConfig relay = loaded.targets().stream().filter(t -> t.auth() != null).findFirst().orElseThrow();
        assertThat(relay.auth().password().reveal()).isEqualTo(variables.get("SMTP_PROBE_RELAY_PASSWORD"));
        assertThat(relay.auth().username()).isEqualTo(variables.get("SMTP_PROBE_RELAY_USER"));
        assertThat(loaded.subscription().offer()).isEqualTo(variables.get("SMTP_PROBE_OFFER"));
    }

    @Test
    void takesEveryValueFromTheOneVariablesFileItDocuments() throws Exception {
        JsonNode files = new ObjectMapper(new YAMLFactory()).readTree(EXAMPLE.toFile()).path("write_files");
        Map<String, String> variables = variables(files);
        String header = Files.readString(EXAMPLE).lines().takeWhile(l -> l.startsWith("#"))
                .collect(java.util.stream.Collectors.joining("\n"));

        assertThat(variables).containsOnlyKeys("SMTP_PROBE_DEB_URL", "SMTP_PROBE_DEB_SHA256", "SMTP_PROBE_OFFER",
                "SMTP_PROBE_RELAY_USER", "SMTP_PROBE_RELAY_PASSWORD");
        variables.keySet().forEach(name -> assertThat(header).as("documented at the top").contains("#   " + name));
        // Nothing else to edit: no value outside the variables file is a placeholder.
        String whole = Files.readString(EXAMPLE);
        String variablesFile = fileAt(files, "/run/smtp-probe-install.env").path("content").asText();
        for (String placeholder : List.of("replace-with", "packages.example.com", "my-smtp-username")) {
            assertThat(variablesFile).contains(placeholder);
            assertThat(whole.split(Pattern.quote(placeholder), -1)).as(placeholder + " only in the variables file")
                    .hasSize(2);
        }
    }

    @Test
    void refusesADownloadWhoseSha256DiffersBeforeInstallingAnything(@TempDir Path work) throws Exception {
        JsonNode files = new ObjectMapper(new YAMLFactory()).readTree(EXAMPLE.toFile()).path("write_files");
        Path script = work.resolve("install.sh");
        Files.writeString(script, fileAt(files, "/run/smtp-probe-install.sh").path("content").asText());
        byte[] served = "not the package you published\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/smtp-probe.deb", exchange -> {
            exchange.sendResponseHeaders(200, served.length);
            try (var body = exchange.getResponseBody()) {
                body.write(served);
            }
        });
        server.start();
        try {
            Path env = work.resolve("install.env");
            Files.writeString(env, "SMTP_PROBE_DEB_URL='http://127.0.0.1:" + server.getAddress().getPort()
                    + "/smtp-probe.deb'\nSMTP_PROBE_DEB_SHA256='" + "ab".repeat(32) + "'\n"
                    + "SMTP_PROBE_OFFER='pay-as-you-go'\nSMTP_PROBE_RELAY_USER='u'\nSMTP_PROBE_RELAY_PASSWORD=''\n");

            HostCommand.Result run = HostCommand.run(java.time.Duration.ofMinutes(1),
                    Map.of("SMTP_PROBE_INSTALL_ENV", env.toString()), "dash", "sh", script.toString());

            assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
            assertThat(run.stderr()).contains("does not have the SHA-256 SMTP_PROBE_DEB_SHA256 says; not installed");
            // The variables file (it may hold the password) is gone, whatever happened.
            assertThat(env).doesNotExist();
        } finally {
            server.stop(0);
        }
        String text = fileAt(files, "/run/smtp-probe-install.sh").path("content").asText();
        assertThat(text.indexOf("sha256sum -c")).isPositive().isLessThan(text.indexOf("apt-get install"))
                .isLessThan(text.indexOf("sed -i"));
    }

    /** The shell variables of the one file the user edits, NAME='value' per line. */
    private static Map<String, String> variables(JsonNode files) throws IOException {
        Map<String, String> variables = new java.util.LinkedHashMap<>();
        Matcher line = Pattern.compile("(?m)^(SMTP_PROBE_[A-Z0-9_]+)='([^']*)'$")
                .matcher(fileAt(files, "/run/smtp-probe-install.env").path("content").asText());
        while (line.find()) {
            variables.put(line.group(1), line.group(2));
        }
        return variables;
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
