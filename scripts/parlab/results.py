"""The one reader of a parlab results run, and the arithmetic the figures, the report and the
regression gate share: speedup, efficiency, Karp-Flatt, an Amdahl fit, log-log slopes.

A run is a folder written by bench/run: meta.json and CSVs described in results/README.md
(runs of before bench/measure hold hyperfine's JSON instead of <sweep>.runs.csv: read for
their other files, their per-run times left aside). Runs travel (the baseline is committed, CI and colleagues send theirs),
so a run is data to be checked, never trusted:

- a run is read only when complete: meta.json marked "complete" by bench/run's last step,
  and every file its manifest ("files") lists on disk, with those its sweeps always write;
- every cell is typed by its column: numbers finite (no nan, no inf), times positive, counts
  whole and not negative, names (program, schedule, label, ...) letters, digits and _ . + -
  only, so nothing read from a run can be taken for syntax by gnuplot, a shell or HTML.

Every error is one line naming the file, and the row and column where there is one
(ResultsError): "primes_procs.csv:3: column 'median_s': 'abc' is not a number"."""
import argparse
import csv
import hashlib
import json
import math
import os
import re
import statistics
import sys


class ResultsError(Exception):
    """A missing, incomplete or malformed run; the message names the file, row and column."""


# -- cells ---------------------------------------------------------------------------------

class BadCell(Exception):
    """Raised by a cell type with the reason, completed into a ResultsError by the caller."""


NAME_RE = re.compile(r"[A-Za-z0-9_.+-]+")
HOST_RE = re.compile(r"[A-Za-z0-9_.:\[\]-]+")
HEX64_RE = re.compile(r"[0-9a-f]{64}")
WHOLE_RE = re.compile(r"-?[0-9]+")


def shown(text, limit=40):
    """A cell as it goes into a one-line message: escaped if not printable, cut if long."""
    text = str(text)
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "..."


def name(text):
    """An identifier (program, schedule, label, mode): these reach figure keys and tables."""
    if not NAME_RE.fullmatch(text):
        raise BadCell("is not a name (letters, digits and _ . + - only)")
    return text


def host(text):
    if not HOST_RE.fullmatch(text):
        raise BadCell("is not HOST:PORT")
    return text


def hex64(text):
    if not HEX64_RE.fullmatch(text):
        raise BadCell("is not a sha256 (64 lower-case hex digits)")
    return text


def real(text):
    """A finite number: nan and inf are what a broken measurement prints, never a result."""
    if isinstance(text, bool):
        raise BadCell("is not a number")
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise BadCell("is not a number") from None
    if not math.isfinite(value):
        raise BadCell("is not a finite number")
    return value


def nonneg(text):
    value = real(text)
    if value < 0:
        raise BadCell("is negative")
    return value


def positive(text):
    """A time, a median: zero would be divided by, and no program runs in no time."""
    value = nonneg(text)
    if value == 0:
        raise BadCell("is zero (must be positive)")
    return value


def count(text):
    """A whole number >= 0."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or not WHOLE_RE.fullmatch(text):
        real(text)  # says "not a number" or "not finite" when it is
        raise BadCell("is not a whole number")
    value = int(text)
    if value < 0:
        raise BadCell("is negative")
    return value


def count1(text):
    """A whole number >= 1: processes, chunk, runs, clients."""
    value = count(text)
    if value < 1:
        raise BadCell("must be at least 1")
    return value


def worker(text):
    return "all" if text == "all" else count(text)


def one_of(*choices):
    def check(text):
        if text not in choices:
            raise BadCell(f"is not one of {', '.join(choices)}")
        return text
    return check


def optional(kind):
    """Empty means not measured (a hardware event this machine cannot count): None."""
    def check(text):
        return None if text == "" else kind(text)
    return check


SUSPECT_RE = re.compile(r"[A-Za-z0-9_.+%<>=;:, -]*")


def reason(text):
    """Why a point is suspect (bench/measure's verdict), or empty: words, numbers, % > ; only."""
    if not SUSPECT_RE.fullmatch(text) or len(text) > 300:
        raise BadCell("is not a reason (letters, digits, spaces and _ . + % < > = ; : , - only)")
    return text


def cell(kind, text, where):
    try:
        return kind(text)
    except BadCell as e:
        raise ResultsError(f"{where}: '{shown(text)}' {e}") from None


# -- the files of a run --------------------------------------------------------------------

KEY = {"program": name, "limit": count, "procs": count1, "schedule": name, "chunk": count1}
TIMING = dict(KEY, runs=count1, median_s=positive, mean_s=positive, stddev_s=nonneg,
              cv_pct=nonneg, min_s=positive, max_s=positive, user_s=nonneg, system_s=nonneg)
# The columns bench/measure added to the timed sweeps: typed where present (runs of before
# it lack them).
TIMING_ADDED = {"outside_cores": nonneg, "steal_s": nonneg, "attempts": count1,
                "suspect": reason, "comparison": count1}
# <sweep>.runs.csv: one row per timed run (bench/collect.py compare).
RUNS = dict(KEY, comparison=count1, variant=name, block=count1, order_in_block=count1,
            attempt=count1, seed=count, wall_s=positive, user_s=nonneg, sys_s=nonneg,
            maxrss_kib=count, exit=one_of("0"), outside_cpu_s=nonneg, steal_s=nonneg,
            loadavg=nonneg)
# ... and the columns added to it since, typed where present: what started each run
# (bench/measure's runone launcher, or Python's fork where it was not built).
RUNS_ADDED = {"launcher": one_of("runone", "python")}
METRICS = {"program": name, "limit": count, "procs": count1, "chunk": count1, "schedule": name,
           "worker": worker, "wall_ns": count, "cpu_ns": count, "numbers_tested": count,
           "trial_divisions": count, "primes_found": count}
CHECKSUMS = dict(KEY, sha256=hex64, bytes=count)
INSTRUCTIONS = dict(KEY, instructions=count)
# loadgen leaves the latencies empty when no session ended with a mean.
LOADGEN = {"label": name, "target": host, "mode": one_of("closed", "open", "hold"),
           "clients": count1, "threads": count1, "rate_per_s": optional(positive),
           "delay_s": nonneg, "duration_s": nonneg, "sessions": count, "sessions_per_s": nonneg,
           **{f"latency_{q}_us": optional(nonneg) for q in ("mean", "p50", "p90", "p99", "p999",
                                                          "max")},
           "errors_connect": count, "errors_write": count, "errors_read": count,
           "errors_timeout": count, "errors_reply": count, "errors_unparsable": count,
           "held": optional(count)}
MEMORY = {"label": name, "held": count, "vm_hwm_kib": count}
# ... and the columns added to it since, typed where present: the server's resident memory
# before any load, and the thread model's stack size (empty for the other servers).
MEMORY_ADDED = {"base_kib": optional(count), "stack_kib": optional(count1)}
# server_stack.csv: loadgen's row of each point of the thread model's stack sweep, with the
# stack size and the point's block.
STACK = dict(LOADGEN, stack_kib=count1, block=count1, order_in_block=count1)
# server_cost.csv: what each point of the client, repeat and stack sweeps cost its server,
# from the server's own counters (source `metrics`) or from /proc (`proc`: no context
# switches or threads counted there).
COST = {"sweep": one_of("server_clients", "server_repeat", "server_stack"), "label": name,
        "clients": count1, "stack_kib": optional(count1), "block": count1, "sessions": count,
        "wall_s": nonneg, "cpu_user_us": count, "cpu_sys_us": count,
        "ctx_voluntary": optional(count), "ctx_involuntary": optional(count),
        "threads_created": optional(count), "maxrss_kib": count,
        "source": one_of("metrics", "proc")}
SERVER_METRICS = {"program": name, "row": one_of("interval", "final"), "time_s": nonneg,
                  "wall_ns": count, "cpu_ns": count, "connections_accepted": count,
                  "connections_active": count, "bytes_received": count, "data_messages": count,
                  "ready_messages": count, "bad_messages": count, "busy_rejections": count,
                  "idle_timeouts": count, "lock_wait_ns": count, "values": count, "mean": real}
# ... and the columns added to it since, typed where present: the process's resource usage
# (getrusage) and the threads its model started, for a cost per session (runs of before lack
# them).
SERVER_METRICS_ADDED = {"threads_created": count, "cpu_user_us": count, "cpu_sys_us": count,
                        "ctx_voluntary": count, "ctx_involuntary": count, "maxrss_kib": count}
NOTE_RE = re.compile(r"[A-Za-z0-9_.+%<>=;:()/ -]*")


def note(text):
    """What a calibration row timed, or why it could not: words, numbers and a few signs."""
    if not NOTE_RE.fullmatch(text) or len(text) > 300:
        raise BadCell("is not a note (letters, digits, spaces and _ . + % < > = ; : ( ) / - "
                      "only)")
    return text


# calibration.csv: build/bin/calibrate's costs of the machine's primitives, a row per
# primitive and variant, in the row's unit. A row that could not be measured on the machine
# (PAPI that will not open) has runs 0 and empty cells, its note saying why.
CALIBRATION = {"primitive": name, "variant": name, "unit": one_of("ns", "us"), "runs": count,
               **{c: optional(positive) for c in ("median", "ci_lo", "ci_hi", "min", "max")},
               "note": note}
CALIBRATION_CELLS = ("min", "ci_lo", "median", "ci_hi", "max")
ADDED = {id(TIMING): TIMING_ADDED, id(RUNS): RUNS_ADDED,
         id(SERVER_METRICS): SERVER_METRICS_ADDED, id(MEMORY): MEMORY_ADDED}

# The sweeps that ran before bench/measure (a run may hold hyperfine's JSON for them), and
# every timed sweep.
OLDER_SWEEPS = ("primes_procs", "primes_chunk", "primes_size", "primes_python")
TIMED_SWEEPS = OLDER_SWEEPS + ("primes_backends",)
# Schema of every CSV bench/run writes; `extra` types the columns a file may add (one per
# hardware event), None ignores them.
SCHEMAS = {f"{s}.csv": (TIMING, None) for s in TIMED_SWEEPS}
SCHEMAS.update({f"{s}.runs.csv": (RUNS, None) for s in TIMED_SWEEPS})
SCHEMAS.update({
    "primes_metrics.csv": (METRICS, optional(count)),
    "primes_checksums.csv": (CHECKSUMS, None),
    "primes_instructions.csv": (INSTRUCTIONS, None),
    "server_clients.csv": (LOADGEN, None),
    "server_repeat.csv": (LOADGEN, None),
    "server_rate.csv": (LOADGEN, None),
    "server_hold.csv": (LOADGEN, None),
    "server_memory.csv": (MEMORY, None),
    "server_stack.csv": (STACK, None),
    "server_cost.csv": (COST, None),
    "server_metrics.csv": (SERVER_METRICS, optional(count)),
    "calibration.csv": (CALIBRATION, None),
})
# What each sweep of bench/run always writes; a complete run that lacks one was cut short or
# tampered with. (primes_instructions.csv needs valgrind, server_repeat.csv the epoll server.)
# A tuple is a choice: one of its files (a run of before bench/measure has hyperfine's JSON
# where a newer one has runs.csv).
SWEEP_FILES = {
    "primes": [f"{s}.csv" for s in TIMED_SWEEPS]
    + [(f"{s}.runs.csv", f"{s}.hyperfine.json") for s in OLDER_SWEEPS]
    + ["primes_backends.runs.csv"]
    + ["primes_checksums.csv", "primes_metrics.csv"],
    "server": ["server_clients.csv", "server_rate.csv", "server_hold.csv", "server_cost.csv",
               "server_stack.csv"],
}
# Files a sweep has written only since bench/run recorded a meta.json key: required of the
# runs whose meta.json has the key, so runs of before them (the committed baselines) still
# read. server_cpus came with the sweeps per concurrency model, primes_backends with the sweep of
# every parallel backend.
SWEEP_FILES_SINCE = {"server_cost.csv": "server_cpus", "server_stack.csv": "server_cpus",
                     "primes_backends.csv": "primes_backends",
                     "primes_backends.runs.csv": "primes_backends"}
# calibration.csv is no sweep's: bench/run writes it before every sweep, where calibrate is
# built, and says so in meta.json's `calibration` key (the file's name). Keyed on that, not on
# the sweeps: runs of before calibrate (the committed baselines) and runs of a --bin without
# it read as before, and a run that promised the file and lacks it is incomplete.
CALIBRATION_KEY = "calibration"
CALIBRATION_FILE = "calibration.csv"


def read_csv(path, schema, extra=None, added=None):
    """Rows of a CSV as dicts of typed values, read by field name: every column of `schema`
    in the header, every row as long as the header, every cell of its column's type (and of
    `extra`'s for columns outside the schema, when given; `added` types columns a file may
    lack, when present). A header alone is malformed:
    bench/run writes the header with the first row."""
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames
            if not header:
                raise ResultsError(f"{path}: empty file (no header)")
            missing = [c for c in schema if c not in header]
            if missing:
                raise ResultsError(f"{path}:1: missing column(s) {', '.join(missing)}")
            if len(set(header)) != len(header):
                raise ResultsError(f"{path}:1: a column appears twice")
            rows = []
            for raw in reader:
                line = reader.line_num
                if None in raw or any(v is None for v in raw.values()):
                    raise ResultsError(f"{path}:{line}: wrong number of cells "
                                       f"(the header has {len(header)})")
                row = {}
                for column, text in raw.items():
                    kind = schema.get(column) or (added or {}).get(column, extra)
                    row[column] = text if kind is None else \
                        cell(kind, text, f"{path}:{line}: column '{shown(column)}'")
                rows.append(row)
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except (OSError, csv.Error, UnicodeDecodeError) as e:
        raise ResultsError(f"{path}: unreadable: {shown(e, 200)}") from None
    if not rows:
        raise ResultsError(f"{path}:1: no data rows (header only)")
    return rows


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except (OSError, ValueError) as e:
        raise ResultsError(f"{path}: not valid JSON: {shown(e, 200)}") from None


def timed_runs(rows):
    """A sweep's runs.csv rows as {key text: (key fields, [wall seconds])}: the runs of each
    comparison's last attempt (the one its summary row was computed from), in order."""
    last = {}
    for r in rows:
        last[r["comparison"]] = max(last.get(r["comparison"], 0), r["attempt"])
    out = {}
    for r in rows:
        if r["attempt"] == last[r["comparison"]]:
            fields = {k: r[k] for k in KEY}
            key = " ".join(f"{k}={fields[k]}" for k in KEY)
            out.setdefault(key, (fields, []))[1].append(r["wall_s"])
    return out


class Point:
    """One timed point of a primes sweep, from a typed row of the sweep `sweep`
    (primes_procs, ...). `judged`: the row has bench/measure's suspect column, so an empty
    `suspect` means the point was judged clean, not that nobody looked."""

    def __init__(self, row, sweep=None):
        self.sweep = sweep
        self.judged = "suspect" in row
        self.program = row["program"]
        self.schedule = row["schedule"]
        self.limit = row["limit"]
        self.procs = row["procs"]
        self.chunk = row["chunk"]
        self.runs = row["runs"]
        self.median = row["median_s"]
        self.mean = row["mean_s"]
        self.stddev = row["stddev_s"]
        self.cv = row["cv_pct"]
        self.min = row["min_s"]
        self.max = row["max_s"]
        self.suspect = row.get("suspect") or ""
        self.comparison = row.get("comparison")


def read_meta(folder):
    """meta.json of a run, checked complete: marked so by bench/run's last step, its sweeps
    and manifest well formed, every listed file there and every file its sweeps always write
    listed. Returns (meta, sweeps, files)."""
    if not os.path.isdir(folder):
        raise ResultsError(f"{folder}: no such results folder")
    path = os.path.join(folder, "meta.json")
    meta = read_json(path)
    if not isinstance(meta, dict):
        raise ResultsError(f"{path}: expected a JSON object")
    if meta.get("complete") is not True:
        raise ResultsError(f"{folder}: incomplete run: meta.json is not marked complete "
                           "(bench/run was cut short or failed)")
    sweeps, files = meta.get("sweeps"), meta.get("files")
    if not isinstance(sweeps, list) or not sweeps or \
            not all(isinstance(s, str) and s in SWEEP_FILES for s in sweeps):
        raise ResultsError(f"{path}: key 'sweeps': '{shown(sweeps)}' is not a list of "
                           f"{' and '.join(SWEEP_FILES)}")
    # Manifest entries become paths: plain names only, nothing that climbs out of the run.
    if not isinstance(files, list) or \
            not all(isinstance(n, str) and NAME_RE.fullmatch(n) and n not in (".", "..")
                    for n in files):
        raise ResultsError(f"{path}: key 'files': '{shown(files)}' is not a list of file names")
    for n in files:
        if not os.path.isfile(os.path.join(folder, n)):
            raise ResultsError(f"{folder}: incomplete run: {n} is listed in meta.json "
                               "but missing")
    for sweep in sweeps:
        for n in SWEEP_FILES[sweep]:
            if n in SWEEP_FILES_SINCE and SWEEP_FILES_SINCE[n] not in meta:
                continue
            choice = n if isinstance(n, tuple) else (n,)
            if not any(c in files for c in choice):
                raise ResultsError(f"{folder}: incomplete run: the {sweep} sweeps ran but "
                                   f"{choice[0]} is not there")
    if CALIBRATION_KEY in meta and CALIBRATION_FILE not in files:
        raise ResultsError(f"{folder}: incomplete run: meta.json says calibrate ran but "
                           f"{CALIBRATION_FILE} is not there")
    cell(count1, meta.get("cores"), f"{path}: key 'cores'")
    return meta, sweeps, files


def check_calibration(rows, path):
    """calibration.csv's rows, checked beyond their cells: a measured row (runs >= 1) has
    every number, in order min <= ci_lo <= median <= ci_hi <= max; an unmeasured one (runs 0)
    none, and a note; no primitive and variant twice. Returns rows."""
    seen = set()
    for i, r in enumerate(rows, start=2):
        where = f"{path}:{i}"
        key = (r["primitive"], r["variant"])
        if key in seen:
            raise ResultsError(f"{where}: {' '.join(key)} appears twice")
        seen.add(key)
        values = [r[c] for c in CALIBRATION_CELLS]
        if r["runs"] == 0:
            if any(v is not None for v in values) or not r["note"]:
                raise ResultsError(f"{where}: a row of runs 0 has numbers or no note")
            continue
        if any(v is None for v in values):
            raise ResultsError(f"{where}: a measured row has an empty cell")
        if values != sorted(values):
            raise ResultsError(f"{where}: not min <= ci_lo <= median <= ci_hi <= max")
    return rows


class Run:
    """A complete, well-formed results folder, every file typed as it is read. A file the
    run's manifest does not list (a sweep it did not run, a tool it lacked) is None."""

    def __init__(self, folder):
        self.folder = folder
        self.meta, self.sweeps, self.files = read_meta(folder)
        self.cores = int(self.meta["cores"])
        self.tables = {}
        for n in self.files:
            if n in SCHEMAS:
                schema, extra = SCHEMAS[n]
                self.tables[n] = read_csv(self.path(n), schema, extra, ADDED.get(id(schema)))
        # Every timed run of each sweep (runs.csv), {sweep: rows}, for the gate's U tests and
        # the report's intervals; a sweep of an older run (hyperfine's JSON) has none.
        self.runs = {s: self.tables[f"{s}.runs.csv"] for s in TIMED_SWEEPS
                     if f"{s}.runs.csv" in self.tables}
        self.legacy = [s for s in TIMED_SWEEPS if f"{s}.hyperfine.json" in self.files
                       and s not in self.runs]
        self.procs = self._points("primes_procs.csv")
        self.chunk = self._points("primes_chunk.csv")
        self.size = self._points("primes_size.csv")
        self.python = self._points("primes_python.csv")
        self.backends = self._points("primes_backends.csv")
        self.metrics = self.tables.get("primes_metrics.csv")
        self.checksums = self.tables.get("primes_checksums.csv")
        self.instructions = self.tables.get("primes_instructions.csv")
        self.server = self.tables.get("server_clients.csv")
        self.server_rate = self.tables.get("server_rate.csv")
        self.server_hold = self.tables.get("server_hold.csv")
        self.server_repeat = self.tables.get("server_repeat.csv")
        self.server_memory = self.tables.get("server_memory.csv")
        self.server_stack = self.tables.get("server_stack.csv")
        self.server_cost = self.tables.get("server_cost.csv")
        # The machine's primitive costs (calibrate); None in a run of before it.
        self.calibration = self.tables.get(CALIBRATION_FILE)
        if self.calibration is not None:
            check_calibration(self.calibration, self.path(CALIBRATION_FILE))
        self.fingerprint = self._fingerprint()

    def path(self, name):
        return os.path.join(self.folder, name)

    def _points(self, name):
        rows = self.tables.get(name)
        return None if rows is None else [Point(r, name[:-len(".csv")]) for r in rows]

    def _fingerprint(self):
        """sha256 over meta.json and every listed file: what the figures were drawn from,
        so the report can tell its own figures from an earlier run's."""
        h = hashlib.sha256()
        for n in ["meta.json"] + sorted(self.files):
            with open(self.path(n), "rb") as f:
                h.update(n.encode() + b"\0" + f.read() + b"\0")
        return h.hexdigest()


# server_repeat.csv's pair: the thread model and the one-loop epoll server, labelled
# `thread` and `epoll-1` since the sweeps per concurrency model, `parlab` and `epoll` before.
REPEAT_LABELS = ({"thread", "parlab"}, {"epoll-1", "epoll"})


def server_pairs(rows):
    """server_repeat.csv's paired runs as samples: the thread model's sessions/s and p99 (us)
    per run, the epoll loop's sessions/s per run, and per pair the ratio thread / epoll (the
    bench runs the i-th thread run beside the i-th epoll run). Either label set is read
    (REPEAT_LABELS), so runs of before the new labels still compare. Empty lists when a
    server is missing."""
    parlab, p99, epoll = [], [], []
    for row in rows or []:
        if row["label"] in REPEAT_LABELS[0]:
            parlab.append(row["sessions_per_s"])
            if row["latency_p99_us"] is not None:
                p99.append(row["latency_p99_us"])
        elif row["label"] in REPEAT_LABELS[1]:
            epoll.append(row["sessions_per_s"])
    ratio = [a / b for a, b in zip(parlab, epoll) if b > 0]
    return {"sessions": parlab, "p99": p99, "epoll": epoll, "ratio": ratio}


def labels_in_order(rows):
    labels = []
    for r in rows or []:
        if r["label"] not in labels:
            labels.append(r["label"])
    return labels


def find(points, **want):
    return [p for p in points or [] if all(getattr(p, k) == v for k, v in want.items())]


def serial_time(points, limit):
    """The single-process reference time at `limit`: nonoptimized's median."""
    ref = find(points, program="nonoptimized", limit=limit)
    return ref[0].median if ref else None


def karp_flatt(speedup, procs):
    """Experimentally determined serial fraction e = (1/S - 1/P) / (1 - 1/P), for P > 1."""
    if procs <= 1 or speedup <= 0:
        return None
    return (1.0 / speedup - 1.0 / procs) / (1.0 - 1.0 / procs)


def amdahl_fit(pairs):
    """Least-squares serial fraction f of Amdahl's law from (P, S) pairs, fitting
    1/S = f + (1 - f)/P, i.e. (1/S - 1/P) = f (1 - 1/P): a line through the origin."""
    num = den = 0.0
    for procs, speedup in pairs:
        x = 1.0 / procs
        num += (1.0 - x) * (1.0 / speedup - x)
        den += (1.0 - x) ** 2
    if den == 0:
        return None
    return num / den


def amdahl_speedup(f, procs):
    return 1.0 / (f + (1.0 - f) / procs)


# Below this a run is mostly process start-up, which does not grow with N.
SLOPE_MIN_TIME_S = 0.010


def loglog_slope(pairs):
    """Exponent k of t ~ N^k by least squares on log t against log N, over the points long
    enough to be dominated by the work itself; None with fewer than two such points."""
    pts = [(math.log(n), math.log(t)) for n, t in pairs if n > 0 and t >= SLOPE_MIN_TIME_S]
    if len(pts) < 2:
        return None
    mx = statistics.fmean(x for x, _ in pts)
    my = statistics.fmean(y for _, y in pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in pts) / sxx


# A problem-size point at N <= this is a program's start-up alone: bench/run times each
# program of the size sweep at N = 10 too, where there is nothing to compute, so that the
# other points read as start-up plus compute time.
STARTUP_LIMIT = 10


def size_points(run, program):
    """A program's points of the problem-size sweep at N > STARTUP_LIMIT, by N."""
    return sorted((p for p in find(run.size, program=program) if p.limit > STARTUP_LIMIT),
                  key=lambda p: p.limit)


def startup_point(run, p):
    """The start-up point (N <= STARTUP_LIMIT) of the program of size point p: the one with
    p's process count and schedule where there is one (start-up forks the same workers),
    else the program's only one; None in a run of before the start-up points."""
    starts = [s for s in find(run.size, program=p.program) if s.limit <= STARTUP_LIMIT]
    same = [s for s in starts if (s.procs, s.schedule) == (p.procs, p.schedule)]
    if same:
        return same[0]
    return starts[0] if len(starts) == 1 else None


def point_runs(run, p):
    """The per-run wall times of one point (its comparison's last attempt, in block order);
    [] in a run without runs.csv for its sweep."""
    a, _, _ = paired_runs(run, p.sweep, p, p)
    return a


def scaling_table(run, limit, schedule):
    """[(P, median, min, max, speedup, efficiency, karp_flatt)] for one schedule at limit."""
    t1 = serial_time(run.procs, limit)
    rows = []
    for p in sorted(find(run.procs, program="optimized", limit=limit, schedule=schedule),
                    key=lambda p: p.procs):
        s = t1 / p.median if t1 else None
        rows.append((p.procs, p.median, p.min, p.max, s, s / p.procs if s else None,
                     karp_flatt(s, p.procs) if s else None))
    return rows


def suspect_procs(run, limit, schedule):
    """{P: why} of the points of one schedule at limit that bench/measure marked suspect."""
    return {p.procs: p.suspect for p in find(run.procs, program="optimized", limit=limit,
                                              schedule=schedule) if p.suspect}


def fitted_serial_fraction(run, limit, schedule):
    """Amdahl's f from the points with 1 < P <= cores (more processes than cores add no
    processors, so they say nothing about the serial fraction), leaving out the points
    marked suspect (disturbed by outside load: suspect_procs)."""
    bad = suspect_procs(run, limit, schedule)
    pairs = [(p, s) for p, _, _, _, s, _, _ in scaling_table(run, limit, schedule)
             if s and 1 < p <= run.cores and p not in bad]
    return amdahl_fit(pairs) if pairs else None


def paired_runs(run, sweep, a, b):
    """The per-run times of two points of a sweep (Points), and whether they pair: both of the
    same comparison, so the i-th of each ran in the same block. Only the last attempt's runs;
    ([], [], False) when the run has no runs.csv for the sweep."""
    rows = run.runs.get(sweep)
    if not rows:
        return [], [], False
    last = {}
    for r in rows:
        last[r["comparison"]] = max(last.get(r["comparison"], 0), r["attempt"])

    def mine(p):
        return {r["block"]: r["wall_s"] for r in rows
                if all(r[k] == getattr(p, k) for k in ("program", "limit", "procs", "schedule",
                                                       "chunk"))
                and r["attempt"] == last[r["comparison"]]
                and (p.comparison is None or r["comparison"] == p.comparison)}
    ra, rb = mine(a), mine(b)
    if a.comparison is not None and a.comparison == b.comparison and ra.keys() == rb.keys():
        blocks = sorted(ra)
        return [ra[k] for k in blocks], [rb[k] for k in blocks], True
    return list(ra.values()), list(rb.values()), False


class ArgumentParser(argparse.ArgumentParser):
    """argparse with the scripts' conventions: --help prints the script's docstring, and a
    usage error is one line, "prog: what is wrong", exit 2."""

    def __init__(self, prog, doc):
        super().__init__(prog=prog, add_help=False, allow_abbrev=False)
        self.doc = doc
        self.add_argument("-h", "--help", action="store_true")

    def parse_args(self, argv):
        args = super().parse_args(argv)
        if args.help:
            print(self.doc)
            sys.exit(0)
        return args

    def error(self, message):
        print(f"{self.prog}: {message}", file=sys.stderr)
        sys.exit(2)
