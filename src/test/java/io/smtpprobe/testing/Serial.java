package io.smtpprobe.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that runs alone, in the build's serial test run after the parallel one (pom.xml, surefire's
 * {@code serial} execution): it loads the machine (hundreds of client threads) or compares a latency or a
 * duration with a baseline or bound of the same run, which a test in the other fork would move. The rest of the
 * unit tests run in two forks at once, most soaks among them: they read the heap, threads and descriptors of an
 * agent process of their own, which the other fork does not move, and spend most of their time waiting for
 * the next round.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(Serial.TAG)
public @interface Serial {
    String TAG = "serial";
}
