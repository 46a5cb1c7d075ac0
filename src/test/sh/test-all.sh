#!/usr/bin/env bash
# The whole test suite, as the README gives it and .ci/run calls it: installs the Debian packages
# the tests need, runs the Maven build with every unit and loopback integration test, then the
# simulated Azure network and the systemd boot suites.
set -euo pipefail
cd "$(dirname "$0")/../../.."

bash src/test/sh/install-test-deps.sh
mvn -B -ntp verify
NETSIM_SKIP_BUILD=1 bash src/test/sh/azure-network-test.sh
bash src/test/sh/systemd-boot-test.sh
