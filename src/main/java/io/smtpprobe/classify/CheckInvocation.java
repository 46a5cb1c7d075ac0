package io.smtpprobe.classify;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How the targets of a round were chosen, so that advice can print a {@code smtp-probe check} command
 * that runs as printed: {@code --config FILE --only NAME} for configured targets (no {@code --config}
 * with the built-in default), or the {@code --target SPEC} a target was written as.
 *
 * @param configFile the configuration file, or null for the built-in default
 * @param targetSpecs target name to the {@code --target} spec it came from; empty for configured targets
 * @param flags the user's other flags that change what a round finds ({@code --offer pay-as-you-go},
 *     {@code --created}, {@code --port25-exemption}, {@code --timeout}), repeated in every command printed
 * @param firewallCommands the commands that show this VM's firewall rules, of the tools installed here: advice
 *     prints only what runs (the boot test runs every command {@code check} prints, as printed)
 */
public record CheckInvocation(Path configFile, Map<String, String> targetSpecs, List<String> flags,
        List<String> firewallCommands) {
    /** Characters a POSIX shell takes literally; anything else is quoted. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9@%+=:,./_-]+");
    /** Each firewall tool a Linux VM may have, and the command that shows its rules for outbound traffic. */
    private static final Map<String, String> FIREWALL_TOOLS = firewallTools();
    /** Where the tools are installed (root's PATH on Debian and RHEL; a service's PATH lacks the sbin ones). */
    private static final List<Path> TOOL_DIRECTORIES = Stream.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")
            .map(Path::of).toList();

    public CheckInvocation {
        targetSpecs = Collections.unmodifiableMap(new LinkedHashMap<>(targetSpecs));
        flags = List.copyOf(flags);
        firewallCommands = List.copyOf(firewallCommands);
    }

    /** The targets of a configuration file, or of the built-in default when {@code configFile} is null. */
    public static CheckInvocation configured(Path configFile) {
        return new CheckInvocation(configFile, Map.of(), List.of(), List.copyOf(FIREWALL_TOOLS.values()));
    }

    /** Targets given on the command line, by name. */
    public static CheckInvocation specs(Map<String, String> targetSpecs) {
        return new CheckInvocation(null, targetSpecs, List.of(), List.copyOf(FIREWALL_TOOLS.values()));
    }

    /** This invocation, its commands repeating {@code flags} (words, as typed) after the targets. */
    public CheckInvocation withFlags(List<String> flags) {
        return new CheckInvocation(configFile, targetSpecs, flags, firewallCommands);
    }

    /** This invocation on this machine: of the firewall commands, those whose tool is installed here. */
    public CheckInvocation onThisMachine() {
        return withFirewallTools(tool -> TOOL_DIRECTORIES.stream().anyMatch(d -> Files.isExecutable(d.resolve(tool))));
    }

    /** This invocation where {@code installed} says which firewall tools (nft, iptables, ufw, firewall-cmd) exist. */
    public CheckInvocation withFirewallTools(Predicate<String> installed) {
        List<String> commands = FIREWALL_TOOLS.entrySet().stream().filter(e -> installed.test(e.getKey()))
                .map(Map.Entry::getValue).toList();
        return new CheckInvocation(configFile, targetSpecs, flags, commands);
    }

    private static Map<String, String> firewallTools() {
        Map<String, String> tools = new LinkedHashMap<>();
        tools.put("nft", "nft list ruleset");
        tools.put("iptables", "iptables -S OUTPUT");
        tools.put("ufw", "ufw status verbose");
        tools.put("firewall-cmd", "firewall-cmd --list-all");
        return Collections.unmodifiableMap(tools);
    }

    /** {@code smtp-probe check} on the one target, with the options given (such as {@code --transcript}). */
    public String check(String target, String... options) {
        if (!targetSpecs.isEmpty() && !targetSpecs.containsKey(target)) {
            return checkAll(options); // not one of the specs: all of them is what runs
        }
        List<String> words = new ArrayList<>(List.of("smtp-probe", "check"));
        String spec = targetSpecs.get(target);
        if (spec != null) {
            words.addAll(List.of("--target", spec));
        } else {
            if (configFile != null) {
                words.addAll(List.of("--config", configFile.toString()));
            }
            words.addAll(List.of("--only", target));
        }
        words.addAll(flags);
        words.addAll(List.of(options));
        return String.join(" ", words.stream().map(CheckInvocation::quote).toList());
    }

    /** {@code smtp-probe check} on every target again, with the options given. */
    public String checkAll(String... options) {
        List<String> words = new ArrayList<>(List.of("smtp-probe", "check"));
        if (!targetSpecs.isEmpty()) {
            targetSpecs.values().forEach(spec -> words.addAll(List.of("--target", spec)));
        } else if (configFile != null) {
            words.addAll(List.of("--config", configFile.toString()));
        }
        words.addAll(flags);
        words.addAll(List.of(options));
        return String.join(" ", words.stream().map(CheckInvocation::quote).toList());
    }

    /** A word as a POSIX shell must be given it: as is when plain, else in single quotes. */
    public static String quote(String word) {
        if (PLAIN.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
