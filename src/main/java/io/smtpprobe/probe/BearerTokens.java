package io.smtpprobe.probe;

import io.smtpprobe.config.AuthConfig;
import io.smtpprobe.config.Secret;

/**
 * Where XOAUTH2 probes get their bearer token (an Entra ID app or the VM's managed identity). The
 * probe asks once per attempt; implementations cache tokens until shortly before they expire.
 */
@FunctionalInterface
public interface BearerTokens {
    /** For probers that have no token source: every XOAUTH2 target ends as {@code auth_unavailable}. */
    BearerTokens NONE = auth -> {
        throw new TokenUnavailableException("no OAuth token source is set up for this run");
    };

    /**
     * A token for the target's {@code auth.oauth}.
     *
     * @throws TokenUnavailableException with a message that says where and why (endpoint, HTTP status,
     *     AADSTS code), never the secret or a token
     */
    Secret token(AuthConfig auth) throws TokenUnavailableException;
}
