"""The cost model: each primes time predicted from the machine's primitive costs
(calibration.csv, measured by build/bin/calibrate before the sweeps) and the work the kernel
does, counted exactly, never fitted to the times it predicts.

    T(P) = start-up + workers' start + compute + write

- start-up: the program's own start-up and exit with its caches evicted (`startup
  nonoptimized`, `startup optimized`: `--version` of the binary, which loads its libraries,
  the OpenMP runtime in optimized's case; every timed run follows other programs, so none
  starts warm), else a trivial program's (`startup cold`, `startup bare` in a run of before
  that row); for primes_mpi, mpirun's start-up of P ranks (`mpi_startup P`), which includes
  the ranks' own.
- workers' start: the parent starts the P workers one after another, each a `fork exit`
  (fork + exit + wait) or a `thread 8192` (create + join at the default 8 MiB stack); an
  OpenMP team starts P - 1 threads, its first is the caller. Worker i begins its share when
  the i-th start is done.
- compute: the schedule played out on the kernel's exact division counts, each division
  `div32 kernel`, each number tested the scan's own part of it (`div32 scan`, ns per number
  of the first 10^5 numbers, less their divisions x `div32 kernel`: the short loops' cost
  beyond their divisions, their unforeseeable exits), each chunk taken from the dynamic
  schedule's counter an `atomic contended`:
  static's blocks and cyclic's rounds are fixed, dynamic hands the next chunk to the worker
  that is free first. The run ends with its last worker; more workers than cores share them.
- write: a file (`write file`: create, write, rename over the last one) and the primes
  found, each `write primes` less its own file's share.

Imbalance therefore comes from the per-worker division counts the schedule gives, not from
timings. A miss of more than MISS_LIMIT names the term it suspects: the largest term, whose
error would take the least relative change to explain the gap. Pure arithmetic over plain
values: model_server.py holds the server model, findings_model.py and
findings_server_model.py set them beside the measurements."""
import functools
import heapq
import math

import numpy as np

# Beyond this relative error the report says the model missed, and names a term.
MISS_LIMIT = 0.15
# The goal: within this of the measured median where the model is meant to hold.
GOAL = 0.10
UNIT_S = {"ns": 1e-9, "us": 1e-6}
# Which calibration row stands for each term (primitive, variant).
STARTUP = ("startup", "cold")
STARTUP_WARM = ("startup", "bare")
FORK = ("fork", "exit")
THREAD = ("thread", "8192")
ATOMIC = ("atomic", "contended")
DIVISION = ("div32", "kernel")
SCAN = ("div32", "scan")
# div32 scan's window (src/calibrate/prims_cpu.c): the numbers [SCAN_LO, SCAN_HI).
SCAN_LO, SCAN_HI = 0, 100_000
WRITE = ("write", "primes")
WRITE_FILE = ("write", "file")
# write primes' file (src/calibrate/prims_io.c): the primes up to WRITE_LIMIT.
WRITE_LIMIT = 1_000_000
TERMS = ("start-up", "workers' start", "compute", "write")


class ModelError(Exception):
    """A prediction the run's calibration cannot make: the message names the missing row."""


class Costs:
    """The calibration's medians in seconds, by (primitive, variant); rows of runs 0 (not
    measurable on the machine) are absent."""

    def __init__(self, rows):
        self.rows = {(r["primitive"], r["variant"]): r for r in rows or [] if r["runs"]}

    def get(self, primitive, variant):
        row = self.rows.get((primitive, variant))
        return None if row is None else row["median"] * UNIT_S[row["unit"]]

    def need(self, key):
        value = self.get(*key)
        if value is None:
            raise ModelError(f"calibration.csv has no {key[0]} {key[1]}")
        return value

    def startup(self, program="nonoptimized"):
        """(seconds, row name) of a primes program's start-up: its own binary's, cold, where
        measured (optimized and its backends are one binary); else a trivial program's, cold,
        else warm."""
        binary = "nonoptimized" if program == "nonoptimized" else "optimized"
        for key in (("startup", binary), STARTUP, STARTUP_WARM):
            if self.get(*key) is not None:
                return self.get(*key), " ".join(key)
        raise ModelError("calibration.csv has no startup cold or bare")

    def per_number(self):
        """The scan's cost per number beyond its divisions (s), 0 where div32 scan is not
        measured (a run of before the row)."""
        scan = self.get(*SCAN)
        if scan is None:
            return 0.0
        window = int(divisions(SCAN_HI)[SCAN_LO:SCAN_HI].sum())
        return max(0.0, scan - window / tested(SCAN_LO, SCAN_HI) * self.need(DIVISION))

    def write(self, limit):
        """Writing the primes up to limit: the file (where measured) and each prime, the
        `write primes` row less its own file spread over its primes."""
        fixed = self.get(*WRITE_FILE) or 0.0
        each = max(0.0, self.need(WRITE) - fixed / primes_count(WRITE_LIMIT))
        return fixed + each * primes_count(limit)


class Prediction:
    """A predicted time: its terms in seconds (in TERMS' order), their sum, and what each
    term was made of, for the report's formula column. `measured`: terms taken from the run
    itself rather than from primitives, which a miss is not laid on."""

    def __init__(self, terms, how, measured=()):
        self.terms = terms
        self.how = how
        self.measured = tuple(measured)
        self.seconds = sum(terms.values())

    def suspect(self):
        """The term a miss is laid on: the largest of those made from primitives; a measured
        term only where the primitives add nothing."""
        own = [t for t in self.terms if t not in self.measured and self.terms[t] > 0] \
            or list(self.terms)
        return max(own, key=lambda t: self.terms[t])


def miss(predicted, measured):
    """Relative error of a prediction, + when it predicts too long."""
    return predicted / measured - 1.0


def missed(predicted, measured):
    return abs(miss(predicted, measured)) > MISS_LIMIT


# -- the work, counted ---------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _smallest_factor(limit):
    """The smallest prime factor of every composite n in 0..limit, 0 for primes, 0 and 1."""
    spf = np.zeros(limit + 1, dtype=np.int64)
    for p in range(2, math.isqrt(limit) + 1):
        if spf[p] == 0:
            block = spf[p * p::p]
            block[block == 0] = p
    return spf


@functools.lru_cache(maxsize=4)
def divisions(limit):
    """The kernel's trial divisions of every n in 0..limit, as primes_trial_divide counts
    them: d runs from 2, so a composite n costs its smallest prime factor less one, a prime
    floor(sqrt(n)) - 1 (none for 2 and 3), and 0 and 1 are never tested. An int64 array."""
    spf = _smallest_factor(limit)
    ints = np.arange(limit + 1, dtype=np.int64)
    root = np.sqrt(ints.astype(np.float64)).astype(np.int64)
    root -= root * root > ints  # floating point may round a root up or down by one
    root += (root + 1) * (root + 1) <= ints
    d = np.where(spf > 0, spf - 1, np.maximum(root - 1, 0))
    d[:2] = 0
    return d


def primes_count(limit):
    """How many primes up to limit."""
    if limit < 2:
        return 0
    return int(np.count_nonzero(_smallest_factor(limit)[2:] == 0))


def chunk_sums(limit, chunk):
    """The divisions of each chunk of `chunk` numbers of 0..limit, in order."""
    d = divisions(limit)
    return np.add.reduceat(d, np.arange(0, limit + 1, chunk))


def tested(lo, hi):
    """How many numbers of [lo, hi) the kernel tests: those >= 2."""
    return max(0, hi - max(lo, 2))


def shares(limit, workers, schedule, chunk, starts=None, division_s=1.0, grab_s=0.0,
           number_s=0.0):
    """What each worker does: (divisions, chunks taken, finish time) per worker. static and
    cyclic follow src/primes/schedule.c's arithmetic; dynamic hands each next chunk to the
    worker free first, workers joining at `starts` (seconds), each chunk costing its
    divisions x division_s, its numbers x number_s, and grab_s (a take from the counter)."""
    end = limit + 1
    starts = list(starts) if starts is not None else [0.0] * workers
    d = divisions(limit)
    done = [0] * workers
    taken = [0] * workers
    numbers = [0] * workers
    if schedule == "static":
        for i in range(workers):
            lo, hi = end * i // workers, end * (i + 1) // workers
            done[i], taken[i], numbers[i] = int(d[lo:hi].sum()), 1, tested(lo, hi)
    elif schedule == "cyclic":
        sums = chunk_sums(limit, chunk)
        for i in range(workers):
            mine = sums[i::workers]
            done[i], taken[i] = int(mine.sum()), len(mine)
            numbers[i] = sum(tested(c * chunk, min(end, c * chunk + chunk))
                             for c in range(i, len(sums), workers))
    elif schedule == "dynamic":
        free = [(starts[i], i) for i in range(workers)]
        heapq.heapify(free)
        for c, s in enumerate(chunk_sums(limit, chunk).tolist()):
            t, i = heapq.heappop(free)
            k = tested(c * chunk, min(end, c * chunk + chunk))
            done[i] += s
            taken[i] += 1
            heapq.heappush(free, (t + s * division_s + k * number_s + grab_s, i))
        # the take that finds the counter past the end, one per worker
        return [(done[i], taken[i] + 1, t + grab_s) for t, i in sorted(free, key=lambda x: x[1])]
    else:
        raise ModelError(f"no model for schedule '{schedule}'")
    return [(done[i], taken[i], starts[i] + done[i] * division_s + numbers[i] * number_s)
            for i in range(workers)]


# -- the primes programs -------------------------------------------------------------------
BACKEND_OF = {"optimized": "fork", "optimized-threads": "threads",
              "optimized-openmp": "openmp", "primes_mpi": "mpi"}


def primes(costs, program, limit, procs=1, schedule="dynamic", chunk=1000, cores=2):
    """The predicted time of one primes run: `program` is nonoptimized, optimized (fork),
    optimized-threads, optimized-openmp or primes_mpi (its schedule is dynamic)."""
    div = costs.need(DIVISION)
    per_number = costs.per_number()
    write = costs.write(limit)
    kernel = "div32 kernel" + (" + div32 scan a number" if per_number else "")
    if program == "nonoptimized":
        work = int(divisions(limit).sum())
        startup, how_start = costs.startup(program)
        return Prediction(
            {"start-up": startup, "workers' start": 0.0,
             "compute": work * div + tested(0, limit + 1) * per_number, "write": write},
            {"start-up": how_start, "workers' start": "none",
             "compute": f"{work:,} divisions x {kernel}", "write": "write file + primes"})
    backend = BACKEND_OF.get(program)
    if backend is None:
        raise ModelError(f"no model for program '{program}'")
    if backend == "mpi":
        mpi = costs.get("mpi_startup", str(procs))
        if mpi is None:
            raise ModelError(f"calibration.csv has no mpi_startup {procs}")
        startup, spawn, first = mpi, 0.0, 0
        schedule, how_start = "dynamic", f"mpi_startup {procs}"
    else:
        startup, how_start = costs.startup(program)
        spawn = costs.need(FORK if backend == "fork" else THREAD)
        first = 1 if backend == "openmp" else 0  # the team's first thread is the caller
    starts = [max(0, i + 1 - first) * spawn for i in range(procs)]
    grab = costs.need(ATOMIC) if schedule == "dynamic" else 0.0
    per = shares(limit, procs, schedule, chunk, starts, div, grab, per_number)
    finish = max(f for _, _, f in per)
    # More workers than cores: the cores are shared, and the run cannot end before all the
    # work is done at `cores` workers' pace.
    total = sum(n for n, _, _ in per) * div + tested(0, limit + 1) * per_number
    finish = max(finish, total / min(procs, cores) + starts[-1] / procs)
    started = starts[-1]
    started_by = {"fork": "fork exit", "threads": "thread 8192", "openmp": "thread 8192",
                  "mpi": "in mpi_startup"}[backend]
    count = procs - first if backend != "mpi" else 0
    return Prediction(
        {"start-up": startup, "workers' start": started, "compute": finish - started,
         "write": write},
        {"start-up": how_start,
         "workers' start": f"{count} x {started_by}" if count else "none",
         "compute": f"{schedule} schedule over {procs} workers x {kernel}"
                    + (" + atomic contended a chunk" if grab else ""),
         "write": "write file + primes"})


def balance(limit, procs, schedule, chunk):
    """The share of all divisions the busiest worker gets (1/procs is perfect balance) and
    the best speedup that leaves over one worker, starts and write aside."""
    per = shares(limit, procs, schedule, chunk)
    counts = [n for n, _, _ in per]
    most = max(counts) / sum(counts)
    return most, 1.0 / most


def startup_cap(serial_s, startup_s, procs):
    """The best speedup P workers can give a run of serial_s whose start-up_s does not
    shrink (Amdahl with start-up the serial part)."""
    return serial_s / (startup_s + (serial_s - startup_s) / procs)
