package io.smtpprobe.http;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** basic_auth_users against real bcrypt hashes, as exporter-toolkit checks them. */
class BasicAuthTest {
    private static final String HASH = BCrypt.withDefaults().hashToString(4, "right password".toCharArray());
    private final BcryptChecks checks = new BcryptChecks();
    private final BasicAuth auth = new BasicAuth(Map.of("prometheus", HASH), checks);

    @AfterEach
    void stop() {
        checks.close();
    }

    private static String header(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void allowsTheRightPasswordAndRefusesAWrongOneOrAnUnknownUser() {
        assertThat(auth.allows(header("prometheus", "right password"))).isTrue();
        assertThat(auth.allows(header("prometheus", "wrong password"))).isFalse();
        assertThat(auth.allows(header("nobody", "right password"))).isFalse();
        assertThat(auth.allows("Bearer x")).isFalse();
        assertThat(auth.allows("Basic !!!")).isFalse();
    }

    @Test
    void refusesAPasswordLongerThanBcryptTakesInsteadOfFailing() {
        String longer = "x".repeat(BasicAuth.MAX_PASSWORD_BYTES + 1);
        assertThat(auth.allows(header("prometheus", longer))).isFalse();
        assertThat(auth.allows(header("nobody", longer))).isFalse();
        assertThat(auth.allows(header("prometheus", "é".repeat(40)))).isFalse(); // 80 bytes in UTF-8
    }

    @Test
    void aRightPasswordStaysRememberedWhateverNumberOfWrongOnesFollows() {
        assertThat(auth.allows(header("prometheus", "right password"))).isTrue();
        for (int i = 0; i < 600; i++) {
            assertThat(auth.allows(header("prometheus", "guess " + i))).isFalse();
        }
        long runs = auth.bcryptRuns();
        assertThat(auth.allows(header("prometheus", "right password"))).as("answered from what it remembers").isTrue();
        assertThat(auth.bcryptRuns()).as("bcrypt runs for the remembered right password").isEqualTo(runs);
    }

    @Test
    void aHashOfACostBcryptDoesNotComputeIsNoHashAtAll() {
        assertThat(BasicAuth.isBcryptHash(HASH)).isTrue();
        assertThat(BasicAuth.isBcryptHash(HASH.replaceFirst("\\$04\\$", "\\$03\\$"))).isFalse();
        assertThat(BasicAuth.isBcryptHash(HASH.replaceFirst("\\$04\\$", "\\$45\\$"))).isFalse();
        assertThat(BasicAuth.isBcryptHash(HASH.replaceFirst("\\$04\\$", "\\$31\\$"))).isTrue();
    }

    @Test
    void aRepeatedWrongPasswordCostsOneBcryptRun() {
        assertThat(auth.allows(header("prometheus", "stale password"))).isFalse();
        assertThat(auth.allows(header("prometheus", "stale password"))).isFalse();
        assertThat(auth.bcryptRuns()).isEqualTo(1);
    }

    @Test
    void anUnknownUserCostsABcryptRunAgainstAConfiguredHashLikeAKnownOne() {
        assertThat(auth.allows(header("nobody", "right password"))).as("the password of another user").isFalse();
        assertThat(auth.bcryptRuns()).isEqualTo(1);
    }

    @Test
    void answersBusyAtOnceWhenTheBcryptQueueIsFullInsteadOfHoldingTheCaller() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        try (BcryptChecks one = new BcryptChecks(1)) {
            BasicAuth busy = new BasicAuth(Map.of("prometheus", HASH), one);
            one.submit(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(busy.check(header("prometheus", "first"), a -> {})).as("queued").isNull();
            assertThat(busy.check(header("prometheus", "second"), a -> {})).isEqualTo(BasicAuth.Answer.BUSY);
            release.countDown();
        }
    }
}
