package io.smtpprobe.probe;

import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.probe.net.Connector;
import io.smtpprobe.probe.target.TargetProber;
import io.smtpprobe.testing.LoopbackResolver;
import io.smtpprobe.testing.Targets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Probes each {@code address:port} argument in smtp mode, with the deadline in milliseconds as the
 * first argument, and prints {@code address outcome detail} per line: first as the blocking probe
 * ends, then, prefixed {@code async}, as the asynchronous probe (its connect on a {@link Connector}) ends. {@link UnreachableProbeTest} runs it inside a network namespace it made, where the kernel
 * itself answers "unreachable" and no packet can leave.
 */
public final class UnreachableProbeMain {
    private UnreachableProbeMain() {}

    public static void main(String[] args) {
        ProbeOptions options = new ProbeOptions(Duration.ofMillis(Long.parseLong(args[0])), "probe.test",
                new DnsConfig(List.of(), IpFamily.IPV4), false);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (Connector connector = new Connector();
                TargetProber prober = new TargetProber(options, new LoopbackResolver(), Clock.systemUTC(),
                        Ticker.SYSTEM, watchdog, BearerTokens.NONE, connector)) {
            for (String arg : List.of(args).subList(1, args.length)) {
                // address:port, the address in brackets when it is IPv6 ([2001:db8::1]:25)
                int colon = arg.lastIndexOf(':');
                String[] parts = {arg.substring(0, colon).replace("[", "").replace("]", ""), arg.substring(colon + 1)};
                TargetConfig target = Targets.host(parts[0], Integer.parseInt(parts[1]), Mode.SMTP).build();
                ProbeResult result = prober.probe(target).get(0);
                System.out.println(parts[0] + " " + result.outcome().label() + " " + result.detail());
                ProbeResult async = prober.probe(target, threads).join().get(0);
                System.out.println("async " + parts[0] + " " + async.outcome().label() + " " + async.detail());
            }
        } finally {
            threads.shutdownNow();
            watchdog.shutdownNow();
        }
    }
}
