package io.smtpprobe.http;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** basic_auth_users against real bcrypt hashes, as exporter-toolkit checks them. */
class BasicAuthTest {
    private static final String HASH = BCrypt.withDefaults().hashToString(4, "right password".toCharArray());
    private final BasicAuth auth = new BasicAuth(Map.of("prometheus", HASH));

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
}
