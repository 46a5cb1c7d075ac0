package io.smtpprobe.probe.tls;

import io.smtpprobe.probe.DaemonThreads;

/**
 * Loads JSSE and the system trust store on a thread of its own while the caller goes on. {@code check}
 * starts it before it reads its configuration, so that on a VM's second core the trust store (parsed
 * from {@code cacerts} at every JVM start) is ready by the time the first probe needs it; the JDK keeps
 * the store it loaded, so the prober's own warm-up then finds it there. Nothing is sent anywhere.
 */
public final class TlsWarmUp {
    private TlsWarmUp() {
    }

    public static void startInBackground() {
        DaemonThreads.daemon("smtp-probe-tls-warm-up", () -> new TlsContexts().warmUp()).start();
    }
}
