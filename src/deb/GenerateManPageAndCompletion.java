import io.smtpprobe.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Package-time tool (run by Maven as a single-file source program, never shipped): writes the
 * AsciiDoc man pages and the bash completion script from the picocli model of the real command
 * line, so they cannot drift from the options the program accepts.
 *
 * <p>It goes through {@link Main#commandLine} rather than picocli's stand-alone generators because
 * the commands are built by Main's factory, which the default factory cannot replace. The
 * environment is empty on purpose: the generated text must not depend on the build machine.
 *
 * <p>Arguments: the AsciiDoc output directory, then the completion script's path.
 */
public final class GenerateManPageAndCompletion {
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: GenerateManPageAndCompletion ADOC_DIR COMPLETION_FILE");
        }
        Path adocDir = Path.of(args[0]);
        Path completion = Path.of(args[1]);
        PrintWriter discard = new PrintWriter(new StringWriter());
        CommandLine commandLine = Main.commandLine(Map.of(), discard, discard);

        Files.createDirectories(adocDir);
        int status = ManPageGenerator.generateManPage(adocDir.toFile(), null, new boolean[0], true,
                commandLine.getCommandSpec());
        if (status != 0) {
            throw new IllegalStateException("ManPageGenerator failed with status " + status);
        }

        Files.createDirectories(completion.toAbsolutePath().getParent());
        Files.writeString(completion, withoutHashbang(AutoComplete.bash("smtp-probe", commandLine)),
                StandardCharsets.UTF_8);
    }

    /** bash-completion sources the script; Debian (lintian bash-completion-with-hashbang) wants no #! line. */
    private static String withoutHashbang(String script) {
        return script.startsWith("#!") ? script.substring(script.indexOf('\n') + 1) : script;
    }
}
