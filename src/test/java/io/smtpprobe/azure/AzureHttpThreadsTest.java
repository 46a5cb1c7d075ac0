package io.smtpprobe.azure;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.AzureConfig;
import io.smtpprobe.config.MetadataMode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code check} without OAuth targets must not start the JDK HTTP client's selector thread: JDK 17
 * waits up to 300 ms for it when the process exits, a third of a loopback check's wall time.
 */
class AzureHttpThreadsTest {
    @TempDir
    Path dmi;

    @Test
    void makingTheTokenSourceStartsNoHttpClientThread() {
        Set<Long> before = httpClientThreads();
        AzureConfig azure = new AzureConfig(MetadataMode.OFF, null, null, "");
        CachedTokens tokens = CachedTokens.forConfig(azure, dmi, Duration.ofSeconds(2), Clock.systemUTC());
        assertThat(tokens).isNotNull();
        assertThat(httpClientThreads()).isSubsetOf(before);
    }

    private static Set<Long> httpClientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("HttpClient-"))
                .map(Thread::getId)
                .collect(Collectors.toSet());
    }
}
