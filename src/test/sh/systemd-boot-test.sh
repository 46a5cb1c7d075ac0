#!/usr/bin/env bash
# Boot test: the .deb's service under a real systemd as PID 1, in a systemd-nspawn container.
#
# Proves what unit tests cannot: the agent starts, serves /metrics, reloads and stops under the
# unit's full sandbox (DynamicUser, seccomp filter, ProtectSystem=strict, ...), ExecStartPre
# refuses a bad config, the unit starts with and without /etc/smtp-probe/relay-password and
# LoadCredential= hands the password to the agent when it exists, ARGS= in /etc/default/smtp-probe
# reaches the agent, and the JVM maps the class data sharing archive postinst made. The package
# comes from a signed apt repository (src/deb/make-apt-repo, a test key made here) served on the
# container's loopback, and is upgraded from it to a version n+1 with the service running. Then
# dashboards/FLEET.md is followed as written (src/test/sh/fleet-guide.py reads each piece from it):
# the agent on a private address with TLS and basic auth; a TLS key only root reads fails in
# ExecStartPre with the LoadCredential= route; that route works; and a real Prometheus (the host's,
# in the container's network) scrapes the agent by IP with tls_config.server_name and finds it up.
# Last, apt purge keeps what the administrator added (the key, web.yml, the drop-in) and says so.
#
#   src/test/sh/systemd-boot-test.sh [DEB]     (default: the one target/ holds; run as root)
#
# The container's root file system (bookworm minbase with systemd and a Java 17 runtime) is built
# once with debootstrap (~45 s) and cached in $SMTP_PROBE_ROOTFS_CACHE (/var/cache/smtp-probe-test);
# each run boots a throw-away overlay of it. The container has a private network: only its own
# loopback, so every probe target here is 127.0.0.1 inside it.
# ${CREDENTIALS_DIRECTORY} and apt format strings are literal on purpose (SC2016).
# shellcheck disable=SC2016
set -euo pipefail
cd "$(dirname "$0")/../../.."

started=$SECONDS
say() { printf '[boot-test %3ds] %s\n' "$((SECONDS - started))" "$*"; }
die() { printf '[boot-test] FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it mounts an overlay and boots a container)"
for tool in systemd-nspawn debootstrap nsenter unshare flock reprepro gpg dpkg-deb python3 ip openssl htpasswd prometheus curl; do
    command -v "$tool" >/dev/null || die "$tool missing: apt-get install systemd-container debootstrap util-linux reprepro gnupg dpkg-dev python3 iproute2 openssl apache2-utils prometheus curl (src/test/sh/install-test-deps.sh does)"
done
# The guide's Prometheus paths are under /etc/prometheus: the test's own directory is mounted there, in a mount
# namespace of Prometheus' own, over the directory the prometheus package made.
[ -d /etc/prometheus ] || die "/etc/prometheus missing: the prometheus package makes it (apt-get install prometheus)"

if [ $# -ge 1 ]; then
    deb=$1
else
    shopt -s nullglob
    debs=(target/smtp-probe_*_all.deb)
    [ ${#debs[@]} -eq 1 ] || die "expected exactly one target/smtp-probe_*_all.deb (run mvn package first), found ${#debs[@]}"
    deb=${debs[0]}
fi
[ -r "$deb" ] || die "cannot read $deb"

cache=${SMTP_PROBE_ROOTFS_CACHE:-/var/cache/smtp-probe-test}
rootfs=$cache/rootfs
suite=bookworm
packages=systemd,systemd-sysv,dbus,procps,openjdk-17-jre-headless,curl,ca-certificates,sudo
stamp="$suite minbase $packages"

# --- the cached root file system -----------------------------------------------------------------
debian_mirror() {
    # The mirror this machine's apt already uses for the suite, else any Debian archive it uses.
    local uri
    uri=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null | awk -v s="$suite" '$1 == s { print $2; exit }')
    [ -n "$uri" ] || uri=$(apt-get indextargets --format '$(ORIGIN) $(REPO_URI)' 2>/dev/null \
        | awk '$1 == "Debian" && $2 !~ /security/ { print $2; exit }')
    printf '%s\n' "${uri:-http://deb.debian.org/debian/}"
}

mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9
if [ "$(cat "$cache/rootfs.stamp" 2>/dev/null)" != "$stamp" ]; then
    mirror=$(debian_mirror)
    say "building the $suite root file system from $mirror (cached in $rootfs)"
    rm -rf "$rootfs" "$rootfs.tmp" "$cache/rootfs.stamp"
    debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs.tmp" "$mirror" > "$cache/debootstrap.log" 2>&1 \
        || die "debootstrap failed; see $cache/debootstrap.log"
    mv "$rootfs.tmp" "$rootfs"
    printf '%s\n' "$stamp" > "$cache/rootfs.stamp"
else
    say "reusing $rootfs"
fi
flock -u 9

# --- boot -----------------------------------------------------------------------------------------
run=$(mktemp -d /tmp/smtp-probe-boot.XXXXXX)
root=$run/merged
nspawn_pid=
leader=
http_pid=
prometheus_pid=

teardown() {
    local status=$?
    if [ $status -ne 0 ] && [ -n "$leader" ]; then
        printf '\n--- journal of smtp-probe.service ---\n' >&2
        inside journalctl -u smtp-probe --no-pager 2>&1 | tail -n 60 >&2 || true
    fi
    if [ -n "${GNUPGHOME:-}" ]; then
        gpgconf --kill gpg-agent 2>/dev/null || true
    fi
    if [ -n "$prometheus_pid" ]; then
        if [ $status -ne 0 ]; then
            printf '\n--- prometheus log ---\n' >&2
            tail -n 30 "$run/prometheus.log" >&2 || true
        fi
        kill -TERM "$prometheus_pid" 2>/dev/null || true
        wait "$prometheus_pid" 2>/dev/null || true
    fi
    if [ -n "$http_pid" ]; then
        kill -TERM "$http_pid" 2>/dev/null || true
        wait "$http_pid" 2>/dev/null || true
    fi
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        # nspawn turns SIGTERM into an orderly poweroff of the container.
        kill -TERM "$nspawn_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$nspawn_pid" 2>/dev/null || true
        wait "$nspawn_pid" 2>/dev/null || true
    fi
    if mountpoint -q "$root"; then
        umount "$root" 2>/dev/null || umount -l "$root"
    fi
    if [ $status -ne 0 ]; then
        printf 'console log: %s/console.log (kept)\n' "$run" >&2
        rm -rf "$run/upper" "$run/work"
    else
        rm -rf "$run"
    fi
    exit $status
}
trap teardown EXIT
trap 'exit 143' TERM INT # test-all.sh stops it with SIGTERM when the stage beside it fails: tear down first

inside() {
    nsenter -t "$leader" -m -u -i -n -p -C env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}

# Polls until a command succeeds; a boot test has no clock to inject, only deadlines.
wait_for() {
    local what=$1 seconds=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || die "$what: not within ${seconds}s"
        sleep 0.5
    done
}

# poll SECONDS COMMAND...: as wait_for, but returns 1 when the time is up, for a caller that says why.
poll() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.5
    done
}

# journal_has CURSOR TEXT: the unit's journal after CURSOR (all of it when empty) holds TEXT. journald writes
# asynchronously: a line the failed start logged can reach the journal after `systemctl start` returned, so
# callers wait for it (issue 24: on a loaded machine the grep once ran before the line was there).
journal_has() {
    local after=()
    [ -z "$1" ] || after=(--after-cursor="$1")
    # Not grep -q: it would end the pipe early, and journalctl's SIGPIPE fails the pipeline under pipefail.
    inside journalctl -u smtp-probe "${after[@]}" --no-pager | grep -F -- "$2" > /dev/null
}

# --- the signed apt repository: version n now, n+1 for the upgrade later --------------------------
# n+1 is the same package with a higher version, rebuilt by dpkg-deb: what changes is the version.
version=$(dpkg-deb -f "$deb" Version)
next_version=$version+upgrade1
dpkg-deb -R "$deb" "$run/next"
sed -i "s/^Version: .*/Version: $next_version/" "$run/next/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip -b "$run/next" "$run/smtp-probe_${next_version}_all.deb" > /dev/null
rm -rf "$run/next"
export GNUPGHOME=$run/gnupg
mkdir -m 0700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'smtp-probe boot test archive <archive@smtp-probe.invalid>' \
    ed25519 sign never 2> "$run/gpg.log" || { cat "$run/gpg.log" >&2; die "cannot make a test signing key"; }
repo=$run/apt-repo
src/deb/make-apt-repo --key archive@smtp-probe.invalid --out "$repo" "$deb" > "$run/repo.log" \
    || { cat "$run/repo.log" >&2; die "make-apt-repo failed"; }
say "signed apt repository with $version: $(cat "$run/repo.log")"

mkdir -p "$run/upper" "$run/work" "$root"
mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$run/upper,workdir=$run/work" "$root" \
    || die "cannot mount an overlay on $root"

say "booting systemd in a container"
systemd-nspawn -b -D "$root" --register=no --keep-unit --private-network --console=passive \
    > "$run/console.log" 2>&1 &
nspawn_pid=$!
find_leader() { leader=$(pgrep -P "$nspawn_pid" -x systemd | head -n 1); [ -n "$leader" ]; }
wait_for "container init" 30 find_leader
# systemctl cannot wait for a manager whose socket does not exist yet: until it does, it fails at once
# ("Failed to connect to bus"), which on a loaded machine is a while after init is found.
wait_for "the container's systemd to listen" 60 nsenter -t "$leader" -m test -S /run/systemd/private
state=$(timeout 120 nsenter -t "$leader" -m -u -i -n -p -C env -i PATH=/usr/bin:/bin systemctl is-system-running --wait || true)
case "$state" in
    running) ;;
    degraded) say "system is degraded (not our unit): $(inside systemctl --failed --no-legend --plain | tr '\n' ' ')" ;;
    *) die "container did not finish booting: $state" ;;
esac
say "container up ($state), init is host pid $leader"

# --- install from the repository, as a fleet machine does -----------------------------------------
# Served on the container's own loopback (it has no other network) by the host's python3 running in
# the container's network namespace; the files stay on the host.
nsenter -t "$leader" -n python3 -m http.server 8080 --bind 127.0.0.1 --directory "$repo" \
    > "$run/http.log" 2>&1 &
http_pid=$!
wait_for "the repository's web server" 15 inside curl -fsS -o /dev/null http://127.0.0.1:8080/dists/stable/InRelease
# The client side, as README.md's install section says. The container's Debian mirror is unreachable
# here: its sources go, so that apt sees only this repository.
rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
cp "$repo/smtp-probe-archive-keyring.gpg" "$root/usr/share/keyrings/smtp-probe-archive-keyring.gpg"
sed 's|@URL@|http://127.0.0.1:8080|' "$repo/smtp-probe.sources" > "$root/etc/apt/sources.list.d/smtp-probe.sources"
apt_get() {
    inside env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 "$@" < /dev/null
}
apt_get update > "$run/apt.log" 2>&1 || { cat "$run/apt.log" >&2; die "apt-get update from the signed repository failed"; }
if grep -E '^(W|E):' "$run/apt.log"; then
    die "apt-get update warned about the repository (signature?)"
fi
apt_get install smtp-probe > "$run/dpkg.log" 2>&1 || { cat "$run/dpkg.log" >&2; die "apt-get install smtp-probe failed"; }
[ "$(inside dpkg-query -W -f '${Version}' smtp-probe)" = "$version" ] || die "apt did not install $version"
[ "$(inside systemctl is-enabled smtp-probe)" = enabled ] || die "postinst did not enable smtp-probe.service"
[ "$(inside systemctl is-active smtp-probe || true)" = inactive ] || die "postinst started the service on install"
grep -qF "smtp-probe: installed and enabled, not started: first give it your subscription's offer and targets." "$run/dpkg.log" \
    && grep -qF "  sudo systemctl start smtp-probe" "$run/dpkg.log" \
    && grep -qF "  until curl -sf http://localhost:9925/-/ready; do sleep 2; done" "$run/dpkg.log" \
    || { cat "$run/dpkg.log" >&2; die "the installation did not say the service is not started and what to do next"; }
say "installed: enabled, not started, and it said so with the next steps"
cds_archive=/var/cache/smtp-probe/smtp-probe.jsa
if ! [ -s "$root$cds_archive" ] || ! [ -s "$root$cds_archive.stamp" ]; then
    die "postinst made no class data sharing archive: $(grep make-cds-archive "$run/dpkg.log" || echo 'it said nothing')"
fi
say "postinst made $cds_archive ($(du -k "$root$cds_archive" | cut -f1) KiB)"

config=$root/etc/smtp-probe/smtp-probe.yml
write_config() {
    # $1: the relay's password_file; $2: extra targets
    cat > "$config" <<YAML
subscription:
  offer: pay-as-you-go
azure:
  metadata: "off"
probe:
  # Short rounds: the first one runs before the web port (a target here) listens.
  interval: 3s
  jitter: 0s
  timeout: 2s
web:
  listen_address: "127.0.0.1:9925"
targets:
  - name: web
    host: 127.0.0.1
    mode: tcp
    port: 9925
  - name: closed
    host: 127.0.0.1
    mode: tcp
    port: 1
  - name: relay
    host: 127.0.0.1
    mode: submission
    port: 2
    auth:
      username: probe
      password_file: $1
$2
YAML
}
metric() {
    # $1: a regular expression for one sample line of the scrape
    # The whole scrape first: grep -q stops reading at its first match, and under pipefail the write
    # error that leaves curl with (23) would fail the check on a streamed, chunked answer.
    local scrape
    scrape=$(inside curl -fsS --max-time 5 http://127.0.0.1:9925/metrics) || return 1
    grep -Eq "$1" <<<"$scrape"
}

# --- a fresh install without /etc/smtp-probe/relay-password --------------------------------------
[ ! -e "$root/etc/smtp-probe/relay-password" ] || die "the package ships /etc/smtp-probe/relay-password"
# No relay: the service starts (no 243/CREDENTIALS) and the credential is the unit's empty default.
write_config_without_relay() {
    write_config /unused ""
    sed -i '/name: relay$/,$d' "$config"
}
write_config_without_relay
inside systemctl start smtp-probe || die "the service did not start without a relay password file"
wait_for "web target probed ok without a password file" 60 metric '^smtp_probe_success\{[^}]*target="web"[^}]*\} 1(\.0)?$'
[ "$(inside od -An -c /run/credentials/smtp-probe.service/relay-password | tr -d ' ')" = '\n' ] \
    || die "without its source the relay-password credential is not the unit's default (one newline)"
say "started without /etc/smtp-probe/relay-password: /metrics served"
# A relay that needs the missing credential: ExecStartPre fails with the loader's message.
write_config '${CREDENTIALS_DIRECTORY}/relay-password' ""
if inside smtp-probe check-config /etc/smtp-probe/smtp-probe.yml > "$run/check-config.log" 2>&1; then
    die "check-config in a shell accepted a relay whose credential file is missing"
fi
grep -q "credential relay-password: its source /etc/smtp-probe/relay-password does not exist" "$run/check-config.log" \
    || { cat "$run/check-config.log" >&2; die "check-config did not name the missing credential source"; }
cursor=$(inside journalctl -u smtp-probe -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p')
if inside systemctl restart smtp-probe 2>/dev/null; then
    die "the service started with a relay whose credential is missing"
fi
wait_for "the missing credential failing with the loader's message" 30 \
    journal_has "$cursor" "relay-password is empty; it should hold the password"
wait_for "ExecStartPre's exit 78 in the journal" 30 journal_has "$cursor" "status=78/CONFIG"
journal=$(inside journalctl -u smtp-probe --after-cursor="$cursor" --no-pager)
if grep -Eq "243|CREDENTIALS" <<<"$journal"; then
    die "the missing credential failed the start with 243/CREDENTIALS"
fi
grep -q "status=78/CONFIG" <<<"$journal" || die "ExecStartPre did not exit 78 for the missing credential"
inside systemctl stop smtp-probe
inside systemctl reset-failed smtp-probe
say "a relay needing the missing credential fails in ExecStartPre with the loader's message"

# --- a bad config is refused before the daemon starts ---------------------------------------------
printf 'not-a-real-password\n' > "$root/etc/smtp-probe/relay-password"
chmod 0644 "$root/etc/smtp-probe/relay-password"
write_config /etc/smtp-probe/relay-password ""
if inside systemctl start smtp-probe 2>/dev/null; then
    die "the service started with a world-readable password file"
fi
wait_for "ExecStartPre reporting the world-readable password file" 30 journal_has "" "is readable by other users"
say "world-readable password file refused by ExecStartPre"

# --- start with the password as a systemd credential ----------------------------------------------
chmod 0600 "$root/etc/smtp-probe/relay-password"
write_config '${CREDENTIALS_DIRECTORY}/relay-password' ""
inside smtp-probe check-config /etc/smtp-probe/smtp-probe.yml > "$run/check-config.log" 2>&1 \
    || { cat "$run/check-config.log" >&2; die "check-config in a shell refused the credential the unit loads"; }
# A conffile edit the upgrade below must keep: options for the agent through ARGS=.
sed -i 's/^ARGS=.*/ARGS="--log.level=debug"/' "$root/etc/default/smtp-probe"
grep -qx 'ARGS="--log.level=debug"' "$root/etc/default/smtp-probe" || die "/etc/default/smtp-probe has no ARGS= line"
# Cancel the restart Restart=on-failure scheduled after the refused start.
inside systemctl stop smtp-probe
inside systemctl reset-failed smtp-probe
inside systemctl enable --now smtp-probe
wait_for "web target probed ok" 60 metric '^smtp_probe_success\{[^}]*target="web"[^}]*\} 1(\.0)?$'
wait_for "closed port classified" 30 metric '^smtp_probe_outcome\{[^}]*outcome="tcp_refused"[^}]*\} 1(\.0)?$'
metric '^smtp_probe_outcome\{[^}]*target="relay"[^}]*\} 1(\.0)?$' || die "no outcome for the relay target"
say "scraped /metrics: web ok, closed port tcp_refused"

# --- every command check prints runs as printed, as root (issue 22) ---------------------------------
# Each `command` of an output of check (JSON: every string in it; else the text), one per line, first seen first.
printed_commands() {
    python3 - "$1" <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
strings = []
def walk(value):
    if isinstance(value, str):
        strings.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            walk(v)
    elif isinstance(value, list):
        for v in value:
            walk(v)
try:
    walk(json.loads(text))
except ValueError:
    strings = [text]
seen = []
for s in strings:
    for command in re.findall(r"`([^`\n]+)`", s):
        if command not in seen:
            seen.append(command)
print("\n".join(seen))
PY
}
# Runs, as root in the VM, each command the output in $1 prints, exactly as printed; each must contain $2. A
# check exits 1 when it finds a problem (as the one that printed it did); anything else must exit 0.
run_printed() {
    local output=$1 wanted=$2 command rc ran=0
    while IFS= read -r command; do
        [[ $command == *"$wanted"* ]] || die "a printed command lacks $wanted: $command"
        rc=0
        inside bash -c "$command" > "$run/printed.log" 2>&1 < /dev/null || rc=$?
        case $command in
            *"smtp-probe check "*) [ "$rc" -le 1 ] ;;
            *) [ "$rc" -eq 0 ] ;;
        esac || { cat "$run/printed.log" >&2; die "a command check printed failed as printed (exit $rc): $command"; }
        say "ran as printed (exit $rc): $command"
        ran=$((ran + 1))
    done < <(printed_commands "$output")
    [ "$ran" -gt 0 ] || { cat "$output" >&2; die "check printed no command to run"; }
}
# As root, on the config whose relay password is the unit's credential: check reads it as the service does,
# and its advice repeats --config and the flags given.
rc=0
inside smtp-probe check --config /etc/smtp-probe/smtp-probe.yml --offer msdn --output json > "$run/check.json" \
    2> "$run/check.err" || rc=$?
[ "$rc" -eq 1 ] || { cat "$run/check.json" "$run/check.err" >&2; die "check as root: exit $rc, not 1 (the relay is refused)"; }
grep -q '"target" *: *"relay"' "$run/check.json" || die "check as root did not probe the relay"
run_printed "$run/check.json" "--offer msdn"
# A user who cannot read the credential is told two commands; root runs them as printed.
rc=0
inside runuser -u nobody -- smtp-probe check --config /etc/smtp-probe/smtp-probe.yml --offer msdn \
    > "$run/check-nobody.log" 2>&1 || rc=$?
[ "$rc" -eq 78 ] || { cat "$run/check-nobody.log" >&2; die "check as nobody: exit $rc, not 78 (the credential is unreadable)"; }
grep -q 'sudo systemd-run --pipe --wait -p LoadCredential=relay-password' "$run/check-nobody.log" \
    || { cat "$run/check-nobody.log" >&2; die "check as nobody did not say how to run it with the unit's credentials"; }
run_printed "$run/check-nobody.log" "smtp-probe check --config /etc/smtp-probe/smtp-probe.yml --offer msdn"
say "every command check printed (as root, and to a user without the credential) ran as printed"

main_pid=$(inside systemctl show -p MainPID --value smtp-probe)
[ "$main_pid" -gt 0 ] || die "no main pid"
environ=$(inside cat "/proc/$main_pid/environ" | tr '\0' '\n')
grep -qx 'CREDENTIALS_DIRECTORY=/run/credentials/smtp-probe.service' <<<"$environ" \
    || die "the agent has no CREDENTIALS_DIRECTORY"
credential_mode=$(inside stat -c '%a' /run/credentials/smtp-probe.service/relay-password)
[ "$credential_mode" = 400 ] || die "credential mode is $credential_mode, expected 400"
cmdline=$(inside cat "/proc/$main_pid/cmdline" | tr '\0' ' ')
grep -q -- "--log.level=debug" <<<"$cmdline" || die "ARGS= from /etc/default/smtp-probe did not reach the agent: $cmdline"
[ "$(inside cat /run/credentials/smtp-probe.service/relay-password)" = not-a-real-password ] \
    || die "the credential does not hold /etc/smtp-probe/relay-password"
user=$(inside ps -o user= -p "$main_pid" | tr -d ' ')
[ "$user" != root ] || die "the agent runs as root"
status=$(inside cat "/proc/$main_pid/status")
grep -q '^NoNewPrivs:[[:space:]]*1$' <<<"$status" || die "NoNewPrivileges not in effect"
grep -q '^Seccomp:[[:space:]]*2$' <<<"$status" || die "the system call filter is not in effect"
grep -q '^CapEff:[[:space:]]*0\{16\}$' <<<"$status" || die "the agent holds capabilities"
# What the agent reads from the system must stay visible in its mount namespace.
inside nsenter -t "$main_pid" -m cat /proc/sys/kernel/hostname > /dev/null \
    || die "the sandbox hides /proc/sys/kernel/hostname (helo_name: auto reads it)"
# The JVM says so when the sandbox denies it something (a system call, a file): it must not.
if inside journalctl -u smtp-probe --no-pager | grep -F "VM warning"; then
    die "the JVM warned under the sandbox"
fi
say "sandbox in effect: user $user, no capabilities, seccomp, credential at mode $credential_mode"
# The transient user reads the archive under ProtectSystem=strict and the JVM maps it.
inside grep -qF "$cds_archive" "/proc/$main_pid/maps" || die "the agent's JVM does not map $cds_archive"
say "the agent's JVM maps the class data sharing archive"

# --- reload: same process, new config -----------------------------------------------------------
write_config '${CREDENTIALS_DIRECTORY}/relay-password' '  - name: reloaded
    host: 127.0.0.1
    mode: tcp
    port: 9925'
inside systemctl reload smtp-probe
wait_for "new target after reload" 60 metric '^smtp_probe_success\{[^}]*target="reloaded"[^}]*\} 1(\.0)?$'
[ "$(inside systemctl show -p MainPID --value smtp-probe)" = "$main_pid" ] || die "reload replaced the process"
metric '^smtp_probe_config_last_reload_successful(\{[^}]*\})? 1(\.0)?$' || die "reload not reported successful"
say "reloaded in place (pid $main_pid): new target probed"

# --- upgrade from the repository to n+1: the running agent restarts once, the config stays ---------
src/deb/make-apt-repo --key archive@smtp-probe.invalid --out "$repo" "$run/smtp-probe_${next_version}_all.deb" \
    > "$run/repo.log" || { cat "$run/repo.log" >&2; die "make-apt-repo could not add $next_version"; }
config_before=$(sha256sum < "$config")
defaults_before=$(sha256sum < "$root/etc/default/smtp-probe")
invocation_before=$(inside systemctl show -p InvocationID --value smtp-probe)
cursor=$(inside journalctl -u smtp-probe -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p')
apt_get update > "$run/apt.log" 2>&1 || { cat "$run/apt.log" >&2; die "apt-get update for the upgrade failed"; }
apt_get upgrade > "$run/dpkg-upgrade.log" 2>&1 \
    || { cat "$run/dpkg-upgrade.log" >&2; die "apt-get upgrade failed"; }
[ "$(inside dpkg-query -W -f '${Version}' smtp-probe)" = "$next_version" ] || die "apt did not upgrade to $next_version"
[ "$(sha256sum < "$config")" = "$config_before" ] || die "the upgrade changed the edited config"
[ "$(sha256sum < "$root/etc/default/smtp-probe")" = "$defaults_before" ] || die "the upgrade changed /etc/default/smtp-probe"
wait_for "agent back after upgrade" 60 metric '^smtp_probe_success\{[^}]*target="reloaded"[^}]*\} 1(\.0)?$'
new_pid=$(inside systemctl show -p MainPID --value smtp-probe)
{ [ "$new_pid" != "$main_pid" ] && [ "$new_pid" -gt 0 ]; } || die "the upgrade did not restart the agent (pid $new_pid)"
[ "$(inside systemctl show -p InvocationID --value smtp-probe)" != "$invocation_before" ] || die "same invocation after the upgrade"
starts=$(inside journalctl -u smtp-probe --after-cursor="$cursor" --no-pager -o cat | grep -c '^Started ' || true)
[ "$starts" = 1 ] || die "the upgrade started the agent $starts times, expected once"
inside cat "/proc/$new_pid/cmdline" | tr '\0' ' ' | grep -q -- "--log.level=debug" || die "ARGS= lost in the upgrade"
inside grep -qF "$cds_archive" "/proc/$new_pid/maps" || die "after the upgrade the agent does not map $cds_archive"
say "apt upgrade $version -> $next_version restarted the agent once (pid $main_pid -> $new_pid), config and ARGS kept, archive mapped"

# --- dashboards/FLEET.md as written: TLS and basic auth, the key as a credential, a real Prometheus ---
guide=dashboards/FLEET.md
fleet() { python3 src/test/sh/fleet-guide.py "$guide" "$@" || die "dashboards/FLEET.md no longer has what the boot test follows"; }
address=$(fleet listen-address)
server_name=$(fleet server-name)
# The VM's private address, on the loopback device of the container's network namespace: nothing leaves it.
nsenter -t "$leader" -n ip address add "${address%:*}/32" dev lo
# "your CA": a test CA, and the agent's certificate with the one name for all.
tls=$run/tls
mkdir -m 0700 "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=boot test fleet CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" 2> "$tls/openssl.log" \
    && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$server_name" \
        -keyout "$tls/smtp-probe.key" -out "$tls/smtp-probe.csr" 2>> "$tls/openssl.log" \
    && printf 'subjectAltName=DNS:%s\n' "$server_name" > "$tls/san.ext" \
    && openssl x509 -req -in "$tls/smtp-probe.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
        -extfile "$tls/san.ext" -out "$tls/smtp-probe.crt" 2>> "$tls/openssl.log" \
    || { cat "$tls/openssl.log" >&2; die "openssl could not make the test certificates"; }
install -d -m 0755 "$root/etc/smtp-probe/tls"
install -m 0644 "$tls/smtp-probe.crt" "$root/etc/smtp-probe/tls/smtp-probe.crt"
# As an operator keeps a key: only root reads it.
install -m 0600 "$tls/smtp-probe.key" "$root/etc/smtp-probe/tls/smtp-probe.key"
scrape_password=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
hash=$(printf '%s\n' "$scrape_password" | htpasswd -inBC 10 "" | tr -d ':\n')
fleet web-yml "$hash" > "$root/etc/smtp-probe/web.yml"
chmod 0644 "$root/etc/smtp-probe/web.yml"
sed -i "s|^ARGS=.*|$(fleet args)|" "$root/etc/default/smtp-probe"
write_config '${CREDENTIALS_DIRECTORY}/relay-password' ''
sed -i "s|listen_address: \"127.0.0.1:9925\"|listen_address: \"$address\"|; s|host: 127.0.0.1\$|host: ${address%:*}|" "$config"
grep -qF "listen_address: \"$address\"" "$config" || die "the config does not listen on $address"

# The guide's minimal web.yml names the key that only root reads: the service's user cannot, and the
# pre-start check says so and how to hand it in, instead of the agent failing at every restart.
if inside smtp-probe check-config /etc/smtp-probe/smtp-probe.yml --web.config.file /etc/smtp-probe/web.yml \
        > "$run/check-web.log" 2>&1; then
    die "check-config in a shell accepted a key the service's user cannot read"
fi
grep -qF "tls_server_config.key_file: the service's user cannot read /etc/smtp-probe/tls/smtp-probe.key (owner root, group root, mode 0600)" "$run/check-web.log" \
    || { cat "$run/check-web.log" >&2; die "check-config in a shell did not name the key its user cannot read"; }
cursor=$(inside journalctl -u smtp-probe -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p')
if inside systemctl restart smtp-probe 2>/dev/null; then
    die "the service started with a TLS key its user cannot read"
fi
wait_for "ExecStartPre naming the key the service's user cannot read" 30 journal_has "$cursor" \
    "tls_server_config.key_file: cannot read /etc/smtp-probe/tls/smtp-probe.key: Permission denied; the service's user may not read it"
wait_for "ExecStartPre's exit 78 for the key" 30 journal_has "$cursor" "status=78/CONFIG"
journal_has "$cursor" "LoadCredential=tls.key:/etc/smtp-probe/tls/smtp-probe.key, key_file: \${CREDENTIALS_DIRECTORY}/tls.key in the web config" \
    || die "ExecStartPre did not say how to hand the key in (LoadCredential=)"
if journal_has "$cursor" "Started smtp-probe"; then
    die "the agent started (and could only fail) with a key its user cannot read"
fi
inside systemctl stop smtp-probe
inside systemctl reset-failed smtp-probe
say "a key only root reads fails in ExecStartPre (78) with the LoadCredential= route; the agent never started"

# The guide's fix: the drop-in (as systemctl edit writes it) and the key_file that reads the credential.
dropin=/etc/systemd/system/smtp-probe.service.d/override.conf
mkdir -p "$root${dropin%/*}"
fleet drop-in > "$root$dropin"
key_line=$(fleet credential-key-file)
sed -i "s|^  key_file: .*|  $key_line|" "$root/etc/smtp-probe/web.yml"
grep -qxF "  $key_line" "$root/etc/smtp-probe/web.yml" || die "web.yml does not read the key as a credential"
inside systemctl daemon-reload
inside smtp-probe check-config /etc/smtp-probe/smtp-probe.yml --web.config.file /etc/smtp-probe/web.yml \
    > "$run/check-web.log" 2>&1 || { cat "$run/check-web.log" >&2; die "check-config refused the guide's credential route"; }
grep -qF -- "--web.config.file /etc/smtp-probe/web.yml: OK, TLS, 1 basic auth user" "$run/check-web.log" \
    || { cat "$run/check-web.log" >&2; die "check-config did not check the web config"; }
inside systemctl start smtp-probe || die "the service did not start with the key as a credential"
agent() {
    # $1: path; the rest: curl options. From the container's network, by IP, verifying the guide's name.
    local path=$1
    shift
    nsenter -t "$leader" -n curl -sS --max-time 5 --cacert "$tls/ca.pem" \
        --connect-to "$server_name:${address#*:}:$address" "$@" "https://$server_name:${address#*:}$path"
}
wait_for "the agent ready over TLS with basic auth" 60 agent /-/ready -f -u "prometheus:$scrape_password"
[ "$(agent /metrics -o /dev/null -w '%{http_code}')" = 401 ] || die "the agent served /metrics without basic auth"
say "started with the key as a credential (drop-in LoadCredential=): ready over TLS at $address, 401 without a password"

# The guide's prometheus.yml, its paths under /etc/prometheus: this directory, mounted there for Prometheus only.
prom=$run/prometheus
mkdir -p "$prom/etc/rules" "$prom/etc/smtp-probe" "$prom/data"
fleet prometheus-yml "$address" > "$prom/etc/prometheus.yml"
cp dashboards/alerts/smtp-probe.rules.yml "$prom/etc/rules/smtp-probe.rules.yml"
cp "$tls/ca.pem" "$prom/etc/smtp-probe/ca.pem"
printf '%s\n' "$scrape_password" > "$prom/etc/smtp-probe/scrape-password"
chmod 0600 "$prom/etc/smtp-probe/scrape-password"
unshare --mount --propagation private sh -c 'mount --bind "$1" /etc/prometheus && exec nsenter -t "$2" -n \
        prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path="$3" \
        --web.listen-address=127.0.0.1:9090' prometheus "$prom/etc" "$leader" "$prom/data" > "$run/prometheus.log" 2>&1 &
prometheus_pid=$!
prometheus_api() {
    nsenter -t "$leader" -n curl -fsS --max-time 5 "http://127.0.0.1:9090/api/v1/$1"
}
target_up() {
    # The job's one target, by the address the guide binds to: up, with the labels the relabeling sets.
    prometheus_api targets | python3 -c '
import json, sys
address = sys.argv[1]
for t in json.load(sys.stdin)["data"]["activeTargets"]:
    if t["labels"].get("job") == "smtp-probe" and t["labels"].get("instance") == address:
        print(t["health"], t["scrapeUrl"], t["labels"].get("environment"), t["lastError"] or "-")
        sys.exit(0 if t["health"] == "up" else 1)
sys.exit(1)' "$address" > "$run/target.txt"
}
if ! poll 90 target_up; then
    die "Prometheus did not find the agent up: $(cat "$run/target.txt" 2>/dev/null || echo 'no such target')"
fi
read -r health scrape_url environment _ < "$run/target.txt"
[ "$scrape_url" = "https://$address/metrics" ] || die "Prometheus scraped $scrape_url, not https://$address/metrics"
[ "$environment" = boot-test ] || die "the guide's relabeling did not set environment (found $environment)"
up=$(prometheus_api "query?query=up%7Bjob%3D%22smtp-probe%22%7D" | python3 -c '
import json, sys
result = json.load(sys.stdin)["data"]["result"]
print(" ".join(r["metric"]["instance"] + "=" + r["value"][1] for r in result))')
[ "$up" = "$address=1" ] || die "up{job=\"smtp-probe\"} is not 1 for $address: $up"
say "Prometheus, configured by dashboards/FLEET.md, scrapes $scrape_url by IP with server_name $server_name: $health, up == 1"
kill -TERM "$prometheus_pid"
wait "$prometheus_pid" 2>/dev/null || true
prometheus_pid=

# --- stop -----------------------------------------------------------------------------------------
inside systemctl stop smtp-probe
[ "$(inside systemctl show -p ActiveState --value smtp-probe)" = inactive ] || die "not inactive after stop"
[ "$(inside systemctl show -p Result --value smtp-probe)" = success ] || die "stop did not end cleanly"
say "stopped cleanly"

# --- purge: what the package made goes, what the administrator added stays and is named -------------
[ -d "$root/var/lib/private/smtp-probe" ] || die "the unit's StateDirectory (/var/lib/private/smtp-probe) was not made"
apt_get purge smtp-probe > "$run/purge.log" 2>&1 || { cat "$run/purge.log" >&2; die "apt-get purge failed"; }
[ ! -e "$root/var/lib/private/smtp-probe" ] && [ ! -L "$root/var/lib/smtp-probe" ] \
    || die "purge left the agent's state directory (/var/lib/private/smtp-probe, /var/lib/smtp-probe)"
[ ! -e "$config" ] || die "purge left the package's conffile /etc/smtp-probe/smtp-probe.yml"
[ ! -e "$root/etc/default/smtp-probe" ] || die "purge left the package's conffile /etc/default/smtp-probe"
for added in /etc/smtp-probe/relay-password /etc/smtp-probe/tls/smtp-probe.key /etc/smtp-probe/tls/smtp-probe.crt \
    /etc/smtp-probe/web.yml "$dropin"; do
    [ -f "$root$added" ] || die "purge deleted $added, which the administrator added"
    grep -qxF "  $added" "$run/purge.log" || { cat "$run/purge.log" >&2; die "purge did not name $added as kept"; }
done
grep -qF "smtp-probe: remove them when no longer needed: sudo rm -r /etc/smtp-probe" "$run/purge.log" \
    && grep -qF "smtp-probe: purge kept your drop-ins of smtp-probe.service" "$run/purge.log" \
    || { cat "$run/purge.log" >&2; die "purge did not say what it kept and how to remove it"; }
say "purge removed the package's files and kept, and named, the key, web.yml, the password and the drop-in"

say "PASSED in $((SECONDS - started))s"
