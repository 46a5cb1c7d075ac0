package io.smtpprobe.agent;

import sun.misc.Signal;

/**
 * SIGHUP reloads the configuration, SIGTERM and SIGINT shut down cleanly. Without a handler the JVM
 * treats SIGHUP as a reason to exit; {@code sun.misc.Signal} (module jdk.unsupported, present in every
 * JDK since 9 and meant for exactly this) replaces that. A handler runs on a thread of its own, so a
 * slow reload never blocks the next signal.
 */
public final class SignalHandlers {
    private SignalHandlers() {}

    public static void install(RunningAgent agent, EventLog log) {
        Signal.handle(new Signal("HUP"), signal -> {
            log.info("SIGHUP received; reloading the configuration");
            agent.reload();
        });
        Signal.handle(new Signal("TERM"), signal -> {
            log.info("SIGTERM received");
            agent.shutdown();
        });
        Signal.handle(new Signal("INT"), signal -> {
            log.info("SIGINT received");
            agent.shutdown();
        });
    }
}
