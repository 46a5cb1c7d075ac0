package io.smtpprobe.testing;

import io.smtpprobe.config.AzureConfig;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.ExpectSetting;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.config.MetadataMode;
import io.smtpprobe.config.ProbeConfig;
import io.smtpprobe.config.SubscriptionConfig;
import io.smtpprobe.config.WebConfig;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.Route;
import io.smtpprobe.config.StartTls;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.config.TlsConfig;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.TlsInfo;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** DaemonFixtures and results as the config loader and the prober make them, for daemon tests. */
public final class DaemonFixtures {
    private DaemonFixtures() {}

    /** A configuration as the loader would make it: loopback-only web address, metadata off, no DNS servers. */
    public static Config config(String offer, Duration interval, Duration jitter, Duration timeout, int concurrency,
            List<TargetConfig> targets) {
        return new Config(new SubscriptionConfig(offer, null, false),
                new AzureConfig(MetadataMode.OFF, URI.create("http://127.0.0.1:9"), null, ""),
                new ProbeConfig(interval, jitter, timeout, concurrency, "probe.test"),
                new DnsConfig(List.of(), IpFamily.IPV4), new WebConfig("127.0.0.1:0"), targets);
    }

    public static TargetConfig host(String name, String host, int port, Mode mode) {
        return new TargetConfig(name, host, null, 0, port, mode, null, ExpectSetting.AUTO, Route.AUTO,
                mode == Mode.SUBMISSION ? StartTls.REQUIRED : StartTls.OPPORTUNISTIC, TlsConfig.DEFAULT, null, null);
    }

    public static TargetConfig mx(String name, String domain, int hosts) {
        return new TargetConfig(name, null, domain, hosts, 25, Mode.SMTP, null, ExpectSetting.AUTO, Route.AUTO,
                StartTls.OPPORTUNISTIC, TlsConfig.DEFAULT, null, null);
    }

    public static TargetConfig expecting(TargetConfig t, ExpectSetting expect, Route route) {
        return new TargetConfig(t.name(), t.host(), t.mx(), t.mxHosts(), t.port(), t.mode(), t.auth(), expect, route,
                t.starttls(), t.tls(), t.mailFrom(), t.rcptTo());
    }

    /** A result with the given phases (in milliseconds, in Phase order) and a total that sums them. */
    public static ProbeResult result(TargetConfig target, String host, String address, Outcome outcome,
            Instant startedAt, long... phaseMillis) {
        Map<Phase, Duration> phases = new EnumMap<>(Phase.class);
        long total = 0;
        for (int i = 0; i < phaseMillis.length; i++) {
            phases.put(Phase.values()[i], Duration.ofMillis(phaseMillis[i]));
            total += phaseMillis[i];
        }
        phases.put(Phase.TOTAL, Duration.ofMillis(total));
        return new ProbeResult(target.name(), host, address, target.port(), target.mode(), outcome, null,
                outcome.label(), phases, null, startedAt, null);
    }

    public static ProbeResult withTls(ProbeResult r, Instant expiry) {
        return new ProbeResult(r.target(), r.host(), r.address(), r.port(), r.mode(), r.outcome(), r.reply(),
                r.detail(), r.phases(), new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", "CN=" + r.host(), expiry),
                r.startedAt(), r.transcript());
    }
}
