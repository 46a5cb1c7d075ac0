package io.smtpprobe.daemon;

import io.smtpprobe.engine.EventLog;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP reloads the configuration, SIGTERM and SIGINT shut down cleanly. Without a handler the JVM
 * treats SIGHUP as a reason to exit; {@code sun.misc.Signal} (module jdk.unsupported, present in every
 * JDK since 9 and meant for exactly this) replaces that. A handler runs on a thread of its own, so a
 * slow reload never blocks the next signal.
 *
 * <p>Installed before anything slow (loading the config, warming TLS up, binding HTTP): a SIGHUP in
 * the agent's first second (a {@code systemctl reload} right after start) once killed it with exit 129.
 * Signals that come before the agent runs are remembered: SIGTERM stops it as soon as it has started,
 * SIGHUP reloads it once then.
 *
 * <p>A process started with SIGHUP ignored (under {@code nohup}) cannot take it back: the JVM leaves an
 * inherited SIG_IGN in place and says so only by returning it. That is logged, so that reload by
 * signal is not silently gone; {@code POST /-/reload} still reloads.
 */
public final class SignalHandlers {
    private final EventLog log;
    private RunningAgent agent;
    private boolean reloadWanted;
    private boolean stopWanted;
    private boolean reloadBySignal;
    /** Signals the process was started with ignored: the JVM leaves SIG_IGN in place and only says so. */
    private final Set<String> ignoredFromBirth = new HashSet<>();

    private SignalHandlers(EventLog log) {
        this.log = log;
    }

    /** Installs the handlers now; tell them the agent with {@link #started} once it runs. */
    public static SignalHandlers install(EventLog log) {
        SignalHandlers handlers = new SignalHandlers(log);
        handlers.reloadBySignal = handlers.handle("HUP", handlers::hangUp);
        handlers.handle("TERM", () -> handlers.stop("SIGTERM"));
        handlers.handle("INT", () -> handlers.stop("SIGINT"));
        for (String stop : List.of("TERM", "INT")) {
            if (handlers.ignoredFromBirth.contains(stop)) {
                // A shell starts a background command ("smtp-probe run &") with SIGINT ignored, and it stays so.
                log.warn("SIG" + stop + " is ignored by this process (it was started with it ignored): it does not"
                        + " stop the agent; SIGTERM or SIGINT, whichever is not ignored, does");
            }
        }
        log.debug("signal handlers installed", "reload_by_signal", handlers.reloadBySignal);
        if (!handlers.reloadBySignal) {
            log.warn("SIGHUP is ignored by this process (it was started with SIGHUP ignored, as nohup does):"
                    + " reload by signal is unavailable; POST /-/reload still reloads the configuration");
        }
        return handlers;
    }

    /** Whether SIGHUP reloads: false when the process inherited SIGHUP ignored. */
    public synchronized boolean reloadBySignal() {
        return reloadBySignal;
    }

    /** @return whether the handler is in place (false: the signal stays ignored, or the JVM keeps it) */
    private boolean handle(String name, Runnable action) {
        try {
            SignalHandler previous = Signal.handle(new Signal(name), signal -> action.run());
            if (previous == SignalHandler.SIG_IGN) {
                ignoredFromBirth.add(name);
            }
            return previous != SignalHandler.SIG_IGN;
        } catch (IllegalArgumentException e) {
            // -Xrs, or a JVM that keeps the signal for itself.
            log.warn("cannot handle SIG" + name + "; the JVM's own handling stays", "reason", e.getMessage());
            return false;
        }
    }

    /** The agent is running: signals from now on go to it, and one that came while it started is acted on. */
    public void started(RunningAgent running) {
        boolean reload;
        boolean stop;
        synchronized (this) {
            agent = running;
            reload = reloadWanted;
            stop = stopWanted;
        }
        if (stop) {
            running.shutdown();
        } else if (reload) {
            log.info("reloading the configuration for the SIGHUP received while starting");
            running.reload();
        }
    }

    private void hangUp() {
        RunningAgent running;
        synchronized (this) {
            running = agent;
            if (running == null) {
                reloadWanted = true;
                log.info("SIGHUP received while starting; the configuration is reloaded once the agent runs");
                return;
            }
        }
        log.info("SIGHUP received; reloading the configuration");
        // Coalesced: a signal while a reload waits to start joins it, and this handler's thread ends at once.
        running.requestReload().whenComplete((result, failure) -> {
            if (failure != null) { // a refusal is logged by the reload itself; a failure of the reload is not
                log.error("reload after SIGHUP failed", "error", String.valueOf(failure));
            }
        });
    }

    private void stop(String signal) {
        RunningAgent running;
        synchronized (this) {
            running = agent;
            if (running == null) {
                stopWanted = true;
                log.info(signal + " received while starting; stopping once the agent runs");
                return;
            }
        }
        log.info(signal + " received");
        running.shutdown();
    }
}
