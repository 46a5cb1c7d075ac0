#!/usr/bin/env bash
# End-to-end test of the situation smtp-probe exists for, on a simulated Azure network.
#
# Builds, as root, three network namespaces of its own (prefix spnet-<pid>):
#
#   vm  198.51.100.10 ──── 198.51.100.1  router  203.0.113.1 ──── 203.0.113.x  internet
#
# The internet namespace holds a DNS server (dnsmasq, MX and A records for *.test), an MX on 25
# (STARTTLS offered), a blocklisting MX (554 greeting), a relay on 587 (STARTTLS, then AUTH PLAIN or
# LOGIN, certificate from a test CA) and a TCP/443 control, all served by the Java test main
# io.smtpprobe.testing.NetsimServers. The addresses are documentation ranges, which the policy treats
# as internet. The vm namespace gets an nftables rule that silently drops TCP/25 to public addresses,
# as Azure does, and runs `smtp-probe check` and `smtp-probe run` against all of it.
#
# Beside them run real mail servers, set up by netsim-mail.sh (sourced): one Postfix master with a
# service per situation (valid, self-signed and wrong-name certificates, submission with Dovecot
# SASL, Dovecot stopped or absent, a connection limit, 554 at the greeting and at RCPT, 450 at RCPT,
# a stopped server, a dropped private smarthost, an MTA-STS enforce domain; revision 3 adds postscreen,
# reject_unknown_client_hostname and a greylisting access map; issue 26 a relay that delivers by LMTP or holds
# the message) and three Dovecot instances (two SASL back ends, one mailbox store with IMAPS), and Exim 4.96
# (Debian's exim4-daemon-light, which conflicts with Postfix: install-test-deps.sh unpacks it into
# /var/cache/smtp-probe-test/exim4, or $SMTP_PROBE_TEST_CACHE/exim4, and it runs from there with a config of
# the test's own), all inside the internet namespace with their files under the temporary directory.
# Other clients (netsim-mail-client.py, openssl s_client, posttls-finger) first prove what each
# server does; then smtp-probe is judged against revision 2 of the verdicts (README.md). Steps marked [r2] need it.
# Steps marked [issue 26] judge the delivery probe: a message sent through the real Postfix and looked for over
# IMAPS in the real Dovecot (delivered, held, a wrong mailbox password, an untrusted certificate, a late arrival),
# by `check --only` (text, JSON) and by `smtp-probe run` (/status, /metrics, and a restart that sends nothing).
#
# Nothing leaves the namespaces: the vm's default route points at the router namespace, the router
# knows only the two test networks, and no namespace is connected to the host's network.
#
# Usage: sudo src/test/sh/azure-network-test.sh
#   NETSIM_SKIP_BUILD=1   use target/smtp-probe.jar and target/test-classes as they are
#   NETSIM_HARNESS_ONLY=1 build the network and check it (DNS, 587 open, 25 dropped), no agent runs
#   NETSIM_MAIL_ONLY=1    run only the scenarios against the real Postfix and Dovecot servers
#   NETSIM_ARTIFACTS=DIR  keep the generated configs, JSON reports, scrapes and logs there (no keys)
# Prints one line per step and ends with "netsim: N passed, M failed (K of them [r2])"; exits non-zero
# on any failure.
# Needs (Debian packages): iproute2 nftables dnsmasq-base jq curl openssl postfix dovecot-core dovecot-imapd
# dovecot-lmtpd python3,
# a JDK 17 and Maven, and Exim unpacked as above (src/test/sh/install-test-deps.sh does all of it).
set -euo pipefail

readonly ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
readonly JAR="$ROOT/target/smtp-probe.jar"
readonly PREFIX="spnet-$$"
readonly NS_VM="$PREFIX-vm" NS_RT="$PREFIX-rt" NS_NET="$PREFIX-net"
readonly VM_ADDR=198.51.100.10 RT_VM_ADDR=198.51.100.1 RT_NET_ADDR=203.0.113.1
readonly DNS_ADDR=203.0.113.53 MX_ADDR=203.0.113.25 BLOCKLIST_ADDR=203.0.113.26
readonly RELAY_ADDR=203.0.113.87 CONTROL_ADDR=203.0.113.43
# An MX in a private range (RFC 1918), reached through the router like a peered network: Azure's
# port-25 block does not apply to it.
readonly PRIVATE_MX_ADDR=10.20.30.25
readonly RELAY_USER=netsim-sender
readonly DAEMON_PORT=9925
# A short whole-probe deadline keeps the silently dropped probes, and so the suite, quick.
readonly PROBE_TIMEOUT=3s
# shellcheck source=netsim-mail.sh
source "$ROOT/src/test/sh/netsim-mail.sh"

WORK=""
PIDS=()
CREATED_ETC_NETNS=0
passed=0
failed=0
failed_r2=0
finished=0
started=$SECONDS

say() { printf 'netsim: %s\n' "$*"; }
pass() { passed=$((passed + 1)); say "  ok    $*"; }
fail() {
    failed=$((failed + 1))
    [[ $* == *"[r2]"* ]] && failed_r2=$((failed_r2 + 1))
    say "  FAIL  $*"
}
die() { say "ERROR: $*" >&2; exit 1; }

cleanup() {
    local rc=$?
    set +e
    # A signal's trap can run while the interrupted command's redirections are still in place (say,
    # check's stdout into a JSON file): report on the script's own stdout and stderr, saved at start.
    exec 1>&8 2>&7
    local pid ns
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    # A few seconds for a clean exit; whatever is left is killed with its namespace below.
    local by=$((SECONDS + 5))
    for pid in "${PIDS[@]}"; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < by)); do
            sleep 0.1
        done
    done
    for ns in "$NS_VM" "$NS_RT" "$NS_NET"; do
        if ip netns list 2>/dev/null | grep -qw -- "^$ns"; then
            # Only processes this script started can live in namespaces it created.
            for pid in $(ip netns pids "$ns" 2>/dev/null); do
                kill -KILL "$pid" 2>/dev/null
            done
            ip netns delete "$ns"
        fi
        rm -rf "/etc/netns/$ns"
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    if [[ $CREATED_ETC_NETNS == 1 ]]; then
        rmdir /etc/netns 2>/dev/null
    fi
    if [[ -n $WORK && -n ${NETSIM_ARTIFACTS:-} ]]; then
        mkdir -p "$NETSIM_ARTIFACTS"
        cp "$WORK"/*.yml "$WORK"/*.json "$WORK"/*.err "$WORK"/*.log "$WORK"/*.txt "$NETSIM_ARTIFACTS"/ 2>/dev/null
        mail_artifacts "$NETSIM_ARTIFACTS"
    fi
    [[ -n $WORK ]] && rm -rf "$WORK"
    if [[ $finished == 0 ]]; then
        say "aborted (exit $rc) after $((SECONDS - started))s with $passed passed, $failed failed; namespaces and processes removed"
        [[ $rc == 0 ]] && rc=1
    fi
    exit "$rc"
}
exec 8>&1 7>&2
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- prerequisites

require_tools() {
    [[ $(id -u) == 0 ]] || die "must run as root (creates network namespaces and nftables rules)"
    local missing=() tool pkg
    for tool in ip:iproute2 nft:nftables dnsmasq:dnsmasq-base jq:jq curl:curl openssl:openssl \
                java:openjdk-17-jdk-headless mvn:maven postconf:postfix posttls-finger:postfix \
                dovecot:dovecot-core python3:python3; do
        pkg=${tool#*:}
        tool=${tool%%:*}
        command -v "$tool" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null 2>&1 \
            || missing+=("$tool (Debian package $pkg)")
    done
    [[ -x $EXIM_ROOT/usr/sbin/exim4 ]] || missing+=("exim4 (exim4-daemon-light, unpacked into $EXIM_ROOT)")
    [[ -x /usr/lib/dovecot/imap ]] || missing+=("Dovecot's IMAP server (Debian package dovecot-imapd)")
    [[ -x /usr/lib/dovecot/lmtp ]] || missing+=("Dovecot's LMTP server (Debian package dovecot-lmtpd)")
    if ((${#missing[@]})); then
        die "required tools missing: ${missing[*]}; install them (src/test/sh/install-test-deps.sh) and run again"
    fi
    export PATH="$PATH:/usr/sbin:/sbin"
}

build() {
    if [[ ${NETSIM_SKIP_BUILD:-0} != 1 ]]; then
        say "building the jar and the test classes (mvn package -DskipTests)"
        (cd "$ROOT" && mvn -B -q package -DskipTests >"$WORK/build.log" 2>&1) \
            || { cat "$WORK/build.log" >&2; die "the build failed"; }
    fi
    [[ -f $JAR ]] || die "$JAR not found; build it with: mvn -B -q package -DskipTests"
    [[ -f $ROOT/target/test-classes/io/smtpprobe/testing/NetsimServers.class ]] \
        || die "target/test-classes has no NetsimServers; build with: mvn -B -q test-compile"
    (cd "$ROOT" && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$WORK/deps.classpath" \
        >"$WORK/classpath.log" 2>&1) \
        || { cat "$WORK/classpath.log" >&2; die "cannot resolve the test classpath (mvn dependency:build-classpath)"; }
    TEST_CLASSPATH="$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$WORK/deps.classpath")"
}

# ---------------------------------------------------------------- the network

# For commands in the foreground. A background job must call `ip netns exec` itself: `ip` execs the
# command, so $! is then the server's own pid, where a function in the background would be a subshell.
in_vm() { ip netns exec "$NS_VM" "$@"; }

make_network() {
    local ns
    for ns in "$NS_VM" "$NS_RT" "$NS_NET"; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
    done
    # veth pairs are created inside the namespaces, so the host's interface list never sees them.
    ip -n "$NS_VM" link add eth0 type veth peer name to-vm netns "$NS_RT"
    ip -n "$NS_NET" link add eth0 type veth peer name to-net netns "$NS_RT"

    ip -n "$NS_VM" addr add "$VM_ADDR/24" dev eth0
    ip -n "$NS_VM" link set eth0 up
    ip -n "$NS_VM" route add default via "$RT_VM_ADDR"

    ip -n "$NS_RT" addr add "$RT_VM_ADDR/24" dev to-vm
    ip -n "$NS_RT" addr add "$RT_NET_ADDR/24" dev to-net
    ip -n "$NS_RT" link set to-vm up
    ip -n "$NS_RT" link set to-net up
    ip netns exec "$NS_RT" sysctl -qw net.ipv4.ip_forward=1

    local addr
    for addr in "$DNS_ADDR" "$MX_ADDR" "$BLOCKLIST_ADDR" "$RELAY_ADDR" "$CONTROL_ADDR"; do
        ip -n "$NS_NET" addr add "$addr/24" dev eth0
    done
    ip -n "$NS_NET" addr add "$PRIVATE_MX_ADDR/32" dev eth0
    ip -n "$NS_NET" link set eth0 up
    ip -n "$NS_NET" route add default via "$RT_NET_ADDR"
    ip -n "$NS_RT" route add "$PRIVATE_MX_ADDR/32" via "$MX_ADDR"

    # `ip netns exec` bind-mounts /etc/netns/NAME/* over /etc: every name lookup a process in our
    # namespaces makes (the JVM's own, SubEthaSMTP's reverse lookups) goes to our dnsmasq.
    [[ -d /etc/netns ]] || { mkdir /etc/netns; CREATED_ETC_NETNS=1; }
    for ns in "$NS_VM" "$NS_NET"; do
        mkdir -p "/etc/netns/$ns"
        printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$DNS_ADDR" >"/etc/netns/$ns/resolv.conf"
    done
}

# Azure drops SYNs to public addresses on port 25 without an answer: drop, never reject. Private
# destinations (RFC 1918, RFC 6598, loopback, link-local, ULA) and every other port pass.
rule_azure_port25() {
    in_vm nft -f - <<'EOF'
table inet spnet_azure
delete table inet spnet_azure
table inet spnet_azure {
    chain output {
        type filter hook output priority 0; policy accept;
        meta l4proto tcp tcp dport 25 ip daddr != { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16 } drop
        meta l4proto tcp tcp dport 25 ip6 daddr != { ::1, fc00::/7, fe80::/10 } drop
    }
}
EOF
}

# No egress at all, as with an NSG that denies the internet: every packet to the internet network is
# dropped, except DNS, which on Azure goes to the platform resolver and keeps working.
rule_no_egress() {
    in_vm nft -f - <<EOF
table inet spnet_azure
delete table inet spnet_azure
table inet spnet_azure {
    chain output {
        type filter hook output priority 0; policy accept;
        ip daddr $DNS_ADDR udp dport 53 accept
        ip daddr $DNS_ADDR tcp dport 53 accept
        ip daddr 203.0.113.0/24 drop
    }
}
EOF
}

rule_none() {
    in_vm nft -f - <<'EOF'
table inet spnet_azure
delete table inet spnet_azure
EOF
}

# ---------------------------------------------------------------- the internet side

# A test CA, and one server certificate it signs for both the relay's and the MX's names; the agent
# trusts the CA through tls.ca_file, the servers get the key as PKCS12.
make_certificates() {
    local d="$WORK/tls"
    mkdir -p "$d"
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
        "subjectAltName=DNS:relay.example.test,DNS:mx1.example.test" >"$d/server.ext"
    {
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -subj "/CN=smtp-probe netsim test CA" -keyout "$d/ca.key" -out "$d/ca.pem" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -subj "/CN=relay.example.test" -keyout "$d/server.key" -out "$d/server.csr" \
        && openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
            -extfile "$d/server.ext" -out "$d/server.pem" \
        && openssl pkcs12 -export -in "$d/server.pem" -inkey "$d/server.key" -certfile "$d/ca.pem" \
            -name server -passout pass:netsim -out "$d/server.p12"
    } >"$WORK/openssl.log" 2>&1 || { cat "$WORK/openssl.log" >&2; die "openssl could not make the test certificates"; }
    CA_FILE="$d/ca.pem"
}

start_dns() {
    cat >"$WORK/dnsmasq.conf" <<EOF
no-resolv
no-hosts
bind-interfaces
listen-address=$DNS_ADDR
local=/test/
mx-host=example.test,mx1.example.test,10
host-record=mx1.example.test,$MX_ADDR
mx-host=blocklisted.test,mx.blocklisted.test,10
host-record=mx.blocklisted.test,$BLOCKLIST_ADDR
host-record=relay.example.test,$RELAY_ADDR
host-record=control.example.test,$CONTROL_ADDR
host-record=vm.example.test,$VM_ADDR
EOF
    mail_dns_records >>"$WORK/dnsmasq.conf"
    ip netns exec "$NS_NET" dnsmasq --keep-in-foreground --conf-file="$WORK/dnsmasq.conf" --pid-file= \
        --log-facility="$WORK/dnsmasq.log" &
    PIDS+=($!)
}

start_servers() {
    RELAY_PASSWORD_FILE="$WORK/relay-password"
    (umask 077 && printf 'netsim-%s-%s\n' "$$" "$RANDOM$RANDOM" >"$RELAY_PASSWORD_FILE")
    ip netns exec "$NS_NET" java -cp "$TEST_CLASSPATH" io.smtpprobe.testing.NetsimServers \
        mx="$MX_ADDR,$PRIVATE_MX_ADDR" blocklist="$BLOCKLIST_ADDR" relay="$RELAY_ADDR" control="$CONTROL_ADDR" \
        keystore="$WORK/tls/server.p12" keystore_password=netsim \
        user="$RELAY_USER" password_file="$RELAY_PASSWORD_FILE" ready="$WORK/servers.ready" \
        >"$WORK/servers.log" 2>&1 &
    PIDS+=($!)
    local servers=$!
    local deadline=$((SECONDS + 30))
    until [[ -f $WORK/servers.ready ]]; do
        kill -0 "$servers" 2>/dev/null || { cat "$WORK/servers.log" >&2; die "the test servers exited"; }
        ((SECONDS < deadline)) || die "the test servers did not start in 30s"
        sleep 0.2
    done
}

# ---------------------------------------------------------------- the agent's config and runs

# write_config FILE OFFER TARGETS...   targets: mx, private-mx, blocklist, relay, control
# DNS_SERVERS (YAML list) overrides dns.servers; [] means the system resolver.
write_config() {
    local file=$1 offer=$2 target servers=${DNS_SERVERS:-"[\"$DNS_ADDR\"]"}
    shift 2
    cat >"$file" <<EOF
subscription:
  offer: $offer
azure:
  metadata: "off"
probe:
  interval: 10s
  jitter: 0s
  timeout: $PROBE_TIMEOUT
dns:
  servers: $servers
  ip_family: ipv4
targets:
EOF
    for target in "$@"; do
        case $target in
            mx) cat >>"$file" <<EOF
  - name: mx
    mx: example.test
    mode: smtp
    tls:
      ca_file: $CA_FILE
EOF
            ;;
            private-mx) cat >>"$file" <<EOF
  - name: private-mx
    host: $PRIVATE_MX_ADDR
    mode: smtp
    port: 25
    starttls: "off"
EOF
            ;;
            blocklist) cat >>"$file" <<EOF
  - name: blocklisted-mx
    mx: blocklisted.test
    mode: smtp
EOF
            ;;
            relay) cat >>"$file" <<EOF
  - name: relay
    host: relay.example.test
    mode: submission
    port: 587
    auth:
      username: $RELAY_USER
      password_file: $RELAY_PASSWORD_FILE
    tls:
      ca_file: $CA_FILE
EOF
            ;;
            control) cat >>"$file" <<EOF
  - name: control
    host: control.example.test
    mode: tcp
    port: 443
EOF
            ;;
            *) die "write_config: unknown target $target" ;;
        esac
    done
}

# check NAME ARGS...: runs `smtp-probe check --output json` in the vm; sets CHECK_RC and CHECK_JSON.
# A round takes about one probe timeout; a check still running after a minute is a hang, and fails.
check() {
    local name=$1
    shift
    CHECK_JSON="$WORK/$name.json"
    CHECK_RC=0
    in_vm timeout 60 java -jar "$JAR" check --output json "$@" >"$CHECK_JSON" 2>"$WORK/$name.err" || CHECK_RC=$?
    if [[ $CHECK_RC == 124 ]]; then
        fail "$name: check did not finish within 60s"
        return 1
    fi
    # jq 1.6 -e exits 0 on empty input: an empty report must not pass.
    if [[ ! -s $CHECK_JSON ]] || ! jq -e '.results and .diagnosis' "$CHECK_JSON" >/dev/null 2>&1; then
        fail "$name: check printed no JSON report (exit $CHECK_RC): $(head -c 600 "$WORK/$name.err")"
        return 1
    fi
}

expect_exit() {
    local name=$1 want=$2
    if [[ $CHECK_RC == "$want" ]]; then pass "$name: exit code $want"; else fail "$name: exit code $CHECK_RC, expected $want"; fi
}

# expect_result NAME TARGET FIELD VALUE: the first result of TARGET has FIELD == VALUE.
expect_result() {
    local name=$1 target=$2 field=$3 want=$4 got
    got=$(jq -r --arg t "$target" --arg f "$field" '[.results[] | select(.target == $t)][0][$f] // "<absent>"' "$CHECK_JSON")
    if [[ $got == "$want" ]]; then
        pass "$name: $target $field $want"
    else
        fail "$name: $target $field is $got, expected $want; result: $(jq -c --arg t "$target" \
            '[.results[] | select(.target == $t)][0] | {host, address, port, outcome, verdict, reply, detail}' "$CHECK_JSON")"
    fi
}

# expect_jq NAME WHAT FILTER: FILTER (jq, over the whole report) is true; WHAT says what that means.
expect_jq() {
    local name=$1 what=$2 filter=$3
    if [[ -s $CHECK_JSON ]] && jq -e "$filter" "$CHECK_JSON" >/dev/null 2>&1; then pass "$name: $what"; else
        fail "$name: not true: $what ($filter)"; fi
}

expect_diagnosis() {
    local name=$1 want=$2 got
    got=$(jq -r '.diagnosis.value' "$CHECK_JSON")
    if [[ $got == "$want" ]]; then pass "$name: diagnosis $want"; else
        fail "$name: diagnosis is $got, expected $want: $(jq -r '.diagnosis.explanation' "$CHECK_JSON")"; fi
}

expect_no_secret() {
    local name=$1 secret
    secret=$(tr -d '\n' <"$RELAY_PASSWORD_FILE")
    if grep -qF -- "$secret" "$CHECK_JSON" "$WORK/$name.err"; then
        fail "$name: the relay password appears in the output"
    else
        pass "$name: the relay password appears nowhere in the output"
    fi
}

# ---------------------------------------------------------------- the scenarios

# The harness itself, before the agent: names resolve through dnsmasq, 587 connects, 25 is dropped.
check_harness() {
    say "harness: the network as the VM sees it"
    if in_vm getent ahostsv4 relay.example.test | grep -q "^$RELAY_ADDR"; then
        pass "harness: relay.example.test resolves to $RELAY_ADDR through dnsmasq"
    else
        fail "harness: relay.example.test does not resolve in the vm namespace; $(tail -5 "$WORK/dnsmasq.log")"
    fi
    if in_vm timeout 3 bash -c "exec 3<>/dev/tcp/$RELAY_ADDR/587" 2>/dev/null; then
        pass "harness: TCP/587 to the relay connects"
    else
        fail "harness: TCP/587 to the relay does not connect"
    fi
    if in_vm timeout 3 bash -c "exec 3<>/dev/tcp/$PRIVATE_MX_ADDR/25" 2>/dev/null; then
        pass "harness: TCP/25 to the private MX $PRIVATE_MX_ADDR connects (private ranges are not blocked)"
    else
        fail "harness: TCP/25 to the private MX $PRIVATE_MX_ADDR does not connect"
    fi
    local rc=0
    in_vm timeout 2 bash -c "exec 3<>/dev/tcp/$MX_ADDR/25" 2>/dev/null || rc=$?
    if [[ $rc == 124 ]]; then
        pass "harness: TCP/25 to the MX is silently dropped (connect still pending after 2s)"
    else
        fail "harness: TCP/25 to the MX ended with $rc, expected a hang (timeout exit 124)"
    fi
}

scenario_payg_blocked() {
    local n=payg-blocked cfg="$WORK/payg.yml"
    say "scenario $n: Pay-As-You-Go, TCP/25 dropped as Azure does"
    rule_azure_port25
    write_config "$cfg" pay-as-you-go mx relay control
    check "$n" --config "$cfg" || return 0
    expect_result "$n" mx outcome tcp_timeout
    expect_result "$n" mx verdict as_expected
    expect_jq "$n" "the dropped MX probe ends within the 3s deadline (plus 1s)" \
        '.results[] | select(.target == "mx") | .phases.total <= 4'
    expect_result "$n" relay outcome ok
    expect_result "$n" relay verdict as_expected
    expect_jq "$n" "the relay's certificate was verified through tls.ca_file and AUTH succeeded" \
        '.results[] | select(.target == "relay") | .tls.certificate_subject == "CN=relay.example.test" and (.reply | startswith("235"))'
    expect_result "$n" control outcome ok
    expect_diagnosis "$n" port25_blocked_as_expected
    expect_jq "$n" "the action recommends an authenticated relay on 587" '.diagnosis.action | test("587")'
    expect_exit "$n" 0
    expect_no_secret "$n"
}

scenario_private_destination() {
    local n=private-mx cfg="$WORK/payg-private.yml"
    say "scenario $n: Pay-As-You-Go, TCP/25 dropped, an MX at a private address besides the public one"
    rule_azure_port25
    write_config "$cfg" pay-as-you-go mx private-mx relay control
    check "$n" --config "$cfg" || return 0
    expect_result "$n" private-mx expected reachable
    expect_result "$n" private-mx outcome ok
    expect_result "$n" private-mx verdict as_expected
    expect_result "$n" mx verdict as_expected
    expect_diagnosis "$n" port25_blocked_as_expected
    expect_exit "$n" 0
}

scenario_ea_blocked() {
    local n=ea-blocked cfg="$WORK/payg.yml"
    say "scenario $n: enterprise agreement (--offer), TCP/25 dropped"
    rule_azure_port25
    check "$n" --config "$cfg" --offer enterprise-agreement || return 0
    expect_result "$n" mx outcome tcp_timeout
    expect_result "$n" mx verdict unexpectedly_blocked
    expect_result "$n" relay verdict as_expected
    expect_diagnosis "$n" port25_blocked_unexpectedly
    expect_exit "$n" 1
}

scenario_payg_open() {
    local n=payg-open cfg="$WORK/payg.yml"
    say "scenario $n: Pay-As-You-Go, the drop rule removed"
    rule_none
    check "$n" --config "$cfg" || return 0
    expect_result "$n" mx outcome ok
    expect_jq "$n" "the MX conversation upgraded with STARTTLS" '.results[] | select(.target == "mx") | .tls.version | startswith("TLS")'
    expect_result "$n" mx verdict unexpectedly_open
    expect_diagnosis "$n" port25_open_unexpectedly
    expect_exit "$n" 1
}

scenario_blocklisted() {
    local n=blocklisted cfg="$WORK/ea-blocklisted.yml"
    say "scenario $n: enterprise agreement, no rule, the MX greets with 554"
    rule_none
    write_config "$cfg" enterprise-agreement blocklist relay control
    check "$n" --config "$cfg" || return 0
    expect_result "$n" blocklisted-mx outcome greeting_rejected
    expect_jq "$n" "the 554 greeting is the reported reply" \
        '.results[] | select(.target == "blocklisted-mx") | .reply | startswith("554 5.7.1")'
    expect_result "$n" blocklisted-mx verdict receiver_rejected
    expect_result "$n" relay verdict as_expected
    expect_exit "$n" 1
}

# The default config's way: no dns.servers, so the VM's own resolver (its /etc/resolv.conf, which
# points at dnsmasq inside the namespaces) finds the MX.
scenario_system_resolver() {
    local n=ea-open cfg="$WORK/ea-system-resolver.yml"
    say "scenario $n: enterprise agreement, no rule, MX found through the system resolver"
    rule_none
    DNS_SERVERS="[]" write_config "$cfg" enterprise-agreement mx control
    check "$n" --config "$cfg" || return 0
    expect_result "$n" mx address "$MX_ADDR"
    expect_result "$n" mx outcome ok
    expect_result "$n" mx verdict as_expected
    expect_diagnosis "$n" port25_open_as_expected
    expect_exit "$n" 0
}

scenario_no_egress() {
    local n=no-egress cfg="$WORK/payg.yml"
    say "scenario $n: Pay-As-You-Go, everything to the internet dropped (relay and control too)"
    rule_no_egress
    check "$n" --config "$cfg" || return 0
    expect_result "$n" mx outcome tcp_timeout
    expect_result "$n" relay outcome tcp_timeout
    expect_result "$n" control outcome tcp_timeout
    expect_diagnosis "$n" no_egress
    expect_exit "$n" 1
}

# metric_is NAME VALUE LABEL=VALUE...: a sample of NAME with all the labels has VALUE.
metric_is() {
    local file=$1 metric=$2 value=$3
    shift 3
    awk -v metric="$metric" -v value="$value" -v want="$*" '
        BEGIN { n = split(want, labels, " ") }
        index($0, metric "{") == 1 {
            for (i = 1; i <= n; i++) {
                split(labels[i], kv, "=")
                if (index($0, kv[1] "=\"" kv[2] "\"") == 0) next
            }
            if ($NF + 0 == value + 0) found = 1
        }
        END { exit found ? 0 : 1 }' "$file"
}

scenario_daemon() {
    local n=daemon cfg="$WORK/payg.yml" metrics="$WORK/metrics.txt"
    say "scenario $n: smtp-probe run in the vm, Pay-As-You-Go with TCP/25 dropped, scraped from the vm"
    rule_azure_port25
    ip netns exec "$NS_VM" java -jar "$JAR" run --config "$cfg" --web.listen-address "127.0.0.1:$DAEMON_PORT" \
        >"$WORK/daemon.log" 2>&1 &
    local daemon=$!
    PIDS+=("$daemon")
    # The first round ends after the dropped probes' deadline; poll until every target has a result (/-/ready:
    # the diagnosis judges them all; under load it once read the mx's verdict before the control's result, and
    # the diagnosis of that moment, insufficient_data) and its verdicts are exported.
    local deadline=$((SECONDS + 40)) scraped=0
    while ((SECONDS < deadline)); do
        kill -0 "$daemon" 2>/dev/null || break
        if in_vm curl -sf --max-time 2 "http://127.0.0.1:$DAEMON_PORT/-/ready" -o /dev/null \
            && in_vm curl -sf --max-time 2 "http://127.0.0.1:$DAEMON_PORT/metrics" -o "$metrics" \
            && metric_is "$metrics" smtp_probe_verdict 1 target=mx verdict=as_expected; then
            scraped=1
            break
        fi
        sleep 0.5
    done
    if [[ $scraped == 1 ]]; then
        pass "$n: smtp_probe_verdict{target=\"mx\",verdict=\"as_expected\"} 1"
    elif ! kill -0 "$daemon" 2>/dev/null; then
        fail "$n: the daemon exited: $(tail -5 "$WORK/daemon.log")"
        return 0
    else
        fail "$n: no smtp_probe_verdict{target=\"mx\",verdict=\"as_expected\"} 1 within 40s; $(grep '^smtp_probe_verdict' "$metrics" 2>/dev/null | head -5)"
    fi
    if metric_is "$metrics" smtp_probe_diagnosis 1 diagnosis=port25_blocked_as_expected; then
        pass "$n: smtp_probe_diagnosis{diagnosis=\"port25_blocked_as_expected\"} 1"
    else
        fail "$n: smtp_probe_diagnosis is not port25_blocked_as_expected: $(grep '^smtp_probe_diagnosis' "$metrics" 2>/dev/null)"
    fi
    if metric_is "$metrics" smtp_probe_outcome 1 target=relay outcome=ok; then
        pass "$n: smtp_probe_outcome{target=\"relay\",outcome=\"ok\"} 1"
    else
        fail "$n: the relay's outcome is not ok: $(grep '^smtp_probe_outcome{.*target="relay"' "$metrics" 2>/dev/null | grep ' 1')"
    fi
    # /status has the JSON shape of `check --output json`, from the same round.
    CHECK_JSON="$WORK/status.json"
    if in_vm curl -sf --max-time 2 "http://127.0.0.1:$DAEMON_PORT/status" -o "$CHECK_JSON"; then
        expect_result "$n" mx verdict as_expected
        expect_diagnosis "$n" port25_blocked_as_expected
    else
        fail "$n: GET /status failed"
    fi
    if grep -qF -- "$(tr -d '\n' <"$RELAY_PASSWORD_FILE")" "$metrics" "$CHECK_JSON" "$WORK/daemon.log"; then
        fail "$n: the relay password appears in the metrics, /status or the daemon's log"
    else
        pass "$n: the relay password appears nowhere in the metrics, /status or the daemon's log"
    fi
    kill -TERM "$daemon"
    local stop_by=$((SECONDS + 15))
    while kill -0 "$daemon" 2>/dev/null && ((SECONDS < stop_by)); do
        sleep 0.2
    done
    if kill -0 "$daemon" 2>/dev/null; then
        kill -KILL "$daemon"
        fail "$n: still running 15s after SIGTERM; killed"
    fi
    local rc=0
    wait "$daemon" || rc=$?
    # A clean stop on SIGTERM is exit 0, which systemd records as a successful stop.
    if [[ $rc == 0 ]]; then pass "$n: stops on SIGTERM with exit 0"; else
        fail "$n: exit $rc after SIGTERM, expected 0: $(tail -3 "$WORK/daemon.log")"; fi
}

main() {
    require_tools
    WORK=$(mktemp -d "/tmp/$PREFIX.XXXXXX")
    build
    say "network: namespaces $NS_VM, $NS_RT, $NS_NET"
    make_network
    make_certificates
    start_dns
    start_servers
    start_mail
    rule_azure_port25
    check_harness
    check_mail_harness
    if [[ ${NETSIM_HARNESS_ONLY:-0} == 1 ]]; then
        finished=1
        say "$passed passed, $failed failed"
        ((failed == 0))
        return
    fi
    if [[ ${NETSIM_MAIL_ONLY:-0} != 1 ]]; then
        scenario_payg_blocked
        scenario_private_destination
        scenario_ea_blocked
        scenario_payg_open
        scenario_blocklisted
        scenario_system_resolver
        scenario_no_egress
        scenario_daemon
    fi
    scenarios_mail
    finished=1
    say "finished in $((SECONDS - started))s"
    say "$passed passed, $failed failed ($failed_r2 of them [r2], awaiting revision 2 of the verdicts (README.md))"
    ((failed == 0))
}

main "$@"
