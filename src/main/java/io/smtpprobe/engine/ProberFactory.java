package io.smtpprobe.engine;

import io.smtpprobe.config.Config;
import io.smtpprobe.probe.Prober;

/** Makes the prober for a configuration; called at start and on every successful reload. */
@FunctionalInterface
public interface ProberFactory {
    Prober create(Config config);
}
