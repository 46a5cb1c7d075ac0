package io.smtpprobe.config;

/**
 * Credentials for AUTH on a relay. The password comes from {@code password_file} or
 * {@code password_env}, never from the config text itself.
 *
 * @param passwordSource where the password was read from (a path or {@code env:NAME}), for messages
 */
public record AuthConfig(String username, Secret password, String passwordSource, AuthMechanism mechanism) {}
