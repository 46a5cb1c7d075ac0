"""Where a JVM's resident memory goes: /proc/PID/smaps grouped by what each mapping holds, and the
JVM's own Native Memory Tracking summary. Used by bench.py (measurement 3); also a tool of its own:

    python3 src/bench/footprint.py PID            # resident memory of a running JVM, by mapping
    python3 src/bench/footprint.py --nmt PID      # the same, and its NMT summary (needs
                                                  # -XX:NativeMemoryTracking=summary at start)

A mapping's kind comes from the JVM itself where it can say (jcmd GC.heap_info, VM.metaspace vslist,
Compiler.codecache: Java heap, class space, metaspace, code cache; a .jsa file: CDS archive), from each thread's stack pointer
(/proc/PID/task/TID/syscall: the mapping that holds it is that thread's stack), and from glibc's
layout for malloc (the [heap] of the main arena; other arenas are 64 MiB-aligned mappings). Run it
as the JVM's user or root. The mappings are read before jcmd attaches (which starts a thread in the
JVM and grows it); take NMT's summary first when it is wanted, since jcmd VM.info and the like add
to what they measure.
"""
import os
import re
import subprocess
import sys

# Printed in this order; the first that matches a mapping wins.
KINDS = ("Java heap", "CDS archive (mapped)", "class space", "metaspace", "code cache", "thread stacks",
         "malloc arenas", "libjvm.so", "other .so", "other files (lib/modules, jar)", "other anonymous")

MALLOC_ARENA_ALIGN = 64 << 20  # glibc's HEAP_MAX_SIZE on 64-bit: every non-main arena starts at such a boundary


def jcmd(pid, *command):
    """jcmd of the JVM's own runtime (beside its java), so that a bench of another runtime asks it in its terms."""
    tool = os.path.join(os.path.dirname(os.readlink("/proc/%d/exe" % pid)), "jcmd")
    done = subprocess.run([tool if os.access(tool, os.X_OK) else "jcmd", str(pid)] + list(command),
                          capture_output=True, text=True, timeout=60)
    return done.stdout


def mappings(pid):
    """[(start, end, perms, path, {field: kB})] from /proc/PID/smaps."""
    result = []
    header = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$")
    with open("/proc/%d/smaps" % pid) as smaps:
        for line in smaps:
            match = header.match(line)
            if match:
                result.append((int(match.group(1), 16), int(match.group(2), 16), match.group(3),
                               match.group(4).strip(), {}))
            elif result and line.endswith(" kB\n"):
                name, value = line.split(":", 1)
                result[-1][4][name] = int(value.split()[0])
    return result


def jvm_ranges(pid):
    """{kind: [(start, end)]} of what the JVM reports for its heap, class space, metaspace and code cache.

    Not from VM.info: that loads libjvm's symbol tables into malloc (4 MiB) to print stacks.
    """
    ranges = {}
    heap = jcmd(pid, "GC.heap_info").split(" Metaspace", 1)[0]
    addresses = [int(a, 16) for a in re.findall(r"0x[0-9a-f]+", heap)]
    if addresses:
        ranges["Java heap"] = [(min(addresses), max(addresses))]
    meta = jcmd(pid, "VM.metaspace", "vslist")
    for kind, section in (("metaspace", "vsl non-class-space:"), ("class space", "vsl class-space:")):
        text = meta.split(section, 1)[1].split("vsl ", 1)[0] if section in meta else ""
        ranges[kind] = [(int(base, 16), int(base, 16) + int(float(kb) * 1024)) for base, kb in
                        re.findall(r"node #\d+: base (0x[0-9a-f]+): reserved=([\d.]+) KB", text)]
    # One "bounds [low, high, high_bound]" per code heap (one without a segmented code cache).
    ranges["code cache"] = [(int(low, 16), int(bound, 16)) for low, _, bound in re.findall(
        r"bounds \[(0x[0-9a-f]+), (0x[0-9a-f]+), (0x[0-9a-f]+)\]", jcmd(pid, "Compiler.codecache"))]
    return ranges


def stack_pointers(pid):
    """The stack pointer of every thread blocked in a system call (idle JVM threads all are)."""
    pointers = []
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/syscall" % (pid, tid)) as f:
                fields = f.read().split()
        except OSError:
            continue
        if len(fields) >= 3 and fields[0] not in ("running", "-1"):
            pointers.append(int(fields[-2], 16))
    return pointers


def classify(pid):
    """{kind: {"rss": kB, "dirty": kB, "mappings": n}} and the thread count; all of VmRSS is in some kind."""
    # Memory and threads as they are before jcmd attaches (which adds a thread and memory of its own);
    # the ranges it then reports do not move.
    maps = mappings(pid)
    pointers = stack_pointers(pid)
    threads = len(os.listdir("/proc/%d/task" % pid))
    ranges = jvm_ranges(pid)
    kinds = {kind: {"rss": 0, "dirty": 0, "mappings": 0} for kind in KINDS}
    previous_end, previous_kind = None, None
    for start, end, perms, path, fields in maps:
        def within(kind):
            return any(low <= start and end <= high for low, high in ranges.get(kind, ()))
        if within("Java heap"):
            kind = "Java heap"
        elif path.endswith(".jsa"):
            kind = "CDS archive (mapped)"
        elif within("class space"):
            kind = "class space"
        elif within("metaspace"):
            kind = "metaspace"
        elif within("code cache"):
            kind = "code cache"
        elif not path and any(start <= sp < end for sp in pointers):
            kind = "thread stacks"
        elif path == "[stack]":
            kind = "thread stacks"
        elif path == "[heap]" or (not path and start % MALLOC_ARENA_ALIGN == 0 and "p" in perms):
            kind = "malloc arenas"
        elif not path and previous_kind == "malloc arenas" and previous_end == start and perms.startswith("---"):
            kind = "malloc arenas"  # the reserved, not yet used rest of an arena
        elif path.endswith("/libjvm.so"):
            kind = "libjvm.so"
        elif ".so" in os.path.basename(path):
            kind = "other .so"
        elif path.startswith("/"):
            kind = "other files (lib/modules, jar)"
        else:
            kind = "other anonymous"
        entry = kinds[kind]
        entry["rss"] += fields.get("Rss", 0)
        entry["dirty"] += fields.get("Private_Dirty", 0) + fields.get("Shared_Dirty", 0)
        entry["mappings"] += 1
        previous_end, previous_kind = end, kind
    return kinds, threads


def native_memory(pid):
    """{category: committed kB} from NMT's summary, with "Total"; {} without NMT."""
    text = jcmd(pid, "VM.native_memory", "summary")
    committed = {}
    total = re.search(r"Total: reserved=(\d+)KB, committed=(\d+)KB", text)
    if not total:
        return committed
    committed["Total"] = int(total.group(2))
    for name, _, kb in re.findall(r"^-\s+(.+?) \(reserved=(\d+)KB, committed=(\d+)KB\)", text, re.M):
        committed[name.strip()] = int(kb)
    return committed


def table(kinds, nmt=None):
    """Markdown rows: kind, resident MiB, of it dirty MiB."""
    total = sum(k["rss"] for k in kinds.values())
    rows = ["| mapping | resident MiB | of it written (dirty) MiB |", "|---|---:|---:|"]
    for kind in KINDS:
        entry = kinds[kind]
        if entry["mappings"]:
            rows.append("| %s | %.1f | %.1f |" % (kind, entry["rss"] / 1024, entry["dirty"] / 1024))
    rows.append("| **total (smaps)** | **%.1f** | %.1f |" % (total / 1024, sum(k["dirty"] for k in kinds.values()) / 1024))
    if nmt:
        rows += ["", "| NMT category | committed MiB |", "|---|---:|"]
        for name, kb in sorted(nmt.items(), key=lambda item: -item[1]):
            if name != "Total" and kb >= 256:
                rows.append("| %s | %.1f |" % (name, kb / 1024))
        rows.append("| **Total** | **%.1f** |" % (nmt["Total"] / 1024))
    return "\n".join(rows)


def main(argv):
    with_nmt = "--nmt" in argv
    pid = int([a for a in argv if a != "--nmt"][0])
    kinds, threads = classify(pid)
    print(table(kinds, native_memory(pid) if with_nmt else None))
    print("\n%d threads" % threads)


if __name__ == "__main__":
    main(sys.argv[1:])
