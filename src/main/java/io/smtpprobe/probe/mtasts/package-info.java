/**
 * MTA-STS (RFC 8461) for {@code mx:} targets. {@code MtaStsPolicies} looks a domain's policy up as a sending
 * MTA does (the {@code _mta-sts} TXT record at every probe, the policy over HTTPS when its id is new or the
 * cached one expired) and caches it for its {@code max_age}; {@code MtaStsFetch} fetches it with a small HTTPS
 * client of its own, within the probe's deadline; {@code MtaStsPolicy} is the parsed policy, and
 * {@code MtaStsVerdict} what it means for one MX host: whether it enforces verified TLS there, and what the
 * probe's detail says of it.
 *
 * <p>Uses {@code io.smtpprobe.probe}, {@code io.smtpprobe.probe.step}, {@code io.smtpprobe.probe.dns},
 * {@code io.smtpprobe.probe.net} and {@code io.smtpprobe.probe.tls}.
 */
package io.smtpprobe.probe.mtasts;
