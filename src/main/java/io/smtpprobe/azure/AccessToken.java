package io.smtpprobe.azure;

import io.smtpprobe.config.Secret;
import java.time.Instant;
import java.util.Objects;

/** An OAuth 2.0 bearer token and when it expires. Its string form never shows the token. */
public record AccessToken(Secret token, Instant expiresOn) {
    public AccessToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(expiresOn, "expiresOn");
    }
}
