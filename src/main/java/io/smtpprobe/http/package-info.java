/**
 * The daemon's HTTP endpoints (/metrics, /status, /-/healthy, /-/ready, POST /-/reload) on the JDK's
 * built-in server, and {@link io.smtpprobe.http.Daemon}, which puts them and the signal handlers in
 * front of a running agent for {@code smtp-probe run}.
 */
package io.smtpprobe.http;
