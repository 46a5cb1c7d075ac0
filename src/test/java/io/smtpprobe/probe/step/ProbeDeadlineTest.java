package io.smtpprobe.probe.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.Mode;
import io.smtpprobe.probe.target.TargetProber;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.testing.Targets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One deadline per probe: made when the target's probe starts, and every host's deadline taken from it. */
class ProbeDeadlineTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = now::get;

    @Test
    void aHostTargetMayTakeOneTimeoutAndAnMxDomainOnePerHostPlusOneForItsLookups() {
        Duration timeout = Duration.ofSeconds(15);

        assertThat(TargetProber.deadline(Targets.host("mail.example.test", 25, Mode.SMTP).build(), timeout)).isEqualTo(timeout);
        assertThat(TargetProber.deadline(Targets.mx("example.test", 3, 25, Mode.SMTP).build(), timeout))
                .isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aHostsDeadlineIsTheProbeTimeoutOrWhatIsLeftOfTheTargetsWhicheverEndsFirst() {
        ProbeDeadline target = new ProbeDeadline(ticker, Duration.ofSeconds(30));

        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(target.within(Duration.ofSeconds(10)).remaining()).isEqualTo(Duration.ofSeconds(10));

        now.addAndGet(Duration.ofSeconds(20).toNanos());
        ProbeDeadline last = target.within(Duration.ofSeconds(10));
        assertThat(last.remaining()).isEqualTo(Duration.ofSeconds(5));

        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(last.passed()).isTrue();
        assertThat(target.within(Duration.ofSeconds(10)).passed()).as("nothing left of the target").isTrue();
    }
}
