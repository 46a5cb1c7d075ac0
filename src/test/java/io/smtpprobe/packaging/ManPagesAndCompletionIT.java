package io.smtpprobe.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.cli.Main;
import io.smtpprobe.policy.Offer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The hand-written man pages render without a warning and cover what the program has (every
 * command and option, every config key the loader accepts), and the packaged bash completion
 * offers every value of every option with a vocabulary, spelled as the program takes it.
 */
class ManPagesAndCompletionIT {
    private static final Path PROJECT = HostCommand.projectDirectory();
    private static final Path COMMAND_PAGE = PROJECT.resolve("target/deb-docs/man1/smtp-probe.1.gz");
    private static final Path CONFIG_PAGE = PROJECT.resolve("target/deb-docs/man5/smtp-probe.yml.5.gz");
    private static final Path COMPLETION = PROJECT.resolve("target/completion/smtp-probe");

    @Test
    void bothPagesRenderWithManAndWithoutAGroffWarning() {
        for (Path page : List.of(COMMAND_PAGE, CONFIG_PAGE)) {
            HostCommand.Result man = HostCommand.run(Duration.ofMinutes(1), Map.of("MANWIDTH", "100", "MAN_KEEP_STDERR", "1"),
                    "man-db", "man", "-l", "-Tutf8", page.toString());
            assertThat(man.exitCode()).as(man.describe()).isZero();
            assertThat(man.stderr()).as(man.describe()).isEmpty();
            HostCommand.Result groff = HostCommand.run(Duration.ofMinutes(1), Map.of(), "groff", "sh", "-c",
                    "zcat \"$0\" | groff -man -Tutf8 -ww -z", page.toString());
            assertThat(groff.exitCode()).as(groff.describe()).isZero();
            assertThat(groff.stderr()).as(groff.describe()).isEmpty();
        }
        HostCommand.Result config = HostCommand.run(Duration.ofMinutes(1), Map.of("MANWIDTH", "100"), "man-db", "man",
                "-l", CONFIG_PAGE.toString());
        assertThat(config.stdout()).contains("SMTP-PROBE.YML(5)").contains("SUBSCRIPTION").contains("TARGETS");
    }

    @Test
    void theCommandPageHasASectionPerCommandAndEveryOption() throws IOException {
        String page = Files.readString(PROJECT.resolve("src/man/smtp-probe.1"), StandardCharsets.UTF_8);
        PrintWriter discard = new PrintWriter(new StringWriter());
        CommandLine commandLine = Main.commandLine(Map.of(), discard, discard);
        List<String> commands = new ArrayList<>();
        commandLine.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help") && name.equals(sub.getCommandName())) {
                commands.add(name);
                assertThat(page).as("section of " + name).contains(".SS " + roff(name) + "\n");
                for (OptionSpec option : sub.getCommandSpec().options()) {
                    if (!option.hidden() && !option.usageHelp() && !option.versionHelp()) {
                        assertThat(page).as(name + " " + option.longestName()).contains(roff(option.longestName()));
                    }
                }
            }
        });
        assertThat(commands).containsExactlyInAnyOrder("check", "run", "policy", "check-config");
        assertThat(page).contains(".SH EXIT STATUS", ".SH FILES", ".SH EXAMPLES", ".SH ENVIRONMENT");
        for (String code : List.of("0", "1", "2", "64", "70", "78")) {
            assertThat(page).contains(".TP\n.B " + code + "\n");
        }
    }

    @Test
    void theConfigPageDescribesEveryKeyTheLoaderAccepts() throws IOException {
        String page = Files.readString(PROJECT.resolve("src/man/smtp-probe.yml.5"), StandardCharsets.UTF_8);
        List<String> keys = keysTheLoaderAccepts();
        assertThat(keys).contains("offer", "interval", "listen_address", "password_file", "client_secret_file", "ca_file");
        for (String key : keys) {
            // A top-level mapping is a section (.SH PROBE); any other key is in bold on the tag line of
            // its own paragraph, as itself or under its mapping (auth.username, tls.ca_file, auth.oauth.scope).
            Pattern entry = Pattern.compile("^(?:\\.SH " + Pattern.quote(key.toUpperCase(java.util.Locale.ROOT))
                    + "$|\\.BR? (?:.* )?\"?(?:[a-z_]+\\.)*" + Pattern.quote(key) + "(?:[ .\"]|$))", Pattern.MULTILINE);
            assertThat(entry.matcher(page).find()).as("smtp-probe.yml(5) describes " + key).isTrue();
        }
    }

    @Test
    void completesEveryValueOfEveryOptionWithAVocabulary() {
        assertThat(complete("check", "--output", "")).containsExactlyInAnyOrder("text", "json");
        assertThat(complete("run", "--log.level", "")).containsExactlyInAnyOrder("debug", "info", "warn", "error");
        List<String> offers = new ArrayList<>();
        for (Offer offer : Offer.values()) {
            offers.add(offer.key());
            offers.addAll(offer.aliases());
        }
        assertThat(complete("policy", "--offer", "")).containsExactlyInAnyOrderElementsOf(
                Stream.concat(offers.stream(), Stream.of("auto")).toList());
        assertThat(complete("check", "--offer", "pay")).containsExactlyInAnyOrder("pay-as-you-go", "payg", "payg-devtest");
        assertThat(complete("")).contains("check", "run", "policy", "check-config");
    }

    /** What the completion script offers for the words typed so far (the last one being completed). */
    private static List<String> complete(String... words) {
        String typed = String.join(" ", Stream.of(words).map(w -> "'" + w + "'").toList());
        String script = ". \"$0\"\n"
                + "function_name=$(complete -p smtp-probe | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p')\n"
                + "COMP_WORDS=(smtp-probe " + typed + ")\n"
                + "COMP_CWORD=" + words.length + "\n"
                + "COMP_LINE=\"${COMP_WORDS[*]}\"\nCOMP_POINT=${#COMP_LINE}\n"
                + "\"$function_name\" smtp-probe \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        HostCommand.Result bash = HostCommand.run(Duration.ofMinutes(1), Map.of(), "bash", "bash", "-c", script,
                COMPLETION.toString());
        assertThat(bash.exitCode()).as(bash.describe()).isZero();
        return bash.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Every key named in an allowOnly(...) call of the config package: the loader's whole vocabulary. */
    private static List<String> keysTheLoaderAccepts() throws IOException {
        List<String> keys = new ArrayList<>();
        Pattern call = Pattern.compile("allowOnly\\(([^;]*)\\);", Pattern.DOTALL);
        Pattern literal = Pattern.compile("\"([a-z_]+)\"");
        try (Stream<Path> sources = Files.list(PROJECT.resolve("src/main/java/io/smtpprobe/config"))) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Matcher calls = call.matcher(Files.readString(source));
                while (calls.find()) {
                    Matcher names = literal.matcher(calls.group(1));
                    while (names.find()) {
                        keys.add(names.group(1));
                    }
                }
            }
        }
        return keys;
    }

    private static String roff(String text) {
        return text.replace("-", "\\-");
    }
}
