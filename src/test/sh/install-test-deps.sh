#!/usr/bin/env bash
# Installs the Debian packages the test suites need, and fails when one cannot be had.
# Runs as root (CI does); on a machine that already has everything it installs nothing.
set -euo pipefail

packages=(
  prometheus          # promtool: checks the exposition and the alert rules; the real server for e2e and the boot test
  apache2-utils       # htpasswd: the boot test hashes the scrape password as dashboards/FLEET.md says
  prometheus-alertmanager  # amtool check-config; the real Alertmanager of the fleet e2e test
  lintian             # checks the .deb
  systemd             # systemd-analyze verify / security
  systemd-container   # systemd-nspawn for the boot test
  debootstrap         # the boot test's root file system
  iproute2            # ip netns for the simulated Azure network
  nftables            # the simulated Azure port-25 drop
  dnsmasq-base        # DNS with MX records in the simulated network
  cloud-init          # cloud-init schema: validates systemd/cloud-init.yml
  procps              # kill, for the daemon's signal tests
  rpm                 # rpmbuild (mvn package builds the RPM), rpm -qp, rpmsign, rpmkeys
  rpmlint             # checks the RPM
  reprepro gnupg      # the signed apt repository (src/deb/make-apt-repo) of the boot test
  python3             # serves that repository; netsim-mail-client.py, the simulated network's own SMTP client
  man-db groff        # renders the man pages
  postfix             # the real MTA of the simulated network (started by the test, never as a service)
  dovecot-core        # Postfix's SASL back end there (likewise)
  dovecot-imapd dovecot-lmtpd  # the delivery probe's mailbox there: Postfix delivers by LMTP, the probe reads IMAPS
  # The libraries of Exim's daemon (exim4-daemon-light's Depends), which is unpacked below, not installed.
  libdb5.3 libgnutls-dane0 libgnutls30 libidn12 libidn2-0 libnsl2 libpcre2-8-0 libcrypt1
  jq curl openssl dpkg-dev
)
tools=(promtool prometheus amtool prometheus-alertmanager lintian systemd-analyze systemd-nspawn debootstrap ip nft dnsmasq
  cloud-init kill jq curl openssl dpkg-deb rpmbuild rpmlint rpmsign reprepro gpg python3 man groff postconf posttls-finger
  dovecot htpasswd unshare)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: missing Debian packages: ${missing[*]}; run as root or install them: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "install-test-deps: installing ${missing[*]}"
  # No package may start a host service (Postfix, Dovecot, Alertmanager): the tests start their own.
  # invoke-rc.d and deb-systemd-invoke ask policy-rc.d, and exit 101 means "not now".
  if ! [ -x /usr/sbin/policy-rc.d ] || ! grep -q 'exit 101' /usr/sbin/policy-rc.d; then
    printf '#!/bin/sh\n# install-test-deps.sh: no package starts a service on a test machine.\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Postfix without a mail system of its own: the tests write their own main.cf and master.cf.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for t in "${tools[@]}"; do
  command -v "$t" >/dev/null || { echo "install-test-deps: $t is still missing after install" >&2; exit 1; }
done
# Dovecot's IMAP and LMTP servers are programs of its own directory, not commands on PATH.
for t in /usr/lib/dovecot/imap /usr/lib/dovecot/lmtp; do
  [ -x "$t" ] || { echo "install-test-deps: $t is still missing after install" >&2; exit 1; }
done

# Exim for the simulated network. Debian's exim4-daemon-light conflicts with Postfix (both are the
# mail-transport-agent), so it is fetched with `apt-get download` and unpacked with `dpkg-deb -x` into a
# cache that azure-network-test.sh runs /usr/sbin/exim4 from, with a config of its own. Kept between
# runs: fetched only when the cache has no Exim.
exim_cache=${SMTP_PROBE_TEST_CACHE:-/var/cache/smtp-probe-test}/exim4
if ! [ -x "$exim_cache/usr/sbin/exim4" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: no Exim unpacked in $exim_cache; run as root to fetch exim4-daemon-light" >&2
    exit 1
  fi
  echo "install-test-deps: fetching exim4-daemon-light into $exim_cache"
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  chown _apt "$download" 2>/dev/null || true
  # A machine whose package lists were never read has no candidate: read them once and try again.
  (cd "$download" && apt-get download -qq exim4-daemon-light 2>/dev/null) \
    || { apt-get update -qq && (cd "$download" && apt-get download -qq exim4-daemon-light); } \
    || { echo "install-test-deps: apt-get download exim4-daemon-light failed" >&2; exit 1; }
  rm -rf "$exim_cache.new"
  mkdir -p "$exim_cache.new"
  dpkg-deb -x "$download"/exim4-daemon-light_*.deb "$exim_cache.new"
  dpkg-deb -f "$download"/exim4-daemon-light_*.deb Version >"$exim_cache.new/VERSION"
  rm -rf "$exim_cache"
  mv "$exim_cache.new" "$exim_cache"
fi
[ -x "$exim_cache/usr/sbin/exim4" ] || { echo "install-test-deps: $exim_cache/usr/sbin/exim4 is missing" >&2; exit 1; }
if ldd "$exim_cache/usr/sbin/exim4" | grep -q 'not found'; then
  echo "install-test-deps: Exim's libraries are missing: $(ldd "$exim_cache/usr/sbin/exim4" | grep 'not found' | tr -s ' \t\n' ' ')" >&2
  exit 1
fi
echo "install-test-deps: all test tools present"
