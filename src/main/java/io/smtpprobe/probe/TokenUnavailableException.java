package io.smtpprobe.probe;

/**
 * No bearer token could be had for XOAUTH2. The message is shown to people as the probe's detail, so
 * it names the endpoint and the reason and never carries a secret or a token.
 */
public final class TokenUnavailableException extends Exception {
    public TokenUnavailableException(String message) {
        super(message);
    }

    public TokenUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
