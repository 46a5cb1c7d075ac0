/**
 * The daemon's HTTP endpoints (/metrics, /status, /-/healthy, /-/ready, POST /-/reload) on Jetty's core
 * server, with the limits that keep slow clients from holding its threads ({@link io.smtpprobe.http.RequestLimits}),
 * the exporter-toolkit web configuration ({@link io.smtpprobe.http.WebConfigFile}: TLS with certificates re-read
 * at each handshake, bcrypt basic auth, headers); {@link io.smtpprobe.daemon.Daemon} serves them in front of a running agent
 * for {@code smtp-probe run}.
 */
package io.smtpprobe.http;
