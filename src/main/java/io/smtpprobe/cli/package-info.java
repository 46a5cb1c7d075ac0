/**
 * The {@code smtp-probe} command line (picocli): {@code check} (one round of the engine, then print),
 * {@code run} (the daemon, with its HTTP front end), {@code policy} and {@code check-config}. Commands
 * return exit codes ({@code report.ExitCodes}); {@link io.smtpprobe.cli.Main#main} is the only place
 * that exits the JVM.
 */
package io.smtpprobe.cli;
