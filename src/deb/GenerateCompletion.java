import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.cli.Main;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.policy.Offer;
import io.smtpprobe.policy.PolicyTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Package-time tool (run by Maven as a single-file source program, never shipped): writes the bash
 * completion script from the picocli model of the real command line, so it cannot drift from the
 * options the program accepts. The man pages are written by hand (src/man).
 *
 * <p>Before the script is made, every option whose values are a known vocabulary gets them as
 * completion candidates, spelled as the program and the docs spell them: enum values in lower case
 * ({@code text json}), the offer keys, aliases, {@code auto} and {@code unknown} for {@code --offer},
 * the log levels for {@code --log.level}.
 *
 * <p>It goes through {@link Main#commandLine} because the commands are built by Main's factory. The
 * environment is empty on purpose: the generated text must not depend on the build machine.
 *
 * <p>Argument: the completion script's path.
 */
public final class GenerateCompletion {
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: GenerateCompletion COMPLETION_FILE");
        }
        Path completion = Path.of(args[0]);
        PrintWriter discard = new PrintWriter(new StringWriter());
        CommandLine commandLine = Main.commandLine(Map.of(), discard, discard);
        withCandidates(commandLine);

        Files.createDirectories(completion.toAbsolutePath().getParent());
        Files.writeString(completion, withoutHashbang(AutoComplete.bash("smtp-probe", commandLine)),
                StandardCharsets.UTF_8);
    }

    /** Replaces each option that has a vocabulary by a copy that offers it, in every command. */
    private static void withCandidates(CommandLine commandLine) {
        CommandSpec spec = commandLine.getCommandSpec();
        for (OptionSpec option : List.copyOf(spec.options())) {
            List<String> values = vocabulary(option);
            if (values != null) {
                spec.remove(option);
                spec.addOption(OptionSpec.builder(option).completionCandidates(values).build());
            }
        }
        commandLine.getSubcommands().values().forEach(GenerateCompletion::withCandidates);
    }

    private static List<String> vocabulary(OptionSpec option) {
        List<String> names = Arrays.asList(option.names());
        if (names.contains("--offer")) {
            List<String> offers = new ArrayList<>();
            for (Offer offer : PolicyTable.offers()) {
                offers.add(offer.key());
                offers.addAll(offer.aliases());
            }
            offers.add(ConfigLoader.AUTO);
            return offers;
        }
        if (names.contains("--log.level")) {
            return Arrays.stream(LogLevel.values()).map(LogLevel::label).toList();
        }
        if (option.type().isEnum()) {
            return Arrays.stream(option.type().getEnumConstants())
                    .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT)).toList();
        }
        return null;
    }

    /** bash-completion sources the script; Debian (lintian bash-completion-with-hashbang) wants no #! line. */
    private static String withoutHashbang(String script) {
        return script.startsWith("#!") ? script.substring(script.indexOf('\n') + 1) : script;
    }
}
