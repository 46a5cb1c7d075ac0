#!/bin/sh
# smtp-probe against prometheus-blackbox-exporter on loopback targets; writes src/bench/RESULTS.md.
#
#   sudo src/bench/run-benchmark.sh           the full run (about 15 minutes; 5 of them the memory run)
#   sudo src/bench/run-benchmark.sh --quick   a smoke run (about 4 minutes; 30 s memory run)
#   ... --java PATH [--java PATH2]            smtp-probe on these runtimes (a JDK directory or its
#                                             bin/java), side by side in one run; blackbox once
#
# Needs root for apt-get: installs prometheus-blackbox-exporter, swaks, hyperfine, python3 and openssl
# from Debian when missing, builds target/smtp-probe.jar (Maven, JDK 17). Every target is
# on 127.0.0.1; nothing leaves the machine. Not part of `mvn test`.
set -eu

die() {
    printf 'run-benchmark: %s\n' "$*" >&2
    exit 1
}

here=$(dirname "$(readlink -f "$0")")
repo=$(dirname "$(dirname "$here")")

missing=""
command -v prometheus-blackbox-exporter >/dev/null 2>&1 || missing="$missing prometheus-blackbox-exporter"
command -v swaks >/dev/null 2>&1 || missing="$missing swaks"
command -v hyperfine >/dev/null 2>&1 || missing="$missing hyperfine"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
[ -x /usr/bin/python3 ] || missing="$missing python3"
if [ -n "$missing" ]; then
    [ "$(id -u)" -eq 0 ] || die "missing Debian packages:$missing; run as root, or: apt-get install -y$missing"
    command -v apt-get >/dev/null 2>&1 || die "missing:$missing, and no apt-get to install them (Debian or Ubuntu needed)"
    apt-get update -qq || die "apt-get update failed"
    # Installing the package must not start its system service: the benchmark runs its own exporter.
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null \
        || die "apt-get install$missing failed; is the package available in this release (apt-cache policy$missing)?"
fi
python_version=$(/usr/bin/python3 -c 'import sys; print(sys.version_info >= (3, 11))')
[ "$python_version" = True ] || die "python3 3.11 or newer needed (Debian 12 has it)"
command -v java >/dev/null 2>&1 || die "no java on PATH (Maven builds the jar with it); install openjdk-17-jdk-headless"

# Always built from the checked-out code: figures of a stale jar would be for other code.
if command -v mvn >/dev/null 2>&1; then
    (cd "$repo" && mvn -B -q package -DskipTests -Ddeb.skip=true) || die "building target/smtp-probe.jar failed"
elif [ -r "$repo/target/smtp-probe.jar" ]; then
    printf 'run-benchmark: no mvn; measuring the existing target/smtp-probe.jar, which may be older than the code\n' >&2
else
    die "target/smtp-probe.jar is missing and there is no mvn to build it (apt-get install maven)"
fi

# The delivery target's relay and mailbox (measurement 3) is GreenMail, run from the test classes.
(cd "$repo" && mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-test.classpath) \
    || die "building the test classes or resolving their classpath failed (mvn test-compile dependency:build-classpath)"
SMTP_PROBE_BENCH_TEST_CLASSPATH="$repo/target/test-classes:$repo/target/classes:$(cat "$repo/target/bench-test.classpath")"
export SMTP_PROBE_BENCH_TEST_CLASSPATH

# 1000 concurrent probes need more than the default 1024 descriptors per process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec /usr/bin/python3 "$here/bench.py" "$@"
