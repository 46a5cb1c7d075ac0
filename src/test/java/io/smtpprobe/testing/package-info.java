/**
 * Real servers on loopback for tests (DNS here; scripted SMTP and others alongside): each binds a
 * random port on 127.0.0.1, is configured by the test, and is closed by it.
 */
package io.smtpprobe.testing;
