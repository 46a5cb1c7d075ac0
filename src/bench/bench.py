"""smtp-probe against prometheus-blackbox-exporter, side by side on the same loopback targets.

Run it through src/bench/run-benchmark.sh (installs what it needs, builds the jar). Every figure of
issue 7 is measured for both tools in the same run and written to src/bench/RESULTS.md.
"""
import argparse
import asyncio
import datetime
import http.client
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import footprint

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
JAR = os.path.join(REPO, "target", "smtp-probe.jar")
UNIT = os.path.join(REPO, "systemd", "smtp-probe.service")
LAUNCHER = os.path.join(REPO, "systemd", "smtp-probe")
MAKE_CDS = os.path.join(REPO, "systemd", "make-cds-archive")
FALLBACK_OPTS = "-Xmx64m -Xss256k -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
BLACKBOX = shutil.which("prometheus-blackbox-exporter") or shutil.which("blackbox_exporter")
TIMEOUT = 5.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
PROMETHEUS_ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                     "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")


def log(*parts):
    print("[%s]" % time.strftime("%H:%M:%S"), *parts, flush=True)


# ---------------------------------------------------------------- processes and /proc

def jvm_options():
    """The JAVA_OPTS of the shipped systemd unit, or the documented fallback before it exists."""
    if os.path.exists(UNIT):
        with open(UNIT) as unit:
            match = re.search(r'^Environment="JAVA_OPTS=([^"]*)"', unit.read(), re.M)
        if match:
            return match.group(1).split(), "systemd/smtp-probe.service"
    return FALLBACK_OPTS.split(), "fallback (systemd/smtp-probe.service not on this branch yet)"


def unit_environment():
    """The unit's other Environment=NAME=value lines (e.g. MALLOC_ARENA_MAX), applied as systemd would."""
    extra = {}
    if os.path.exists(UNIT):
        with open(UNIT) as unit:
            for name, value in re.findall(r'^Environment=([A-Z_][A-Z0-9_]*)=(\S*)$', unit.read(), re.M):
                extra[name] = value
    return extra


CDS_ARCHIVE = None
# The runtime measured now: every smtp-probe the bench starts runs on it (the launcher's JAVA_HOME).
JAVA_HOME = None


def java_home(path):
    """The runtime directory of --java PATH: a JAVA_HOME-like directory or a java executable in its bin/."""
    path = os.path.realpath(path)
    home = os.path.dirname(os.path.dirname(path)) if os.path.isfile(path) else path
    if not os.access(os.path.join(home, "bin", "java"), os.X_OK):
        raise SystemExit("run-benchmark: --java %s: no bin/java there; give a JDK directory such as "
                         "/usr/lib/jvm/temurin-25-jdk-amd64 or its bin/java" % path)
    return home


def java_version(home):
    """The runtime's full version line (java -version) and its major version from the release file."""
    lines = subprocess.run([os.path.join(home, "bin", "java"), "-version"], capture_output=True,
                           text=True).stderr.splitlines()
    major = "?"
    try:
        with open(os.path.join(home, "release")) as release:
            found = re.search(r'^JAVA_VERSION="?(\d+)', release.read(), re.M)
            major = found.group(1) if found else major
    except OSError:
        pass
    return (lines[1] if len(lines) > 1 else lines[0]), major


def make_cds_archive(work, opts):
    """The archive the package's postinst makes, for this jar and the runtime JAVA_HOME (its stamp pins both)."""
    global CDS_ARCHIVE
    archive = os.path.join(work, "cds-%s" % os.path.basename(JAVA_HOME), "smtp-probe.jsa")
    os.makedirs(os.path.dirname(archive), exist_ok=True)
    env = dict(os.environ, SMTP_PROBE_JAR=JAR, JAVA_OPTS=" ".join(opts))
    made = subprocess.run(["sh", MAKE_CDS, "--launcher", LAUNCHER, "--java-home", JAVA_HOME, archive], env=env,
                          capture_output=True, text=True)
    if made.returncode != 0:
        raise RuntimeError("systemd/make-cds-archive --java-home %s failed: %s" % (
            JAVA_HOME, made.stderr.strip() or made.stdout.strip()))
    CDS_ARCHIVE = archive


def launcher_environment(opts, archive=True):
    """What the launcher needs to run target/smtp-probe.jar as the unit runs the installed one, on JAVA_HOME."""
    return dict(os.environ, SMTP_PROBE_JAR=JAR, JAVA_OPTS=" ".join(opts), JAVA_HOME=JAVA_HOME,
                SMTP_PROBE_CDS_ARCHIVE=CDS_ARCHIVE if archive else "", **unit_environment())


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15)


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS for pid %d" % pid)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path, headers=None, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_http(port, path, want=200, limit=60.0, every=0.02):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            status, _ = http_get(port, path, timeout=2)
            if status == want:
                return time.monotonic()
        except OSError:
            pass
        time.sleep(every)
    raise RuntimeError("127.0.0.1:%d%s did not answer %d within %.0f s" % (port, path, want, limit))


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------- the two tools

class SmtpProbe:
    """`smtp-probe run` with a generated config, on a random loopback port."""

    def __init__(self, work, name, targets, interval, jitter, concurrency, opts, more_targets=""):
        self.port = free_port()
        self.config = os.path.join(work, name + ".yml")
        with open(self.config, "w") as out:
            out.write(smtp_probe_config(targets, interval, jitter, concurrency) + more_targets)
        self.log = open(os.path.join(work, name + ".log"), "w")
        self.started = time.monotonic()
        # As the unit starts it: the launcher (which execs the JVM, so the pid is the JVM's) with the unit's
        # JAVA_OPTS and environment, and the class data sharing archive the package makes at install.
        self.process = subprocess.Popen(
            [LAUNCHER, "run", "--config", self.config,
             "--web.listen-address", "127.0.0.1:%d" % self.port, "--log.level", "error"],
            stdout=self.log, stderr=subprocess.STDOUT, env=launcher_environment(opts))
        self.pid = self.process.pid
        self.names = [t["name"] for t in targets]
        RUNNING.append(self)

    def ready(self, limit=120.0):
        """Seconds from process start until /-/ready says every target was probed once."""
        return wait_http(self.port, "/-/ready", limit=limit) - self.started

    def exited(self):
        """None while running; else the exit code and the log's OutOfMemoryError line, if any."""
        code = self.process.poll()
        if code is None:
            return None
        self.log.flush()
        with open(self.log.name) as f:
            oom = [l.strip() for l in f if "OutOfMemoryError" in l]
        return "exited with %d%s" % (code, ": " + oom[0][:120] if oom else "")

    def status(self):
        status, body = http_get(self.port, "/status")
        if status != 200:
            raise RuntimeError("/status answered %d" % status)
        return json.loads(body)["results"]

    def round_after(self, previous):
        """Waits until every target has a result newer than `previous` (target -> started_at); returns them."""
        while True:
            results = self.status()
            if len(results) == len(self.names) and all(r["started_at"] != previous.get(r["target"]) for r in results):
                return results
            # Not faster: each /status serialises every result (over a megabyte at 1000 targets) on the two
            # cores the round is measured on.
            time.sleep(2)

    def close(self):
        stop(self.process)
        self.log.close()
        if self in RUNNING:
            RUNNING.remove(self)


RUNNING = []


class MailServer:
    """GreenMail's SMTPS relay and IMAPS mailbox (the test main io.smtpprobe.testing.BenchMailServer), for a
    delivery target; run-benchmark.sh puts the test classpath in SMTP_PROBE_BENCH_TEST_CLASSPATH."""

    def __init__(self, work):
        classpath = os.environ.get("SMTP_PROBE_BENCH_TEST_CLASSPATH")
        if not classpath:
            raise RuntimeError("SMTP_PROBE_BENCH_TEST_CLASSPATH is not set; run the benchmark through run-benchmark.sh")
        self.dir = os.path.join(work, "mail")
        os.makedirs(self.dir, exist_ok=True)
        self.process = subprocess.Popen([os.path.join(JAVA_HOME, "bin", "java"), "-cp", classpath,
                                         "io.smtpprobe.testing.BenchMailServer", self.dir],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        ports = dict(field.split("=") for field in line.split())
        if set(ports) != {"smtps", "imaps"}:
            stop(self.process)
            raise RuntimeError("the GreenMail server did not start: %r" % line)
        self.smtps, self.imaps = int(ports["smtps"]), int(ports["imaps"])

    def delivery_targets(self, work):
        """A relay target and a delivery target through it, as YAML list items to append to `targets:`."""
        return "\n".join([
            "  - name: relay", "    host: 127.0.0.1", "    port: %d" % self.smtps, "    mode: smtps",
            "    tls:", "      insecure_skip_verify: true", "    auth:", "      username: relay",
            "      password_file: %s" % os.path.join(self.dir, "relay-password"),
            "  - name: delivery", "    mode: delivery", "    relay: relay", "    mail_from: relay@example.com",
            "    rcpt_to: inbox@example.com", "    interval: 1m", "    delivery_timeout: 30s",
            "    state_file: %s" % os.path.join(work, "delivery.last-sent"),
            "    mailbox:", "      host: 127.0.0.1", "      port: %d" % self.imaps, "      username: inbox",
            "      password_file: %s" % os.path.join(self.dir, "mailbox-password"),
            "      tls:", "        insecure_skip_verify: true"]) + "\n"

    def close(self):
        self.process.stdin.close()
        stop(self.process)


def smtp_probe_config(targets, interval, jitter, concurrency):
    lines = ["subscription:", "  offer: unknown", "azure:", "  metadata: \"off\"", "probe:",
             "  interval: %s" % interval, "  jitter: %s" % jitter, "  timeout: %ds" % TIMEOUT,
             "  concurrency: %d" % concurrency, "  helo_name: bench.test", "targets:"]
    for t in targets:
        lines += ["  - name: %s" % t["name"], "    host: 127.0.0.1", "    port: %d" % t["port"],
                  "    mode: %s" % t.get("mode", "smtp"), "    expect: reachable"]
        if t["kind"].startswith("starttls"):
            lines += ["    starttls: required", "    tls:", "      ca_file: %s" % CA_FILE]
        elif t.get("mode", "smtp") == "smtp":
            lines += ["    starttls: \"off\""]
    return "\n".join(lines) + "\n"


BLACKBOX_CONFIG = """modules:
  smtp_starttls:
    prober: tcp
    timeout: 5s
    tcp:
      preferred_ip_protocol: ip4
      tls_config:
        ca_file: {ca}
      query_response:
        - expect: "^220"
        - send: "EHLO bench.test"
        - expect: "^250-STARTTLS"
        - expect: "^250 "
        - send: "STARTTLS"
        - expect: "^220"
        - starttls: true
        - send: "EHLO bench.test"
        - expect: "^250 "
        - send: "QUIT"
        - expect: "^221"
  smtp_greeting:
    prober: tcp
    timeout: 5s
    tcp:
      preferred_ip_protocol: ip4
      query_response:
        - expect: "^220"
        - send: "EHLO bench.test"
        - expect: "^250 "
        - send: "QUIT"
        - expect: "^221"
"""


class Blackbox:
    def __init__(self, work):
        self.port = free_port()
        config = os.path.join(work, "blackbox.yml")
        with open(config, "w") as out:
            out.write(BLACKBOX_CONFIG.format(ca=CA_FILE))
        self.log = open(os.path.join(work, "blackbox.log"), "w")
        self.process = subprocess.Popen(
            [BLACKBOX, "--config.file=" + config, "--web.listen-address=127.0.0.1:%d" % self.port,
             "--log.level=warn"], stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        wait_http(self.port, "/-/healthy", limit=30)

    def close(self):
        stop(self.process)
        self.log.close()


async def probe_request(port, target, module):
    """One /probe as Prometheus sends it; returns (probe_success, probe_duration_seconds, finished)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(("GET /probe?target=%s&module=%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
                  "Accept: %s\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n"
                  % (target, module, port, "text/plain;version=0.0.4")).encode())
    body = await reader.read()
    finished = time.monotonic()
    writer.close()
    text = body.decode(errors="replace")
    success = re.search(r"^probe_success (\S+)", text, re.M)
    duration = re.search(r"^probe_duration_seconds (\S+)", text, re.M)
    if not success or not duration:
        raise RuntimeError("blackbox answered without probe_success: %r" % text[:300])
    return float(success.group(1)), float(duration.group(1)), finished


async def probe_all(port, requests, concurrency=None):
    """Issues every (target, module) request, at most `concurrency` at once (None: all at once)."""
    gate = asyncio.Semaphore(concurrency or len(requests))

    async def one(target, module):
        async with gate:
            return await probe_request(port, target, module)

    return await asyncio.gather(*(one(t, m) for t, m in requests))


# ---------------------------------------------------------------- targets

def mixed_targets(ports, n):
    """n targets, half silently dropping, the rest alternating greeting-only and STARTTLS."""
    targets = []
    for i in range(n):
        if i % 2 == 0:
            targets.append({"name": "t%04d" % i, "kind": "silent", "port": ports["silent"][i // 2]})
        elif i % 4 == 1:
            targets.append({"name": "t%04d" % i, "kind": "greeting", "port": ports["greeting"]})
        else:
            targets.append({"name": "t%04d" % i, "kind": "starttls", "port": ports["starttls"]})
    return targets


def blackbox_requests(targets):
    return [("127.0.0.1:%d" % t["port"], "smtp_starttls" if t["kind"].startswith("starttls") else "smtp_greeting")
            for t in targets]


def round_seconds(results):
    """First probe start to last probe end, from the probes' own start times and total durations."""
    starts = [datetime.datetime.fromisoformat(r["started_at"].replace("Z", "+00:00")).timestamp() for r in results]
    ends = [s + r["phases"]["total"] for s, r in zip(starts, results)]
    return max(ends) - min(starts)


def unexpected_outcomes(results, targets):
    """Outcomes other than tcp_timeout for a dropping target and ok for a healthy one, counted by outcome."""
    kinds = {t["name"]: t["kind"] for t in targets}
    wrong = {}
    for r in results:
        want = "tcp_timeout" if kinds[r["target"]] == "silent" else "ok"
        if r["outcome"] != want:
            wrong[r["outcome"]] = wrong.get(r["outcome"], 0) + 1
    return wrong


# ---------------------------------------------------------------- the six measurements

def gc_stats(pid):
    """Full collections and their seconds so far (jstat), or None without a JDK's jstat."""
    jstat = os.path.join(JAVA_HOME, "bin", "jstat")  # the measured runtime's own, else the one on PATH
    jstat = jstat if os.access(jstat, os.X_OK) else shutil.which("jstat")
    if not jstat:
        return None
    out = subprocess.run([jstat, "-gcutil", str(pid)], capture_output=True, text=True).stdout.split("\n")
    try:
        row = dict(zip(out[0].split(), out[1].split()))
        return {"old_used_pct": float(row["O"]), "full_gcs": int(row["FGC"]), "full_gc_s": float(row["FGCT"])}
    except (IndexError, KeyError, ValueError):
        return None  # the process is gone


def measure_rounds(work, ports, bb, opts, sizes, reps, label="", concurrency_of=lambda n: min(n, 256)):
    figures = {}
    metrics_daemon = None
    for n in sizes:
        targets = mixed_targets(ports, n)
        concurrency = concurrency_of(n)
        daemon = SmtpProbe(work, "round-%d%s" % (n, label), targets, "15s", "0s", concurrency, opts)
        rounds = []
        wrong = []
        previous = {}
        failure = None
        to_ready = float("nan")
        try:
            to_ready = daemon.ready()
            for _ in range(reps):
                results = daemon.round_after(previous)
                wrong.append(unexpected_outcomes(results, targets))
                rounds.append(round_seconds(results))
                previous = {r["target"]: r["started_at"] for r in results}
        except (OSError, RuntimeError, http.client.HTTPException) as e:
            time.sleep(1)
            failure = daemon.exited() or "%s: %s" % (type(e).__name__, e)
            log("round N=%d%s: smtp-probe failed: %s" % (n, label, failure))
        gc = gc_stats(daemon.pid)
        bb_rounds = []
        bb_failed = []
        for _ in range(reps if bb else 0):  # blackbox once per run, not once per runtime
            began = time.monotonic()
            answers = asyncio.run(probe_all(bb.port, blackbox_requests(targets)))
            bb_rounds.append(max(a[2] for a in answers) - began)
            healthy = sum(1 for t in targets if t["kind"] != "silent")
            bb_failed.append(int(healthy - sum(a[0] for a in answers)))
            time.sleep(1)
        log("round N=%d%s: smtp-probe %s (start to ready %.2f s, unexpected outcomes %s), blackbox %s (healthy targets failed: %s), GC %s"
            % (n, label, ["%.2f" % r for r in rounds], to_ready, wrong, ["%.2f" % r for r in bb_rounds], bb_failed, gc))
        figures[n] = {"smtp": statistics.median(rounds) if rounds else float("nan"), "failure": failure,
                      "bb": statistics.median(bb_rounds) if bb else None, "ready": to_ready,
                      "concurrency": concurrency, "smtp_all": rounds, "bb_all": bb_rounds if bb else None, "wrong": wrong,
                      "bb_failed": bb_failed if bb else None, "gc": gc}
        if n == max(sizes) and failure is None:
            metrics_daemon = daemon
        else:
            daemon.close()
    return figures, metrics_daemon


def measure_scrapes(daemon, bb, count, limit=90.0):
    def timed(port, path, headers, process=None):
        times, size, failures = [], 0, []
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        end = time.monotonic() + limit
        try:
            while len(times) + len(failures) < count and time.monotonic() < end:
                began = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                    if response.status != 200:
                        raise RuntimeError("HTTP %d" % response.status)
                except (OSError, http.client.HTTPException, RuntimeError) as e:
                    failures.append(type(e).__name__ + ": " + str(e)[:80])
                    if process is not None and process.exited():
                        failures.append(process.exited())
                        break
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    time.sleep(0.1)
                    continue
                times.append((time.perf_counter() - began) * 1000)
                size = len(body)
        finally:
            conn.close()
        times.sort()
        if not times:
            return {"median": float("nan"), "p99": float("nan"), "bytes": 0, "count": 0, "failures": failures}
        return {"median": statistics.median(times), "p99": times[max(0, int(0.99 * len(times)) - 1)],
                "bytes": size, "count": len(times), "failures": failures}

    headers = {"Accept": PROMETHEUS_ACCEPT}
    if daemon is None:
        ours = {"median": float("nan"), "p99": float("nan"), "bytes": 0, "count": 0,
                "failures": ["no daemon with 1000 targets survived the rounds"]}
    else:
        ours = timed(daemon.port, "/metrics", headers, daemon)
    ours["gc"] = gc_stats(daemon.pid) if daemon else None
    theirs = timed(bb.port, "/metrics", headers) if bb else {}
    log("/metrics: smtp-probe %s, blackbox %s" % ({k: v for k, v in ours.items() if k != "failures"},
                                                   {k: v for k, v in theirs.items() if k != "failures"}),
        "failures:", len(ours["failures"]), ours["failures"][:1])
    return {"smtp": ours, "bb": theirs if bb else None}


def measure_cpu(work, ports, bb, opts, probes, kind):
    targets = [{"name": "s%03d" % i, "kind": kind, "port": ports[kind]} for i in range(250)]
    daemon = SmtpProbe(work, "cpu-" + kind, targets, "6s", "5s", 8, opts)
    try:
        daemon.ready()
        def runs():
            _, body = http_get(daemon.port, "/metrics")
            return sum(float(m.group(1)) for m in re.finditer(r"^smtp_probe_runs_total\{[^}]*\} (\S+)",
                                                                body.decode(), re.M))
        runs()  # the first scrape of a fresh JVM is not what a probe costs
        cpu0, runs0 = cpu_seconds(daemon.pid), runs()
        # 250 targets every 6 s are about 42 probes a second; scrape rarely, as Prometheus would.
        time.sleep(probes / (len(targets) / 6.0))
        runs1 = runs()
        while runs1 - runs0 < probes:
            time.sleep(2)
            runs1 = runs()
        cpu1 = cpu_seconds(daemon.pid)
        ours = (cpu1 - cpu0) / (runs1 - runs0) * 1000
    finally:
        daemon.close()
    if bb is None:  # blackbox once per run, not once per runtime
        log("CPU s per 1000 %s probes: smtp-probe %.3f (%d probes)" % (kind, ours, runs1 - runs0))
        return {"smtp": ours, "bb": None}
    requests = [("127.0.0.1:%d" % ports[kind], "smtp_starttls")] * probes
    asyncio.run(probe_all(bb.port, requests[:100], 8))
    cpu0 = cpu_seconds(bb.pid)
    answers = asyncio.run(probe_all(bb.port, requests, 8))
    cpu1 = cpu_seconds(bb.pid)
    if sum(a[0] for a in answers) != probes:
        raise RuntimeError("blackbox STARTTLS probes failed")
    theirs = (cpu1 - cpu0) / probes * 1000
    log("CPU s per 1000 %s probes: smtp-probe %.3f (%d probes), blackbox %.3f" % (kind, ours, runs1 - runs0, theirs))
    return {"smtp": ours, "bb": theirs}


def measure_memory(work, ports, bb, opts, seconds):
    targets = mixed_targets(ports, 100)
    daemon = SmtpProbe(work, "memory", targets, "10s", "9s", 100, opts)
    # A twin with Native Memory Tracking (which costs memory of its own, so not the measured daemon): the
    # JVM's own account of what it committed, beside the measured daemon's mappings.
    twin = SmtpProbe(work, "memory-nmt", targets, "10s", "9s", 100, opts + ["-XX:NativeMemoryTracking=summary"])
    # The same daemon with one delivery target more (a message every minute through GreenMail, found over IMAPS):
    # what the opt-in delivery probe, its IMAP classes and its thread cost.
    mail = MailServer(work)
    with_delivery = SmtpProbe(work, "memory-delivery", targets, "10s", "9s", 100, opts, mail.delivery_targets(work))
    requests = blackbox_requests(targets)

    async def prometheus_like(until):
        # Prometheus spreads its targets over the scrape interval and scrapes each every 10 s.
        async def scrape(i, request):
            await asyncio.sleep(i * 10.0 / len(requests))
            while time.monotonic() < until:
                next_at = time.monotonic() + 10
                await probe_request(bb.port, *request)
                await asyncio.sleep(max(0, next_at - time.monotonic()))
        await asyncio.gather(*(scrape(i, r) for i, r in enumerate(requests)))

    try:
        began = time.monotonic()
        until = began + seconds
        if bb:
            asyncio.run(prometheus_like(until))
        else:  # blackbox once per run, not once per runtime
            time.sleep(seconds)
        ours, theirs = rss_mib(daemon.pid), rss_mib(bb.pid) if bb else None
        delivering = rss_mib(with_delivery.pid)
        deliveries = delivery_results(with_delivery)
        threads = len(os.listdir("/proc/%d/task" % daemon.pid))
        # Read after VmRSS: jcmd's attach grows the JVM it asks.
        kinds, _ = footprint.classify(daemon.pid)
        nmt = footprint.native_memory(twin.pid)
    finally:
        daemon.close()
        twin.close()
        with_delivery.close()
        mail.close()
    log("VmRSS after %d s: smtp-probe %.1f MiB (%d threads), blackbox %s MiB" % (seconds, ours, threads, theirs))
    log("VmRSS after %d s with a delivery target: %.1f MiB; its results: %s" % (seconds, delivering, deliveries))
    log("smtp-probe's resident memory by mapping, and NMT of its twin:\n" + footprint.table(kinds, nmt))
    return {"smtp": ours, "bb": theirs, "seconds": seconds, "threads": threads, "breakdown": footprint.table(kinds, nmt),
            "delivery": delivering, "deliveries": deliveries}


def delivery_results(daemon):
    """The delivery targets' outcomes from /status (a figure for a probe that never delivered would mislead)."""
    status, body = http_get(daemon.port, "/status")
    if status != 200:
        return "/status answered %d" % status
    return ", ".join("%s %s" % (d["target"], d["outcome"]) for d in json.loads(body).get("deliveries", [])) or "none yet"


def measure_timing(work, ports, bb, opts, per_delay):
    delays = {"d50": 0.050, "d500": 0.500, "d1500": 1.500}
    targets = [{"name": "%s-%02d" % (key, i), "kind": "greeting", "port": ports[key]}
               for key in delays for i in range(per_delay)]
    daemon = SmtpProbe(work, "timing", targets, "6s", "2s", len(targets), opts)
    try:
        daemon.ready()
        # The first round of a fresh JVM loads the SMTP classes inside the greeting phase; measure the second.
        first = {r["target"]: r["started_at"] for r in daemon.status()}
        results = daemon.round_after(first)
    finally:
        daemon.close()
    figures = {}
    for key, delay in delays.items():
        ours = [(r["phases"]["greeting"] - delay) * 1000 for r in results if r["target"].startswith(key + "-")]
        figures[key] = {"smtp": statistics.median(ours), "smtp_max": max(abs(x) for x in ours), "bb": None,
                        "bb_max": None}
        if bb:  # blackbox once per run, not once per runtime
            answers = asyncio.run(probe_all(bb.port, [("127.0.0.1:%d" % ports[key], "smtp_greeting")] * per_delay, 5))
            theirs = [(a[1] - delay) * 1000 for a in answers]
            figures[key].update(bb=statistics.median(theirs), bb_max=max(abs(x) for x in theirs))
        log("greeting %s: smtp-probe error median %.2f ms (max %.2f), blackbox %s ms (max %s)"
            % (key, figures[key]["smtp"], figures[key]["smtp_max"], figures[key]["bb"], figures[key]["bb_max"]))
    return figures


def measure_check(work, ports, opts, runs, swaks_too=True):
    """`check` through the shipped launcher, with and without the archive systemd/make-cds-archive makes."""
    config = os.path.join(work, "check.yml")
    targets = [{"name": "greeting", "kind": "greeting", "port": ports["greeting"]},
               {"name": "starttls", "kind": "starttls", "port": ports["starttls"]},
               {"name": "submission", "kind": "starttls", "port": ports["starttls"], "mode": "submission"}]
    with open(config, "w") as out:
        out.write(smtp_probe_config(targets, "5m", "0s", 8))
    check = [LAUNCHER, "check", "--config", config]
    without = launcher_environment(opts, archive=False)
    with_cds = launcher_environment(opts)
    probe = subprocess.run(check, capture_output=True, text=True, env=without)
    if probe.returncode != 0:
        raise RuntimeError("check exited %d:\n%s%s" % (probe.returncode, probe.stdout, probe.stderr))
    # Proof that the launcher passes the archive and the JVM maps it, not just that a file exists.
    loaded = os.path.join(work, "class-load.log")
    subprocess.run(check, env=dict(with_cds, JAVA_OPTS=with_cds["JAVA_OPTS"] + " -Xlog:class+load:file=" + loaded),
                   check=True, capture_output=True)
    with open(loaded) as f:
        sources = [line.split(" source: ", 1)[1].strip() for line in f if " source: " in line]
        f.seek(0)
        if not any("io.smtpprobe.cli.Main source: shared objects file" in line for line in f):
            raise RuntimeError("the launcher did not start check on %s from the CDS archive %s" % (JAVA_HOME, CDS_ARCHIVE))
    shared = sum(1 for source in sources if source.startswith("shared objects file"))
    swaks = ["swaks", "--server", "127.0.0.1", "--port", str(ports["greeting"]), "--quit-after", "EHLO",
             "--helo", "bench.test", "--to", "bench@example.invalid", "--from", "bench@example.invalid"]
    medians = []
    for command, environment in ((check, without), (check, with_cds)) + (((swaks, with_cds),) if swaks_too else ()):
        export = os.path.join(work, "hyperfine.json")
        timed = subprocess.run(["hyperfine", "--style", "basic", "-N", "--warmup", "3", "--runs", str(runs),
                                "--export-json", export, " ".join(command)], stdout=subprocess.DEVNULL, env=environment)
        if timed.returncode != 0:
            again = subprocess.run(command, capture_output=True, text=True, env=environment)
            raise RuntimeError("a timed %s exited non-zero on %s; once more it exited %d:\n%s%s" % (
                command[1], JAVA_HOME, again.returncode, again.stdout, again.stderr))
        with open(export) as f:
            medians.append(statistics.median(json.load(f)["results"][0]["times"]))
    medians += [None] * (3 - len(medians))  # swaks once per run, not once per runtime
    log("check wall: %.3f s, with the CDS archive %.3f s (%d of %d classes from it); swaks %s s"
        % (medians[0], medians[1], shared, len(sources), medians[2]))
    return {"smtp": medians[0], "smtp_cds": medians[1], "bb": medians[2], "classes": len(sources), "shared": shared}


# ---------------------------------------------------------------- report

def machine():
    def run(*cmd):
        return subprocess.run(cmd, capture_output=True, text=True).stdout + subprocess.run(
            cmd, capture_output=True, text=True).stderr

    with open("/proc/cpuinfo") as f:
        model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "unknown")
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) / 1024 / 1024
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    blackbox = subprocess.run([BLACKBOX, "--version"], capture_output=True, text=True)
    bb_version = (blackbox.stdout + blackbox.stderr).splitlines()[0]
    commit = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    return {"commit": commit, "nproc": os.cpu_count(), "cpu": model, "memory": "%.1f GiB" % mem, "kernel": os.uname().release,
            "java": java[1] if len(java) > 1 else java[0], "blackbox": bb_version,
            "swaks": run("swaks", "--version").strip().splitlines()[0],
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def fill_blackbox(figures, first):
    """Blackbox's figures, measured once with the first runtime, into another runtime's (its bb* keys are None)."""
    for key, value in figures.items():
        if isinstance(value, dict) and isinstance(first.get(key), dict):
            fill_blackbox(value, first[key])
        elif value is None and str(key).startswith("bb"):
            figures[key] = first.get(key)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def ratio(a, b):
    return "%.2f" % (a / b) if b else "n/a"


def goal(met, text):
    return ("met: " if met else "**missed**: ") + text


def report(measured, info, opts_source, opts, quick, load_before, load_after):
    """RESULTS.md: one smtp-probe column per runtime of `measured` ((label, home, figures) in order), blackbox once."""
    figures = measured[0][2]
    per_runtime = [rows_of(f) for _, _, f in measured]
    labels = [label for label, _, _ in measured]
    rows = []
    for i, row in enumerate(per_runtime[0]):
        cells = [r[i] for r in per_runtime]
        goals = [c[4] for c in cells]
        rows.append((row[0],) + tuple(c[1] for c in cells) + (row[2], " / ".join(c[3] for c in cells),
                    goals[0] if len(set(goals)) == 1 and len(labels) == 1 else "; ".join(
                        "%s: %s" % (label, g) for label, g in zip(labels, goals) if g)))
    return page(rows, labels, measured, figures, info, opts_source, opts, quick, load_before, load_after)


def rows_of(figures):
    """The table's rows for one runtime: (measurement, smtp-probe, blackbox, ratio, goal)."""
    rows = []
    rounds = sorted(figures["rounds"].items()) + [(1000, dict(f, default=True)) for f in figures["rounds_c8"].values()]
    for n, f in rounds:
        verdict = ""
        if n == 1000:
            bar = TIMEOUT + 0.5
            over = max(f["smtp"] - bar, f["smtp"] - f["bb"])
            verdict = goal(f["smtp"] <= bar and f["smtp"] <= f["bb"],
                           "<= %.1f s and <= blackbox" % bar + ("" if over <= 0 else ", over by %.2f s" % over))
            if f.get("default"):
                verdict = "(beside the goal) " + verdict
        bad = sum(sum(w.values()) for w in f["wrong"])
        value = "%.2f" % f["smtp"] + (" (%d probes abandoned)" % bad if bad else "")
        if f.get("failure"):
            value += " (%s)" % f["failure"]
        rows.append(("1. round, N=%d (half dropping), s, concurrency %d%s" % (
                     n, f["concurrency"], " (the default)" if f.get("default") else ""),
                     value, "%.2f" % f["bb"],
                     ratio(f["smtp"], f["bb"]), verdict))
    for key, label in (("cpu", "RSA 2048"), ("cpu_ec", "ECDSA P-256")):
        c = figures[key]
        rows.append(("2. CPU s per 1000 STARTTLS probes, %s certificate" % label, "%.2f" % c["smtp"], "%.2f" % c["bb"],
                     ratio(c["smtp"], c["bb"]), goal(c["smtp"] <= c["bb"], "<= blackbox" + (
                         "" if c["smtp"] <= c["bb"] else ", %.1fx blackbox" % (c["smtp"] / c["bb"])))))
    m = figures["memory"]
    rows.append(("3. VmRSS after %d s, 100 targets every 10 s, MiB" % m["seconds"], "%.1f" % m["smtp"],
                 "%.1f" % m["bb"], ratio(m["smtp"], m["bb"]),
                 goal(m["smtp"] <= 64, "<= 64 MiB" + ("" if m["smtp"] <= 64 else ", over by %.1f MiB"
                                                     % (m["smtp"] - 64)))))
    rows.append(("3. the same with one delivery target more (GreenMail relay and IMAPS mailbox, a message a minute;"
                 " its outcomes: %s), MiB" % m["deliveries"], "%.1f (%+.1f)" % (m["delivery"], m["delivery"] - m["smtp"]),
                 "", "", ""))
    for key, heap in (("scrape", ""),):
        s = figures[key]
        ours = s["smtp"]
        failed = " (%d of %d scrapes failed%s)" % (
            len(ours["failures"]), len(ours["failures"]) + ours["count"],
            "; " + ours["failures"][-1] if "exited" in ours["failures"][-1] or "survived" in ours["failures"][-1]
            else "") if ours["failures"] else ""
        rows.append(("4. /metrics median, ms (1000 targets%s; blackbox: its own /metrics)" % heap,
                     "%.2f%s" % (ours["median"], failed), "%.2f" % s["bb"]["median"],
                     ratio(ours["median"], s["bb"]["median"]), ""))
        ok = ours["p99"] < 10 and not ours["failures"]
        rows.append(("4. /metrics p99, ms (%d KiB vs %d KiB, %d scrapes%s)" % (
            ours["bytes"] // 1024, s["bb"]["bytes"] // 1024, ours["count"], heap),
            "%.2f" % ours["p99"], "%.2f" % s["bb"]["p99"], ratio(ours["p99"], s["bb"]["p99"]),
            ("(not the shipped heap) " if heap else "") + goal(ok, "< 10 ms" + (
                "" if ours["p99"] < 10 else ", over by %.1f ms" % (ours["p99"] - 10)) + (
                ", and scrapes failed" if ours["failures"] else ""))))
    for key, label in (("d50", "50"), ("d500", "500"), ("d1500", "1500")):
        t = figures["timing"][key]
        worst = t["smtp_max"]
        rows.append(("5. greeting delayed %s ms: error, ms (median; max abs)" % label,
                     "%+.2f; %.2f" % (t["smtp"], t["smtp_max"]), "%+.2f; %.2f" % (t["bb"], t["bb_max"]),
                     ratio(abs(t["smtp"]), abs(t["bb"])),
                     goal(abs(t["smtp"]) <= 2, "median within 2 ms" + (
                         "" if worst <= 2 else "; worst single probe %.2f ms" % worst))))
    k = figures["check"]
    rows.append(("6. check, 3 targets, as installed: with the package's CDS archive (blackbox column: swaks,"
                 " 1 target), s", "%.3f" % k["smtp_cds"], "%.3f" % k["bb"],
                 ratio(k["smtp_cds"], k["bb"]), goal(k["smtp_cds"] <= 0.25, "<= 0.25 s" + (
                     "" if k["smtp_cds"] <= 0.25 else ", over by %.3f s" % (k["smtp_cds"] - 0.25)))))
    rows.append(("6. check, 3 targets, without the archive (make-cds-archive failed or not run), s",
                 "%.3f" % k["smtp"], "%.3f" % k["bb"], ratio(k["smtp"], k["bb"]), ""))
    return rows


def page(rows, labels, measured, figures, info, opts_source, opts, quick, load_before, load_after):
    runtimes = " and ".join("`--java %s`" % home for _, home, _ in measured)
    out = ["# smtp-probe vs prometheus-blackbox-exporter", "",
           "Written by `src/bench/run-benchmark.sh%s` (%s) on %s. Medians unless stated; ratio = smtp-probe / blackbox,"
           " one per runtime; blackbox is measured once." % (
               " --quick" if quick else "", runtimes, info["date"]), "",
           "| measurement | %s | blackbox_exporter | ratio | goal |" % " | ".join(
               "smtp-probe, Java %s" % label for label in labels),
           "|---|%s---:|---:|---|" % ("---:|" * len(labels))]
    out += ["| %s |" % " | ".join(r) for r in rows]
    r = figures["rounds"]
    rounds = sorted(r.items()) + [(1000, dict(f, default=True)) for f in figures["rounds_c8"].values()]
    m = figures["memory"]
    out += ["", "## How each figure is taken", "",
            "- **1. Round**: N targets on 127.0.0.1, every other one a silently dropping port (a listener with a full"
            " accept queue), the rest alternating greeting-only and STARTTLS servers; probe timeout 5 s."
            " smtp-probe: one `smtp-probe run` per N with `jitter: 0s`, `interval: 15s`, `concurrency:"
            " min(N, 256)` (256 is the configuration's maximum), and once more for N=1000 at the default `concurrency: 8`; a round is the first probe's `started_at` to the"
            " last probe's end (`started_at` + total phase), from `/status`, median of %d rounds (the first one in a"
            " fresh JVM). Process start to `/-/ready` (JVM start and the first round) took %s s."
            " blackbox: all N `/probe?target=...&module=...` requests issued at once (as Prometheus scrapes"
            " them, each with `X-Prometheus-Scrape-Timeout-Seconds: 10`), first request to last answer, median"
            " of %d." % (len(r[max(r)]["smtp_all"]), ", ".join("%.2f (N=%d)" % (f["ready"], n)
                                                              for n, f in sorted(r.items())), len(r[max(r)]["bb_all"])),
            "  Every round, in seconds, and any outcome other than `tcp_timeout` for a dropping target or `ok` for a"
            " healthy one: " + "; ".join(
                "N=%d: smtp-probe %s %s, blackbox %s, healthy probes failed %s" % (
                    n, " ".join("%.2f" % x for x in f["smtp_all"]), f["wrong"],
                    " ".join("%.2f" % x for x in f["bb_all"]), f["bb_failed"]) for n, f in sorted(r.items())) + ".",
            "  Heap after the rounds (`jstat -gcutil`: old generation %% used, full GCs, their seconds): %s." % "; ".join(
                "N=%d concurrency %d: %s" % (n, f["concurrency"], f["gc"]) for n, f in rounds),
            "- **2. CPU**: user+sys from `/proc/PID/stat`. smtp-probe: the daemon with 250 targets on one STARTTLS"
            " server (interval 6 s, jitter 5 s, concurrency 8), after its first round, over at least 1000 probes"
            " counted by `smtp_probe_runs_total`; everything the process did in that window counts (timers, JIT,"
            " GC, two scrapes). blackbox: 1000 `/probe` requests of the STARTTLS module, 8 at once, after 100"
            " warm-up ones; HTTP handling of each probe counts, since that is how blackbox probes.",
            "- **3. Memory**: `VmRSS` after %d s of probing 100 targets (50 dropping, 25 greeting, 25 STARTTLS)"
            " every 10 s. smtp-probe: interval 10 s, jitter 9 s, concurrency 100, %d threads at the end; blackbox:"
            " each target scraped every 10 s, spread over the interval like Prometheus. Both ran at the same time."
            % (m["seconds"], m["threads"]) + " Beside them a third smtp-probe on the same targets with a relay and a"
            " delivery target more (GreenMail's SMTPS and IMAPS on loopback, `interval: 1m`): the row below the"
            " memory row, and its difference to it, is what a configured delivery probe costs; without one, no"
            " delivery or IMAP class loads (DeliveryClassLoadingTest)." + " Where smtp-probe's VmRSS went, from `/proc/PID/smaps` grouped by mapping"
            " (`src/bench/footprint.py`: heap, class space, metaspace and code cache as `jcmd` reports their"
            " addresses, a thread's stack by its stack pointer, malloc arenas by glibc's layout; read before `jcmd`"
            " attaches), and Native Memory Tracking's committed memory (`jcmd VM.native_memory summary`) of a twin"
            " daemon started with `-XX:NativeMemoryTracking=summary` beside it on the same targets:\n\n"
            + "\n".join("  Java %s (%s):\n\n" % (label, home) + "\n".join(
                "  " + line if line else "" for line in f["memory"]["breakdown"].split("\n")) + "\n"
                for label, home, f in measured),
            "- **4. /metrics**: 1000 sequential scrapes on one keep-alive connection with Prometheus' Accept header,"
            " request to last byte. smtp-probe serves every series of 1000 targets (%d KiB); blackbox's /metrics"
            " holds only its own process metrics (its per-target data is in each /probe answer), so the ratio is"
            " shown only for scale. A scrape is stopped after 1000 requests or 90 s. Failed scrapes: %s; heap"
            " after the scrapes: %s." % (figures["scrape"]["smtp"]["bytes"] // 1024, "; ".join(
                "%s: %d, e.g. %s" % (k, len(figures[k]["smtp"]["failures"]), figures[k]["smtp"]["failures"][:1])
                for k in ("scrape",)), "; ".join(
                "%s: %s" % (k, figures[k]["smtp"]["gc"]) for k in ("scrape",))),
            "- **5. Timing** (the goal is judged on the median; the worst single probe is shown beside it): servers send the 220 exactly 50, 500 and 1500 ms after accept() (sleep, then spin on"
            " the monotonic clock). smtp-probe: its `greeting` phase minus the delay, 10 targets per delay, the"
            " second round of a daemon (jitter 2 s). blackbox has no phase timing: its `probe_duration_seconds`"
            " (connect, greeting, EHLO, QUIT) minus the delay, 10 probes per delay.",
            "- **6. check** (on each runtime): `hyperfine -N --warmup 3` wall time of the shipped launcher (`systemd/smtp-probe"
            " check --config`, the unit's JAVA_OPTS, `SMTP_PROBE_JAR=target/smtp-probe.jar`) with a greeting-only, a"
            " STARTTLS and a submission (STARTTLS) target, process start included; beside it `swaks --quit-after"
            " EHLO` to the greeting-only server. The archive is the one the package makes at install:"
            " `systemd/make-cds-archive --java-home` run for this jar and that runtime; one untimed run with"
            " `-Xlog:class+load` confirms the launcher starts from it (classes of `check` from the archive: %s)."
            " The row without it sets `SMTP_PROBE_CDS_ARCHIVE=` (empty)." % ", ".join(
                "Java %s %d of %d" % (label, f["check"]["shared"], f["check"]["classes"]) for label, _, f in measured),
            "- Figures 1 to 5 above are explained with the Java %s run's details; every runtime's are in the"
            " run's log." % labels[0],
            "", "JVM options of every smtp-probe run: `%s` (from %s); environment from the unit: `%s`." % (" ".join(opts), opts_source, " ".join("%s=%s" % kv for kv in sorted(unit_environment().items())) or "none"), "",
            "## Machine", "",
            "- smtp-probe built from commit %s" % info["commit"], "- %s CPUs: %s" % (info["nproc"], info["cpu"]), "- memory: %s" % info["memory"],
            "- kernel: %s" % info["kernel"]] + ["- Java %s: %s (%s)" % (label, java_version(home)[0], home)
                                                for label, home, _ in measured] + [
            "- blackbox: %s" % info["blackbox"],
            "- swaks: %s" % info["swaks"], "- load average (1, 5, 15 min) before: %s, after: %s" % (load_before,
                                                                                                   load_after), ""]
    return "\n".join(out)


CA_FILE = None
ANALYSIS_MARKER = "<!-- analysis: kept across runs -->"


def make_certificates(work):
    """An RSA 2048 and an ECDSA P-256 chain (CA and server certificate for 127.0.0.1); both CAs in one bundle."""
    global CA_FILE
    ext = os.path.join(work, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    for kind, newkey in (("rsa", ["-newkey", "rsa:2048"]), ("ec", ["-newkey", "ec", "-pkeyopt",
                                                                   "ec_paramgen_curve:prime256v1"])):
        steps = [
            ["openssl", "req", "-x509", "-nodes"] + newkey + ["-keyout", kind + "-ca.key", "-subj",
             "/CN=smtp-probe bench %s CA" % kind, "-days", "2", "-out", kind + "-ca.pem",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["openssl", "req", "-new", "-nodes"] + newkey + ["-keyout", kind + "-server.key", "-subj", "/CN=localhost",
             "-out", kind + "-server.csr"],
            ["openssl", "x509", "-req", "-in", kind + "-server.csr", "-CA", kind + "-ca.pem", "-CAkey", kind + "-ca.key",
             "-CAcreateserial", "-days", "2", "-out", kind + "-server.pem", "-extfile", ext],
        ]
        for step in steps:
            subprocess.run(step, cwd=work, check=True, capture_output=True)
    CA_FILE = os.path.join(work, "ca-bundle.pem")
    with open(CA_FILE, "w") as bundle:
        for kind in ("rsa", "ec"):
            with open(os.path.join(work, kind + "-ca.pem")) as ca:
                bundle.write(ca.read())


def main():
    global JAVA_HOME
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 30 s memory run, fewer repetitions")
    parser.add_argument("--output", default=os.path.join(HERE, "RESULTS.md"))
    parser.add_argument("--java", action="append", metavar="PATH",
                        help="measure smtp-probe on this runtime (a JDK directory or its bin/java); repeat it to"
                             " measure several side by side in one run (default: the java on PATH)")
    args = parser.parse_args()
    default_java = shutil.which("java")
    if not args.java and not default_java:
        raise SystemExit("run-benchmark: no java on PATH; give --java PATH")
    runtimes = [java_home(path) for path in (args.java or [default_java])]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    opts, opts_source = jvm_options()
    load_before = loadavg()
    work = tempfile.mkdtemp(prefix="smtp-probe-bench-")
    log("work directory", work, "; JVM options", " ".join(opts), "from", opts_source)
    make_certificates(work)
    targets = subprocess.Popen([sys.executable, os.path.join(HERE, "targets.py"), work, "500"])
    bb = blackbox = None
    metrics_daemon = None
    measured = []
    try:
        ports_file = os.path.join(work, "ports.json")
        end = time.monotonic() + 120
        while not os.path.exists(ports_file):
            if targets.poll() is not None or time.monotonic() > end:
                raise RuntimeError("the loopback targets did not start")
            time.sleep(0.1)
        with open(ports_file) as f:
            ports = json.load(f)
        log("targets up: %d silent ports" % len(ports["silent"]))
        blackbox = Blackbox(work)
        for home in runtimes:
            # Each runtime in turn, with its own archive; blackbox (and swaks) only with the first.
            JAVA_HOME = home
            bb = blackbox if home == runtimes[0] else None
            figures = {}
            measured.append(("%s" % java_version(home)[1], home, figures))
            log("smtp-probe on", home)
            make_cds_archive(work, opts)
            figures["check"] = measure_check(work, ports, opts, 10 if args.quick else 30, swaks_too=bool(bb))
            figures["timing"] = measure_timing(work, ports, bb, opts, 10)
            figures["cpu"] = measure_cpu(work, ports, bb, opts, 1000, "starttls")
            figures["cpu_ec"] = measure_cpu(work, ports, bb, opts, 1000, "starttls_ec")
            reps = 2 if args.quick else 3
            scrapes = 200 if args.quick else 1000
            figures["rounds"], metrics_daemon = measure_rounds(work, ports, bb, opts, (10, 100, 1000), reps)
            figures["scrape"] = measure_scrapes(metrics_daemon, bb, scrapes)
            if metrics_daemon:
                metrics_daemon.close()
            # The same round at the configuration's default concurrency: dead targets must not need threads.
            figures["rounds_c8"], metrics_daemon = measure_rounds(work, ports, bb, opts, (1000,), reps, "-c8",
                                                                  lambda n: 8)
            if metrics_daemon:
                metrics_daemon.close()
            metrics_daemon = None
            figures["memory"] = measure_memory(work, ports, bb, opts, 30 if args.quick else 300)
            fill_blackbox(figures, measured[0][2])
    finally:
        for daemon in list(RUNNING):
            daemon.close()
        if blackbox:
            blackbox.close()
        stop(targets)
    text = report(measured, machine(), opts_source, opts, args.quick, load_before, loadavg())
    # The hand-written reading of the figures below the marker survives a new run; re-read it against the new table.
    if os.path.exists(args.output):
        with open(args.output) as previous:
            kept = previous.read()
        if ANALYSIS_MARKER in kept:
            text += "\n" + kept[kept.index(ANALYSIS_MARKER):]
    with open(args.output, "w") as out:
        out.write(text)
    print(text)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
