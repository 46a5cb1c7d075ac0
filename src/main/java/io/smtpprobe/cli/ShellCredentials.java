package io.smtpprobe.cli;

import io.smtpprobe.classify.CheckInvocation;
import io.smtpprobe.config.ServiceCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code check} in a shell on an installed VM: a config whose secrets are the service's systemd credentials
 * ({@code ${CREDENTIALS_DIRECTORY}} is set only for the unit) is read as the service reads it, each credential
 * from the file the unit's {@code LoadCredential=} copies, which root can read (issue 22: the advice's own
 * commands exited 78 on an installed VM). Where that cannot be done, it says which command runs the check with
 * the service's credentials.
 */
final class ShellCredentials {
    private static final Pattern CREDENTIAL = Pattern.compile("\\$\\{CREDENTIALS_DIRECTORY}/([A-Za-z0-9_.@:-]+)");
    /** A config larger than this is refused by the loader anyway; it is not read here. */
    private static final long MAX_CONFIG_BYTES = 1024 * 1024;

    private final ServiceCredentials service;
    /** The credential IDs the config names as {@code ${CREDENTIALS_DIRECTORY}/ID}. */
    private final Set<String> ids;

    private ShellCredentials(ServiceCredentials service, Set<String> ids) {
        this.service = service;
        this.ids = ids;
    }

    /** The service's view for this config, or null when the config or the environment does not need one. */
    static ShellCredentials of(Path configFile, Map<String, String> environment, List<Path> unitPath) {
        if (configFile == null || environment.containsKey("CREDENTIALS_DIRECTORY")) {
            return null;
        }
        String text;
        try {
            // Looked at before it is read, as the loader does: a FIFO's open waits for a writer, forever.
            if (!Files.isRegularFile(configFile) || Files.size(configFile) > MAX_CONFIG_BYTES) {
                return null;
            }
            text = Files.readString(configFile);
        } catch (IOException | RuntimeException e) {
            return null; // the loader reads it again and says what is wrong with it
        }
        Set<String> found = new TreeSet<>();
        Matcher ids = CREDENTIAL.matcher(text);
        while (ids.find()) {
            found.add(ids.group(1));
        }
        return found.isEmpty() ? null : new ShellCredentials(ServiceUnit.credentials(unitPath), found);
    }

    ServiceCredentials service() {
        return service;
    }

    /** Whether some secret could not be read from this shell. */
    boolean missing() {
        return !service.notes().isEmpty();
    }

    /**
     * What to run when a secret of the service cannot be read from this shell: the commands in backticks, as
     * every command the product prints, each runnable as printed (the boot test runs them).
     *
     * @param check the {@code smtp-probe check} command that repeats this one (its config and flags)
     */
    String advice(String check) {
        // The unit's own lines when it was read; else the config's IDs from /etc/smtp-probe, as the package installs.
        // Only the credentials this config reads: systemd-run fails on a LoadCredential= whose source is missing, and
        // the unit loads some (a delivery target's mailbox password) that a config without one has no file for.
        List<String> settings = service.loadCredentialSettings().stream()
                .filter(setting -> ids.contains(setting.substring("LoadCredential=".length(), setting.indexOf(':'))))
                .toList();
        List<String> loads = !settings.isEmpty() ? settings
                : ids.stream().map(id -> "LoadCredential=" + id + ":/etc/smtp-probe/" + id).toList();
        List<String> words = new ArrayList<>(List.of("sudo", "systemd-run", "--pipe", "--wait"));
        for (String setting : loads) {
            words.addAll(List.of("-p", setting));
        }
        return "this config's secrets are the service's systemd credentials, and this shell cannot read them ("
                + String.join("; ", service.notes()) + "). Run check as root, which reads each credential from"
                + " the file the unit's LoadCredential= names (`sudo " + check + "`), or with the service's"
                + " credentials: `" + String.join(" ", words.stream().map(CheckInvocation::quote).toList()) + " "
                + check + "`";
    }
}
