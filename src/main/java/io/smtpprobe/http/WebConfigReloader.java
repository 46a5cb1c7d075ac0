package io.smtpprobe.http;

import io.smtpprobe.config.ConfigException;
import io.smtpprobe.engine.EventLog;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The users and headers of a {@code --web.config.file} as the file says now. exporter-toolkit reads its
 * file at every request, so a fleet rotates a basic-auth password or changes a header without restarting
 * exporters; so does smtp-probe: the file is read at every request and parsed again when its bytes
 * changed. A file that no longer reads or parses, or that drops every user while users were in force
 * (fail closed: an empty or half-written file is not "no authentication"), leaves the last good users and
 * headers in force and is logged once, with every error. A change to {@code tls_server_config} takes effect at the next start
 * (logged once); the certificate and key themselves are read at every handshake.
 */
final class WebConfigReloader {
    /**
     * What a request is checked and answered with.
     *
     * @param clientsAuthenticated whether every client proves who it is (basic auth users, or verified client
     *     certificates required): only then is {@code POST /-/reload} served to other machines
     */
    record Settings(BasicAuth auth, Map<String, String> headers, boolean clientsAuthenticated) {}

    private final Path file;
    private final EventLog log;
    private final TlsServerConfig startedTls;
    private final BcryptChecks checks;
    private final Map<String, String> environment;
    private byte[] bytes;
    private Settings settings;
    /** The content last refused or found with changed TLS settings, so each is logged once. */
    private byte[] reported;
    private String unreadable;

    /**
     * @param file null for no file: plain HTTP, no users, no headers, for good
     * @param checks where bcrypt runs, for every version of the users
     */
    WebConfigReloader(Path file, WebConfigFile loaded, BcryptChecks checks, Map<String, String> environment,
            EventLog log) {
        this.environment = environment;
        this.file = file;
        this.log = log;
        this.checks = checks;
        this.startedTls = loaded.tls();
        this.settings = settings(loaded.basicAuthUsers(), loaded.headers());
        if (file != null) {
            try {
                bytes = WebConfigFile.read(file);
            } catch (ConfigException e) {
                bytes = new byte[0]; // read again at the first request
            }
        }
    }

    private Settings settings(Map<String, String> users, Map<String, String> headers) {
        boolean certificates = startedTls != null
                && startedTls.clientAuth() == TlsServerConfig.ClientAuth.RequireAndVerifyClientCert;
        return new Settings(new BasicAuth(users, checks), headers, !users.isEmpty() || certificates);
    }

    synchronized Settings current() {
        if (file == null) {
            return settings;
        }
        byte[] now;
        try {
            now = WebConfigFile.read(file);
            unreadable = null;
        } catch (ConfigException e) {
            if (!e.getMessage().equals(unreadable)) {
                unreadable = e.getMessage();
                log.error("web config file unreadable; the last good users and headers stay", "file", file,
                        "error", e.errors().get(0));
            }
            return settings;
        }
        if (Arrays.equals(now, bytes) || Arrays.equals(now, reported)) {
            return settings;
        }
        WebConfigFile fresh;
        try {
            fresh = WebConfigFile.parse(file, now, WebConfigPaths.of(environment));
        } catch (ConfigException e) {
            reported = now;
            log.error("web config file changed but is refused; the last good users and headers stay", "file", file,
                    "errors", e.errors().size());
            e.errors().forEach(error -> log.error("web config error", "file", file, "error", error));
            return settings;
        }
        if (settings.auth().enabled() && fresh.basicAuthUsers().isEmpty()) {
            // An empty file, or one cut off after "basic_auth_users:", is what a rewrite in progress looks like
            // (cp and cat > truncate first): taken as "no users", it served requests without authentication
            // (issue 23). Turning authentication off takes a restart, which reads the file afresh.
            reported = now;
            log.error("web config file changed to no basic_auth_users; refused, authentication stays on with the"
                    + " last good users (to turn it off, restart the agent)", "file", file);
            return settings;
        }
        bytes = now;
        reported = null;
        settings = settings(fresh.basicAuthUsers(), fresh.headers());
        log.info("web config file reloaded", "file", file, "basic_auth", fresh.basicAuthUsers().isEmpty() ? "off" : "on",
                "headers", fresh.headers().size());
        if (!Objects.equals(fresh.tls(), startedTls)) {
            log.warn("tls_server_config changed; it takes effect at the next restart (the certificate and key"
                    + " files are read at every handshake)", "file", file);
        }
        return settings;
    }
}
