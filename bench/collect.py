#!/usr/bin/env python3
"""Bookkeeping for bench/run: turns one hyperfine measurement into a row of a sweep CSV
(with median, spread and coefficient of variation), keeps hyperfine's own JSON (every
per-run time) and CSV beside it, writes a run's meta.json, and marks the run complete.

usage:
  collect.py point SWEEP_CSV POINT_JSON POINT_CSV key=value...
  collect.py meta OUT_JSON key=value...
  collect.py seal OUT_JSON SWEEP...

`meta` writes meta.json with "complete": false; `seal`, bench/run's very last step, rewrites
it (temporary file, fsync, rename) with "complete": true, the sweeps that ran and the list of
files the run holds. A run cut short at any point is left marked incomplete, and the
regression gate, `make baseline`, the figures and the report refuse it.
"""
import json
import os
import platform
import re
import statistics
import subprocess
import sys

CV_WARN_PCT = 5.0

TIMING_COLUMNS = ["runs", "median_s", "mean_s", "stddev_s", "cv_pct", "min_s", "max_s",
                  "user_s", "system_s"]


def parse_fields(args):
    fields = {}
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep:
            sys.exit(f"collect.py: expected key=value, got '{arg}'")
        fields[key] = value
    return fields


def append_csv(path, header, row):
    new = not os.path.exists(path) or os.path.getsize(path) == 0
    if not new:
        with open(path) as f:
            existing = f.readline().rstrip("\n")
        if existing != ",".join(header):
            sys.exit(f"collect.py: '{path}' has other columns ({existing})")
    with open(path, "a") as f:
        if new:
            f.write(",".join(header) + "\n")
        f.write(",".join(str(v) for v in row) + "\n")


def summarize(times):
    median = statistics.median(times)
    mean = statistics.fmean(times)
    stddev = statistics.stdev(times) if len(times) > 1 else 0.0
    cv = 100.0 * stddev / mean if mean > 0 else 0.0
    return median, mean, stddev, cv


def cmd_point(sweep_csv, point_json, point_csv, fields):
    with open(point_json) as f:
        result = json.load(f)["results"][0]
    times = result["times"]
    median, mean, stddev, cv = summarize(times)
    timing = [len(times), f"{median:.6f}", f"{mean:.6f}", f"{stddev:.6f}", f"{cv:.2f}",
              f"{min(times):.6f}", f"{max(times):.6f}", f"{result['user']:.6f}",
              f"{result['system']:.6f}"]
    append_csv(sweep_csv, list(fields) + TIMING_COLUMNS, list(fields.values()) + timing)

    # hyperfine's own records, every run kept, tagged with the point's fields.
    base = sweep_csv[:-len(".csv")]
    all_json = base + ".hyperfine.json"
    merged = {"results": []}
    if os.path.exists(all_json):
        with open(all_json) as f:
            merged = json.load(f)
    result["parameters"] = dict(fields)
    merged["results"].append(result)
    with open(all_json + ".tmp", "w") as f:
        json.dump(merged, f, indent=1)
    os.replace(all_json + ".tmp", all_json)
    with open(point_csv) as f:
        header, *rows = f.read().splitlines()
    all_csv = base + ".hyperfine.csv"
    new = not os.path.exists(all_csv)
    with open(all_csv, "a") as f:
        if new:
            f.write(header + "\n")
        for row in rows:
            f.write(row + "\n")

    print(f"{median:.4f} s" + (f"  warning: CV {cv:.1f}% > {CV_WARN_PCT:.0f}%, noisy"
                                if cv > CV_WARN_PCT else ""))


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


def cmd_meta(out, fields):
    papi = papi_facts()
    meta = {
        "sweep": fields.pop("sweep", ""),
        "date_utc": fields.pop("date_utc", ""),
        "commit": fields.pop("commit", ""),
        "dirty": fields.pop("dirty", "") == "1",
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
            "hyperfine": first_line(["hyperfine", "--version"]),
            "gnuplot": first_line(["gnuplot", "--version"]),
            "primesieve": first_line(["primesieve", "--version"]).split(",")[0],
            "python3": first_line(["python3", "--version"]),
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
    if len(argv) >= 5 and argv[1] == "point":
        cmd_point(argv[2], argv[3], argv[4], parse_fields(argv[5:]))
    elif len(argv) >= 3 and argv[1] == "meta":
        cmd_meta(argv[2], parse_fields(argv[3:]))
    elif len(argv) >= 4 and argv[1] == "seal":
        cmd_seal(argv[2], argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
