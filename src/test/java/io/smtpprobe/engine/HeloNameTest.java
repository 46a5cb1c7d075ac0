package io.smtpprobe.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@code helo_name: auto} announces for the host names a kernel accepts (issue 14 item 13). */
class HeloNameTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"vm1", "vm1.internal.cloudapp.net", "web-01.example.com"})
    void announcesAHostNameThatIsADomain(String hostname) throws Exception {
        HeloName.Choice choice = HeloName.choose("auto", kernel(hostname + "\n"));

        assertThat(choice).isEqualTo(new HeloName.Choice(hostname, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"vm evil", "vm1\r\nMAIL FROM:<x@example.com>", "vm_1", "-vm", "vm1..example.com",
        "\u001b[2Jvm"})
    void announcesTheFallbackWithAWarningForAHostNameThatIsNotADomain(String hostname) throws Exception {
        HeloName.Choice choice = HeloName.choose("auto", kernel(hostname + "\n"));

        assertThat(choice.name()).isEqualTo("localhost.localdomain");
        assertThat(choice.warning()).startsWith("the host name \"").contains("is not a domain name (RFC 5321 section"
                + " 4.1.1.1), so EHLO announces localhost.localdomain instead; set probe.helo_name")
                .doesNotContain("\r").doesNotContain("\n").doesNotContain("\u001b");
    }

    @Test
    void announcesTheConfiguredNameWithoutReadingTheHostName() {
        HeloName.Choice choice = HeloName.choose("mail.example.com", dir.resolve("no-such-file"));

        assertThat(choice).isEqualTo(new HeloName.Choice("mail.example.com", null));
    }

    @Test
    void announcesTheFallbackQuietlyWithoutAKernelHostName() throws Exception {
        assertThat(HeloName.choose("auto", dir.resolve("no-such-file")))
                .isEqualTo(new HeloName.Choice("localhost.localdomain", null));
        assertThat(HeloName.choose("auto", kernel("\n")))
                .isEqualTo(new HeloName.Choice("localhost.localdomain", null));
    }

    private Path kernel(String content) throws Exception {
        return Files.writeString(dir.resolve("hostname"), content);
    }
}
