"""Reading a parlab results run and the arithmetic the figures, the report and the
regression gate share: speedup, efficiency, Karp-Flatt, an Amdahl fit, log-log slopes.

A run is a folder written by bench/run: meta.json and CSVs described in results/README.md.
Every reading error names the file and what is wrong (ResultsError)."""
import csv
import json
import math
import os
import statistics


class ResultsError(Exception):
    """A missing or malformed results file; the message names it."""


def read_csv(path, required):
    """Rows of a CSV as dicts; every column in `required` must be in the header."""
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames
            if not header:
                raise ResultsError(f"{path}: empty file (no header)")
            missing = [c for c in required if c not in header]
            if missing:
                raise ResultsError(f"{path}: missing column(s) {', '.join(missing)}")
            rows = list(reader)
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except (OSError, csv.Error, UnicodeDecodeError) as e:
        raise ResultsError(f"{path}: unreadable: {e}") from None
    for i, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise ResultsError(f"{path}:{i}: wrong number of cells")
    return rows


def number(path, row, column, kind=float):
    text = row.get(column, "")
    try:
        return kind(text)
    except (TypeError, ValueError):
        raise ResultsError(f"{path}: column {column}: '{text}' is not a number") from None


TIMING = ["program", "limit", "procs", "schedule", "chunk", "runs", "median_s", "mean_s",
          "stddev_s", "cv_pct", "min_s", "max_s"]
METRICS = ["program", "limit", "procs", "chunk", "schedule", "worker", "wall_ns", "cpu_ns",
           "numbers_tested", "trial_divisions", "primes_found"]


class Point:
    """One timed point of a primes sweep."""

    def __init__(self, path, row):
        self.program = row["program"]
        self.schedule = row["schedule"]
        self.limit = number(path, row, "limit", int)
        self.procs = number(path, row, "procs", int)
        self.chunk = number(path, row, "chunk", int)
        self.runs = number(path, row, "runs", int)
        self.median = number(path, row, "median_s")
        self.mean = number(path, row, "mean_s")
        self.stddev = number(path, row, "stddev_s")
        self.cv = number(path, row, "cv_pct")
        self.min = number(path, row, "min_s")
        self.max = number(path, row, "max_s")


class Run:
    """A results folder. Optional sweeps are None when the run did not measure them."""

    def __init__(self, folder):
        if not os.path.isdir(folder):
            raise ResultsError(f"{folder}: no such results folder")
        self.folder = folder
        meta_path = os.path.join(folder, "meta.json")
        try:
            with open(meta_path) as f:
                self.meta = json.load(f)
        except FileNotFoundError:
            raise ResultsError(f"{meta_path}: no such file") from None
        except (OSError, ValueError) as e:
            raise ResultsError(f"{meta_path}: not valid JSON: {e}") from None
        if not isinstance(self.meta, dict):
            raise ResultsError(f"{meta_path}: expected a JSON object")
        self.cores = int(self.meta.get("cores") or os.cpu_count() or 1)
        self.procs = self._timing("primes_procs.csv", required=True)
        self.chunk = self._timing("primes_chunk.csv")
        self.size = self._timing("primes_size.csv")
        self.python = self._timing("primes_python.csv")
        self.metrics = self._rows("primes_metrics.csv", METRICS)
        self.server = self._rows("server_clients.csv", SERVER)
        self.server_rate = self._rows("server_rate.csv", SERVER)
        self.server_hold = self._rows("server_hold.csv", SERVER)
        self.server_repeat = self._rows("server_repeat.csv", SERVER)

    def path(self, name):
        return os.path.join(self.folder, name)

    def _rows(self, name, required, must=False):
        path = self.path(name)
        if not must and not os.path.exists(path):
            return None
        return read_csv(path, required)

    def _timing(self, name, required=False):
        rows = self._rows(name, TIMING, must=required)
        if rows is None:
            return None
        return [Point(self.path(name), r) for r in rows]


SERVER = ["label", "target", "mode", "clients", "sessions_per_s", "latency_p50_us",
          "latency_p99_us"]


def server_pairs(path, rows):
    """server_repeat.csv's paired runs as samples: parlab's sessions/s and p99 (us) per run,
    epoll's sessions/s per run, and per pair the ratio parlab / epoll (the bench runs the
    i-th parlab run beside the i-th epoll run). Empty lists when a server is missing."""
    parlab, p99, epoll = [], [], []
    for row in rows or []:
        if row["label"] == "parlab":
            parlab.append(number(path, row, "sessions_per_s"))
            p99.append(number(path, row, "latency_p99_us"))
        elif row["label"] == "epoll":
            epoll.append(number(path, row, "sessions_per_s"))
    ratio = [a / b for a, b in zip(parlab, epoll) if b > 0]
    return {"sessions": parlab, "p99": p99, "epoll": epoll, "ratio": ratio}


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


def fitted_serial_fraction(run, limit, schedule):
    """Amdahl's f from the points with 1 < P <= cores (more processes than cores add no
    processors, so they say nothing about the serial fraction)."""
    pairs = [(p, s) for p, _, _, _, s, _, _ in scaling_table(run, limit, schedule)
             if s and 1 < p <= run.cores]
    return amdahl_fit(pairs) if pairs else None
