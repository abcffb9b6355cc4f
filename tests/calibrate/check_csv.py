"""Checks a calibration.csv written by calibrate: read through scripts/parlab/results.py's
schema (typed cells, the interval's order), then against this test's own expectations: the
exact rows asked for, in order, the number of samples, and bounds no sane machine leaves,
however slow (sanitizers, load) or fast.

usage: check_csv.py FILE RUNS PRIMITIVE:VARIANT..."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))
from parlab import results  # noqa: E402

# (low, high) in nanoseconds, per primitive and variant (None: every variant): every sample
# (the row's min) at least low, the median at most high (one sample of a batch of one may
# meet a stall). Generous on both sides, the high ones for ThreadSanitizer (a thread there
# starts in milliseconds, a fork in tens) on a loaded machine: they catch a wrong unit, a
# folded loop or a broken timer, never a slow machine.
BOUNDS = {
    ("startup", None): (20e3, 10e9),
    ("fork", None): (10e3, 1e9),
    ("pipe_procs", None): (200, 10e6),
    ("pipe_threads", None): (200, 10e6),
    ("thread", None): (1e3, 100e6),
    ("syscall", None): (20, 100e3),
    ("tcp_connect", None): (1e3, 100e6),
    # Under ThreadSanitizer an atomic takes a lock of its own: when the thread holding it is
    # preempted (a loaded machine), the other waits out a scheduler slice, milliseconds.
    ("atomic", "contended"): (0.5, 100e6),
    ("atomic", "uncontended"): (0.1, 1e3),
    ("div32", None): (0.05, 100),
    ("div32", "latency"): (0.1, 100),
    # per number of a window near 10^6: some 89 divisions each
    ("div32", "scan"): (5, 100e3),
    # per prime written: at least the few bytes of its line, at most a page written out
    ("write", None): (1, 100e3),
    ("write", "file"): (1e3, 1e9),
    ("mpi_startup", None): (1e6, 60e9),
}
UNIT_NS = {"ns": 1.0, "us": 1e3}


def main(path, runs, wanted):
    rows = results.check_calibration(
        results.read_csv(path, results.CALIBRATION), path)
    with open(path) as f:
        header = f.readline().rstrip("\n")
    problems = []
    if header != "primitive,variant,unit,runs,median,ci_lo,ci_hi,min,max,note":
        problems.append(f"header: {header!r}")
    got = [f"{r['primitive']}:{r['variant']}" for r in rows]
    if got != wanted:
        problems.append(f"rows {got}, expected {wanted}")
    for r in rows:
        what = f"{r['primitive']} {r['variant']}"
        if not r["note"]:
            problems.append(f"{what}: no note")
        if r["runs"] == 0:  # not measurable here: only PAPI's start-up may be (and the
            # launcher's and the programs', should they not be built beside calibrate)
            if (r["primitive"], r["variant"]) not in (("startup", "papi"),
                                                      ("startup", "launched"),
                                                      ("startup", "nonoptimized"),
                                                      ("startup", "optimized")):
                problems.append(f"{what}: not measured: {r['note']}")
            continue
        # A note ends with the samples' size (and the sets taken): anything else was cut.
        if not r["note"].endswith(("per sample", "sets of samples")):
            problems.append(f"{what}: note cut short: {r['note']!r}")
        if r["runs"] != runs:
            problems.append(f"{what}: {r['runs']} runs, expected {runs}")
        low, high = BOUNDS.get((r["primitive"], r["variant"])) or BOUNDS[(r["primitive"], None)]
        scale = UNIT_NS[r["unit"]]
        if r["min"] * scale < low:
            problems.append(f"{what}: min {r['min']} {r['unit']} is below {low:g} ns")
        if r["median"] * scale > high:
            problems.append(f"{what}: median {r['median']} {r['unit']} is above {high:g} ns")
    for p in problems:
        print(f"FAIL: {path}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3:]))
    except results.ResultsError as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
