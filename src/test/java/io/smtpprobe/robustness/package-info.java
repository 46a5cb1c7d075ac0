/**
 * Proofs of issue 6 that span the whole agent: the daemon as a process under the systemd unit's JVM
 * options against hostile peers (heap bound, no leaks), secrets that never surface, and an HTTP
 * endpoint that cannot be turned into a connection to anywhere.
 */
package io.smtpprobe.robustness;
