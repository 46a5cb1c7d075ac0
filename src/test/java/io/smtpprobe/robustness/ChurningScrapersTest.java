package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.testing.Churn;
import io.smtpprobe.testing.Serial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23's first high finding, as it was reproduced: {@code smtp-probe run} with 200 targets, then 300 clients
 * each looping {@code GET /metrics} with {@code Connection: close}. The old listener reset connections after
 * about a second, then refused them: the connection limit had toggled accepting on a connector without an
 * acceptor thread until Jetty closed the listening socket, while the process lived on. For half a minute of
 * that (three windows of ten seconds; the old listener gave no 200 from the second on), the agent must keep
 * answering in every window, and still answer afterwards.
 */
@Serial
class ChurningScrapersTest {
    private static final int TARGETS = 200;
    private static final int CLIENTS = 300;
    private static final Duration LENGTH = Duration.ofSeconds(30);
    private static final Duration WINDOW = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void answersScrapesThroughoutAMinuteOfThreeHundredChurningClientsAndAfterIt() throws Exception {
        Path config = Files.writeString(dir.resolve("churn.yml"), ThousandTargetScrapeTest.refusedTargets(TARGETS));
        try (AgentProcess agent = AgentProcess.start(config)) {
            agent.awaitProbes(TARGETS, 60);
            Churn churn = Churn.run(agent.http().uri("/").getPort(), "/metrics", CLIENTS, LENGTH, WINDOW);

            for (int w = 0; w < churn.windows(); w++) {
                assertThat(churn.answeredIn(w)).as("scrapes answered 200 in seconds %d to %d of the churn",
                        w * WINDOW.toSeconds(), (w + 1) * WINDOW.toSeconds()).isPositive();
            }
            assertThat(agent.process().process().isAlive()).as("agent alive; output:\n%s", agent.process().output())
                    .isTrue();
            assertThat(agent.scrape().text()).as("a scrape after the churn")
                    .contains("smtp_probe_outcome{host=\"127.0.0.1\",outcome=\"tcp_refused\",target=\"t199\"} 1");
            assertThat(agent.process().output()).doesNotContain("HTTP listener");
        }
    }
}
