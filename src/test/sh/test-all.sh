#!/usr/bin/env bash
# The whole test suite, as the README gives it and .ci/run calls it: installs the Debian packages
# the tests need, runs the Maven build with every unit and loopback integration test, runs the tests
# that can differ by runtime again on the newest Java runtime installed when it is not the build's,
# then the simulated Azure network and the systemd boot suites; ends with a table of each stage's time.
set -euo pipefail
cd "$(dirname "$0")/../../.."

# The major version of the runtime in directory $1, from its release file; 0 without one.
java_major() {
    sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9][0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -n 1 | grep . || echo 0
}

# The newest runtime of version 17 or newer under /usr/lib/jvm (its real directory); empty if none.
newest_java_home() {
    local best= best_major=0 home major
    for home in /usr/lib/jvm/*/; do
        home=$(readlink -f "$home")
        [ -x "$home/bin/java" ] || continue
        major=$(java_major "$home")
        if [ "$major" -ge 17 ] && [ "$major" -gt "$best_major" ]; then
            best=$home
            best_major=$major
        fi
    done
    printf '%s\n' "$best"
}

# Each stage's wall time, printed as a table at the end (issue 24: the whole run has a budget of 18 minutes).
stages=()
stage() {
    local name=$1 began=$SECONDS rc=0
    shift
    "$@" || rc=$?
    stages+=("$name|$((SECONDS - began))|$rc")
    return "$rc"
}
print_stages() {
    local row name seconds rc
    printf '\ntest-all: %-52s %7s\n' "stage" "seconds"
    for row in "${stages[@]}"; do
        IFS='|' read -r name seconds rc <<<"$row"
        printf 'test-all: %-52s %7d%s\n' "$name" "$seconds" "$([ "$rc" = 0 ] || echo "  FAILED (exit $rc)")"
    done
    printf 'test-all: %-52s %7d\n' "total (wall clock; the last two stages run together)" "$SECONDS"
}
boot_pid=
on_exit() {
    [ -z "$boot_pid" ] || kill -TERM "$boot_pid" 2>/dev/null || true
    print_stages
}
trap on_exit EXIT

# The tests that can differ by runtime, run again on the newest one: TLS (JSSE), the HTTP server (Jetty runs on
# virtual threads from Java 21), the launcher and the CDS/AOT archive, and what the JVM's threads, heap and
# collector decide (soak, heap and thread bounds). The rest is plain Java that a second pass only repeats.
RUNTIME_TESTS='io.smtpprobe.http.**.*Test,*Tls*Test,SmtpModeTest,SubmissionProbeTest,MtaStsTest,PlaintextRetryTest,'
RUNTIME_TESTS+='EchoedSecretTest,MisbehavingPeerTest,AsyncProbeTest,ConnectorTest,LauncherTest,CdsTrainingTest,'
RUNTIME_TESTS+='DaemonHeapBoundTest,ThreadBoundTest,DaemonSoakTest,SlowClientsTest,DaemonEndToEndTest,OneEngineTest'
RUNTIME_ITS='CdsArchiveIT,DebianPackageIT,InstallScriptIT'

# RUNTIME_TESTS and RUNTIME_ITS with their JVMs on $1: the unit tests as the build runs them, two forks at once
# (the integration tests one at a time: the pom pins failsafe's forkCount), then the @Serial ones alone (they
# load the machine or measure a process against a baseline of the same run).
runtime_tests() {
    mvn -B -ntp -Djvm="$1" -Dtest="$RUNTIME_TESTS" -Dit.test="$RUNTIME_ITS" -Dsurefire.failIfNoSpecifiedTests=false \
        -Dfailsafe.failIfNoSpecifiedTests=false -DforkCount=2 -DexcludedGroups=serial \
        surefire:test failsafe:integration-test failsafe:verify &&
        mvn -B -ntp -Djvm="$1" -Dtest="$RUNTIME_TESTS" -Dsurefire.failIfNoSpecifiedTests=false -Dgroups=serial \
            surefire:test
}

stage "install the test packages" bash src/test/sh/install-test-deps.sh
stage "mvn verify (Java 17: unit and integration)" mvn -B -ntp verify

# A VM may run the agent on a newer runtime than the build's (Ubuntu 24.04: 21; Temurin: 25), so the
# tests that can differ by runtime (RUNTIME_TESTS above) run once more with their JVMs on the newest one
# installed here. The code stays compiled for release 17 by the build's JDK; only the forked JVMs change.
build_java=$(readlink -f "${JAVA_HOME:+$JAVA_HOME/bin/java}" 2>/dev/null || true)
[ -n "$build_java" ] || build_java=$(readlink -f "$(command -v java)")
newest=$(newest_java_home)
if [ -n "$newest" ] && [ "$newest/bin/java" != "$build_java" ]; then
    echo "test-all: the tests that can differ by runtime again on $newest (Java $(java_major "$newest"))"
    stage "the runtime-sensitive tests on Java $(java_major "$newest")" runtime_tests "$newest/bin/java"
else
    echo "test-all: no Java runtime newer than the build's ($build_java) under /usr/lib/jvm"
fi

# The boot test runs beside the simulated network: they share nothing (a container with a private network;
# namespaces of their own, under names and directories of their own) and both spend most of their time
# waiting on servers and timeouts, so together they take little more than the longer of the two. The boot
# test's lines come labelled "boot:" among the network's.
boot_seconds=$(mktemp)
(
    # Its own seconds for the table (the stage is waited for after the network's), and SIGTERM passed on to it.
    began=$SECONDS
    bash src/test/sh/systemd-boot-test.sh > >(sed -u 's/^/boot: /') 2>&1 &
    child=$!
    trap 'kill -TERM "$child" 2>/dev/null' TERM
    rc=0
    wait "$child" || rc=$?
    [ "$rc" -le 128 ] || { rc=0; wait "$child" || rc=$?; }
    echo $((SECONDS - began)) > "$boot_seconds"
    exit "$rc"
) &
boot_pid=$!
netsim_rc=0
stage "the simulated Azure network (real Postfix, Dovecot, Exim)" \
    env NETSIM_SKIP_BUILD=1 bash src/test/sh/azure-network-test.sh || netsim_rc=$?
boot_rc=0
wait "$boot_pid" || boot_rc=$?
boot_pid=
stages+=("the systemd boot test (beside the simulated network)|$(cat "$boot_seconds")|$boot_rc")
rm -f "$boot_seconds"
[ "$netsim_rc" = 0 ] && [ "$boot_rc" = 0 ]
