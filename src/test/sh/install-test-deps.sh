#!/usr/bin/env bash
# Installs the Debian packages the test suites need, and fails when one cannot be had.
# Runs as root (CI does); on a machine that already has everything it installs nothing.
set -euo pipefail

packages=(
  prometheus          # promtool: checks the exposition and the alert rules; the real server for e2e
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
  jq curl openssl dpkg-dev
)
tools=(promtool prometheus amtool prometheus-alertmanager lintian systemd-analyze systemd-nspawn debootstrap ip nft dnsmasq
  cloud-init kill jq curl openssl dpkg-deb rpmbuild rpmlint rpmsign reprepro gpg python3 man groff postconf posttls-finger
  dovecot)

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
echo "install-test-deps: all test tools present"
