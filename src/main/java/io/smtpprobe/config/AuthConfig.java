package io.smtpprobe.config;

/**
 * Credentials for AUTH on a relay. The password comes from {@code password_file} or
 * {@code password_env}, never from the config text itself. With {@link AuthMechanism#XOAUTH2} there is
 * no password: a bearer token is fetched as {@code oauth} says, at probe time.
 *
 * @param password the password, or null with XOAUTH2
 * @param passwordSource where the password was read from (a path or {@code env:NAME}), for messages
 * @param oauth where XOAUTH2's token comes from, or null for the other mechanisms
 */
public record AuthConfig(String username, Secret password, String passwordSource, AuthMechanism mechanism,
        OAuthConfig oauth) {

    /** Password credentials (PLAIN, LOGIN or the server's choice of them). */
    public AuthConfig(String username, Secret password, String passwordSource, AuthMechanism mechanism) {
        this(username, password, passwordSource, mechanism, null);
    }

    public boolean isOAuth() {
        return mechanism == AuthMechanism.XOAUTH2;
    }
}
