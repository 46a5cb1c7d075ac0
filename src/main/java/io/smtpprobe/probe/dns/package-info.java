/**
 * Name resolution for probes. {@code HostResolver} is what a prober asks (MX hosts, addresses, TXT records,
 * each within what the deadline leaves) and {@code ResolutionException} how a name fails to resolve, with
 * its {@link io.smtpprobe.probe.DnsFailure} kind. {@code DnsResolver} answers with dnsjava against
 * {@code dns.servers} or the system's name servers ({@code NameServers} parses the former): {@code DnsLookup}
 * asks one question of each server in turn, one attempt each, and {@code DnsAnswer} is what they said. IP
 * literals are returned as they are ({@link io.smtpprobe.probe.IpLiteral}).
 *
 * <p>Uses the vocabulary in {@code io.smtpprobe.probe} and {@code io.smtpprobe.probe.step} only.
 */
package io.smtpprobe.probe.dns;
