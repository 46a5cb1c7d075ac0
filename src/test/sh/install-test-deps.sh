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
  jq curl openssl dpkg-dev
)
tools=(promtool prometheus amtool prometheus-alertmanager lintian systemd-analyze systemd-nspawn debootstrap ip nft dnsmasq cloud-init kill jq curl openssl dpkg-deb)

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
  # Packages such as prometheus-alertmanager ship a service: never let an install start it on the host.
  if [ ! -x /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for t in "${tools[@]}"; do
  command -v "$t" >/dev/null || { echo "install-test-deps: $t is still missing after install" >&2; exit 1; }
done
echo "install-test-deps: all test tools present"
