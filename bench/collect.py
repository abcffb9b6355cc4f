#!/usr/bin/env python3
"""Bookkeeping for bench/run: times the variants of one comparison in shuffled blocks
(scripts/parlab/measure.py) into a row per variant of a sweep CSV (median, spread,
coefficient of variation, outside load, attempts, suspect) and a row per run of
<sweep>.runs.csv, writes a run's meta.json, and marks the run complete.

usage:
  collect.py compare SWEEP_CSV RUNS_CSV RUNS WARMUP MAX_ATTEMPTS CWD COMPARISON \\
      @ PROGRAM LIMIT PROCS SCHEDULE CHUNK ARGV... [@ ...]
  collect.py meta OUT_JSON [bin=BIN_DIR] key=value...
  collect.py seal OUT_JSON SWEEP...
  collect.py machine-id        this machine's id (see fingerprint())
  collect.py fingerprint       this machine's fingerprint, as JSON
  collect.py commit BIN_DIR    the commit the programs in BIN_DIR were built from, or unknown

`meta` writes meta.json with "complete": false, the machine's fingerprint and the identity
of every program in BIN_DIR (sha256, and the commit it was built from); `seal`, bench/run's very last step, rewrites
it (temporary file, fsync, rename) with "complete": true, the sweeps that ran and the list of
files the run holds. A run cut short at any point is left marked incomplete, and the
regression gate, `make baseline`, the figures and the report refuse it.
"""
import hashlib
import json
import os
import platform
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # the package is imported from the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "scripts"))
from parlab import measure  # noqa: E402

# The key columns of every timed sweep: they name a variant of a comparison.
KEY_COLUMNS = ["program", "limit", "procs", "schedule", "chunk"]
# Sweep CSV: the key, the timing columns bench/run has always written, then measure's own.
SWEEP_COLUMNS = KEY_COLUMNS + measure.TIMING_COLUMNS + ["outside_cores", "steal_s",
                                                         "attempts", "suspect", "comparison"]
# <sweep>.runs.csv: the key, the comparison, then measure's per-run columns.
RUNS_COLUMNS = KEY_COLUMNS + ["comparison"] + measure.RAW_COLUMNS


def parse_fields(args):
    fields = {}
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep:
            sys.exit(f"collect.py: expected key=value, got '{arg}'")
        fields[key] = value
    return fields


def parse_variants(words):
    """@ PROGRAM LIMIT PROCS SCHEDULE CHUNK ARGV... per variant: [(key dict, Variant)]."""
    if not words or words[0] != "@":
        sys.exit("collect.py compare: variants are '@ PROGRAM LIMIT PROCS SCHEDULE CHUNK ARGV...'")
    groups, cur = [], None
    for w in words:
        if w == "@":
            cur = []
            groups.append(cur)
        else:
            cur.append(w)
    out = []
    for g in groups:
        if len(g) < 6:
            sys.exit(f"collect.py compare: incomplete variant {g}")
        key = dict(zip(KEY_COLUMNS, g[:5]))
        for k, v in key.items():
            if not measure.NAME_RE.fullmatch(v):
                sys.exit(f"collect.py compare: {k} '{v}' is not a name")
        name = key["program"] if key["schedule"] in ("serial", "sieve") and key["procs"] == "1" \
            else f"{key['program']}.p{key['procs']}.{key['schedule']}.c{key['chunk']}"
        out.append((key, measure.Variant(name, tuple(g[5:]))))
    names = [v.name for _, v in out]
    if len(set(names)) != len(names):
        sys.exit(f"collect.py compare: a variant is given twice ({names})")
    return out


def cmd_compare(sweep_csv, runs_csv, runs, warmup, attempts, cwd, comparison, words):
    """One comparison, its variants in shuffled blocks (scripts/parlab/measure.py): a row per
    variant into the sweep CSV, a row per run into the runs CSV; prints a line per variant."""
    variants = parse_variants(words)
    keys = {v.name: key for key, v in variants}
    said = []
    try:
        measure.check_header(sweep_csv, SWEEP_COLUMNS)
        measure.check_header(runs_csv, RUNS_COLUMNS)
        with measure.interruptible():
            result = measure.measure([v for _, v in variants], runs, warmup, None, cwd,
                                     measure.Limits(), attempts, True, log=said.append)
            run_rows = [[*keys[r.variant].values(), comparison, *measure.run_cells(result, r)]
                        for r in result.runs]
            sweep_rows = [[*keys[s.variant].values(), s.runs, f"{s.median_s:.6f}",
                           f"{s.mean_s:.6f}", f"{s.stddev_s:.6f}", f"{s.cv_pct:.2f}",
                           f"{s.min_s:.6f}", f"{s.max_s:.6f}", f"{s.user_s:.6f}",
                           f"{s.system_s:.6f}", f"{s.outside_cores:.3f}", f"{s.steal_s:.3f}",
                           result.attempts, s.suspect, comparison]
                          for s in result.summaries]
            measure.check_stop()
            # The runs first, the summary last: a summary row is always backed by its runs.
            measure.append_rows(runs_csv, RUNS_COLUMNS, run_rows)
            measure.append_rows(sweep_csv, SWEEP_COLUMNS, sweep_rows)
    except measure.Interrupted as e:
        print(f"collect.py: {e}; nothing written", file=sys.stderr)
        return 128 + e.signum
    except measure.MeasureError as e:
        print("failed")
        print(f"collect.py: {e}; nothing written", file=sys.stderr)
        return 1
    total = sum(r.wall_s for r in result.runs)
    print(f"{len(variants)} variants x {runs} runs, {result.attempts} attempt(s), "
          f"{total:.1f} s timed")
    for s in result.summaries:
        print("    " + measure.describe(s))
    for line in said:
        print(f"    note: {line}")
    return 0


def first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        text = (out.stdout or out.stderr).strip().splitlines()
        return text[0] if text else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def papi_facts():
    facts = {"hardware_counters": None, "vm": None, "papi_version": ""}
    try:
        out = subprocess.run(["papi_avail"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return facts
    m = re.search(r"Number Hardware Counters\s*:\s*(\d+)", out)
    if m:
        facts["hardware_counters"] = int(m.group(1))
    m = re.search(r"Running in a VM\s*:\s*(\w+)", out)
    if m:
        facts["vm"] = m.group(1) == "yes"
    m = re.search(r"PAPI version\s*:\s*(\S+)", out)
    if m:
        facts["papi_version"] = m.group(1)
    return facts


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


# -- the machine ----------------------------------------------------------------------------

def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None


def short_hash(text, length=12):
    """A short SHA-256 of `text`, salted with "parlab:" so that an identifier the system keeps
    confidential (/etc/machine-id, a DMI UUID) is never published, nor reversible by
    hashing candidates with a bare SHA-256."""
    return hashlib.sha256(b"parlab:" + text.encode()).hexdigest()[:length]


def cpuinfo():
    """/proc/cpuinfo: the first processor's fields, and the distinct (physical id, core id)
    pairs and physical ids over all processors (absent where the kernel does not say)."""
    text = read_text("/proc/cpuinfo") or ""
    first, cores, sockets = {}, set(), set()
    for block in text.split("\n\n"):
        fields = {}
        for line in block.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip()] = value.strip()
        if not first:
            first = fields
        if "physical id" in fields:
            sockets.add(fields["physical id"])
            if "core id" in fields:
                cores.add((fields["physical id"], fields["core id"]))
    return first, len(cores) or None, len(sockets) or None


def detect_virt(kind):
    """systemd-detect-virt --vm or --container: "none", a technology name, or None when the
    tool is not installed."""
    try:
        out = subprocess.run(["systemd-detect-virt", kind], capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


# The fields of fingerprint() that make two runs' timings comparable, in machine_id.
MACHINE_ID_FIELDS = ("arch", "cpu_model", "cores_usable", "memory_gib", "virt_vm",
                     "virt_container", "host")


def fingerprint():
    """This machine, as meta.json records it, and its machine_id: a 12-hex-digit SHA-256 of
    MACHINE_ID_FIELDS, the fields that decide whether timings compare (results/README.md):
    architecture, CPU model, usable cores (what the sweeps run on), memory in whole GiB (the
    kernel's total moves by megabytes between boots), the hypervisor and container, and the
    host: the hashed /etc/machine-id, else the hashed DMI product UUID, else nothing (two VMs
    of one type then share an id). Left out: the kernel release (a security update would
    orphan the machine's baseline; the gate notes a kernel change instead), the microcode,
    the compiler (the binaries' identity says how they were built) and the DMI product name
    (the CPU model and the hypervisor already place the machine)."""
    info, physical, sockets = cpuinfo()
    flags = info.get("flags", "").split()
    meminfo = read_text("/proc/meminfo") or ""
    m = re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.M)
    memory_kib = int(m.group(1)) if m else None
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    virt_vm = detect_virt("--vm")
    if virt_vm is None:  # no systemd-detect-virt: the CPU's own flag says "some hypervisor"
        virt_vm = "hypervisor" if "hypervisor" in flags else "none"
    dmi = {name: read_text(f"/sys/class/dmi/id/{name}")
           for name in ("product_name", "product_uuid", "board_serial")}
    machine_file = read_text("/etc/machine-id") or read_text("/var/lib/dbus/machine-id")
    fp = {
        "arch": platform.machine(),
        "cpu_model": info.get("model name") or platform.processor(),
        "microcode": info.get("microcode"),
        "cores_online": os.cpu_count(),
        "cores_usable": usable,
        "cores_physical": physical,
        "sockets": sockets,
        "memory_kib": memory_kib,
        "memory_gib": round(memory_kib / 1048576) if memory_kib else None,
        "kernel": platform.release(),
        "virt_vm": virt_vm,
        "virt_container": detect_virt("--container"),
        "hypervisor_flag": "hypervisor" in flags,
        "dmi_product_name": dmi["product_name"] or None,
        "dmi_product_uuid_hash": short_hash(dmi["product_uuid"]) if dmi["product_uuid"] else None,
        "board_serial_hash": short_hash(dmi["board_serial"]) if dmi["board_serial"] else None,
        "machine_id_hash": short_hash(machine_file) if machine_file else None,
    }
    fp["host"] = fp["machine_id_hash"] or fp["dmi_product_uuid_hash"] or ""
    fp["machine_id"] = short_hash(json.dumps({k: fp[k] for k in MACHINE_ID_FIELDS},
                                             sort_keys=True))
    return fp


# -- the binaries ---------------------------------------------------------------------------

PROGRAMS = ("nonoptimized", "optimized", "primes_mpi", "server", "loadgen", "client", "runone",
            "floor_thread", "floor_epoll")
BUILD_ID_RE = re.compile(rb"parlab-build: version=([0-9A-Za-z.]+) commit=([0-9a-f]{4,40}|unknown) "
                         rb"dirty=([01?])\0")


def binary_identity(path):
    """A program's file: its sha256 and size, and the commit it was built from as the build
    baked it in (src/core/cli.c; `PROGRAM --version` prints it), read from the file, never
    run. A binary without that mark (another build system, an older parlab) is "unknown":
    never the commit of the tree bench/run happens to sit in."""
    h = hashlib.sha256()
    found = None
    tail = b""
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            h.update(block)
            m = found or BUILD_ID_RE.search(tail + block)
            found = m
            tail = block[-200:]
    version, commit, dirty = ((g.decode() for g in found.groups()) if found
                              else ("unknown", "unknown", "?"))
    return {"sha256": h.hexdigest(), "bytes": os.path.getsize(path), "version": version,
            "commit": commit, "dirty": {"0": False, "1": True}.get(dirty)}


def binaries(bin_dir):
    """{program: identity} for every parlab program in bin_dir."""
    out = {}
    for name in PROGRAMS:
        path = os.path.join(bin_dir, name)
        if os.path.isfile(path):
            out[name] = binary_identity(path)
    return out


def build_commit(progs):
    """The commit the measured programs (nonoptimized and optimized) were built from and its
    dirty flag, when both say the same; ("unknown", None) otherwise."""
    ids = {(progs[p]["commit"], progs[p]["dirty"]) for p in ("nonoptimized", "optimized")
           if p in progs}
    if len(ids) == 1:
        commit, dirty = ids.pop()
        if commit != "unknown":
            return commit, dirty
    return "unknown", None


def cmd_meta(out, fields):
    papi = papi_facts()
    fp = fingerprint()
    progs = binaries(fields.pop("bin")) if "bin" in fields else {}
    python = fields.pop("python3", "") or "python3"
    commit, dirty = build_commit(progs)
    meta = {
        "sweep": fields.pop("sweep", ""),
        "date_utc": fields.pop("date_utc", ""),
        "commit": commit,
        "dirty": dirty,
        "bench_commit": fields.pop("bench_commit", ""),
        "bench_dirty": fields.pop("bench_dirty", "") == "1",
        "machine_id": fp["machine_id"],
        "fingerprint": fp,
        "binaries": progs,
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "machine": platform.machine(),
        "vm": papi["vm"],
        "hardware_counters_available": bool(papi["hardware_counters"]),
        "hardware_counters": papi["hardware_counters"],
        "compiler": first_line([fields.pop("cc", "cc"), "--version"]),
        "cflags": fields.pop("cflags", ""),
        "build_type": fields.pop("build_type", ""),
        "tools": {
            "gnuplot": first_line(["gnuplot", "--version"]),
            "primesieve": first_line(["primesieve", "--version"]).split(",")[0],
            "python3": first_line([python, "--version"]),
            "python3_path": python,
            "papi": papi["papi_version"],
            "cmake": first_line(["cmake", "--version"]),
        },
    }
    meta.update(fields)
    meta["complete"] = False
    write_json(out, meta)


def write_json(path, data):
    """Whole or not at all: a temporary beside the target, flushed to disk, renamed over it."""
    with open(path + ".tmp", "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(path + ".tmp", path)


def cmd_seal(meta_path, sweeps):
    """Marks a run complete: its files on disk first, then meta.json says which they are."""
    folder = os.path.dirname(os.path.abspath(meta_path))
    with open(meta_path) as f:
        meta = json.load(f)
    files = sorted(n for n in os.listdir(folder)
                   if n != "meta.json" and not n.endswith(".tmp")
                   and os.path.isfile(os.path.join(folder, n)))
    for n in files:
        with open(os.path.join(folder, n), "rb") as f:
            os.fsync(f.fileno())
    meta.update(complete=True, sweeps=list(sweeps), files=files)
    write_json(meta_path, meta)
    dirfd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dirfd)
    finally:
        os.close(dirfd)


def main(argv):
    if len(argv) >= 10 and argv[1] == "compare":
        sys.exit(cmd_compare(argv[2], argv[3], int(argv[4]), int(argv[5]), int(argv[6]),
                             argv[7], int(argv[8]), argv[9:]))
    elif len(argv) >= 3 and argv[1] == "meta":
        cmd_meta(argv[2], parse_fields(argv[3:]))
    elif len(argv) >= 4 and argv[1] == "seal":
        cmd_seal(argv[2], argv[3:])
    elif argv[1:] == ["machine-id"]:
        print(fingerprint()["machine_id"])
    elif argv[1:] == ["fingerprint"]:
        print(json.dumps(fingerprint(), indent=2))
    elif len(argv) == 3 and argv[1] == "commit":
        print(build_commit(binaries(argv[2]))[0])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
