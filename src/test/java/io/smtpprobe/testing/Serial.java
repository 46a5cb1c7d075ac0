package io.smtpprobe.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that runs alone, in the build's serial test run after the parallel one (pom.xml, surefire's
 * {@code serial} execution): it loads the machine (hundreds of client threads, a fleet of agent JVMs) or reads
 * a process's latency, heap, threads or descriptors against a baseline of the same run, which a test in the
 * other fork would move. The rest of the unit tests run in two forks at once.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(Serial.TAG)
public @interface Serial {
    String TAG = "serial";
}
