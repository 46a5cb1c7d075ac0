package io.smtpprobe.testing;

import com.icegreen.greenmail.util.ServerSetup;
import java.time.Duration;

/**
 * GreenMail's servers as the tests start them: each on a port of its own (dynamic), and given a minute to come
 * up. GreenMail waits 2 s by default and then fails the test ("Could not start mail server"), which a loaded
 * machine missed (issue 24): starting a server is not what these tests time.
 */
public final class GreenMailSetups {
    /** How long a GreenMail server may take to start listening. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(1);

    private GreenMailSetups() {}

    /** Copies of {@code setups} (e.g. {@code ServerSetupTest.SMTPS}) on dynamic ports with {@link #STARTUP_TIMEOUT}. */
    public static ServerSetup[] loopback(ServerSetup... setups) {
        ServerSetup[] copies = new ServerSetup[setups.length];
        for (int i = 0; i < setups.length; i++) {
            copies[i] = setups[i].dynamicPort();
            copies[i].setServerStartupTimeout(STARTUP_TIMEOUT.toMillis());
        }
        return copies;
    }
}
