/**
 * The daemon's HTTP endpoints (/metrics, /status, /-/healthy, /-/ready, POST /-/reload) on the JDK's
 * built-in server, served in front of a running agent by {@link io.smtpprobe.daemon.Daemon}.
 */
package io.smtpprobe.http;
