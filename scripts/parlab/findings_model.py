"""Predicted beside measured: every primes point a run timed, set against the cost model
(model.py) on the run's own calibration.csv, with the relative error; the misses, each with
the term it suspects; the worst miss where the model is meant to hold (P <= cores); and the
findings that explain a headline number by the machine's primitive costs. report_model.py
lays them out, plots.py draws them. The rules of findings.py hold: a suspect measurement is
judged by no finding, and what cannot be computed is said, never guessed.

The model needs numpy (Debian's python3-numpy, which python3-scipy brings): without it, or
without calibration.csv (a run of before calibrate), there is nothing to predict from and
the report says so."""
from . import findings as fd
from .findings import limit_text

try:
    from . import model
except ImportError:  # no numpy
    model = None

# The timed sweeps whose points are predicted, in the report's order.
SWEEPS = (("primes_procs", "procs", "processes and schedules"),
          ("primes_chunk", "chunk", "chunk sizes"),
          ("primes_size", "size", "problem sizes"),
          ("primes_backends", "backends", "parallel backends"))
# The programs the model knows; Python's and primesieve are other programs altogether.
MODELLED = ("nonoptimized", "optimized", "optimized-threads", "optimized-openmp", "primes_mpi")


def unavailable(run):
    """Why nothing can be predicted for the run, or None."""
    if model is None:
        return "the cost model needs numpy (Debian's python3-numpy), which is not installed"
    if not run.calibration:
        return ("this run has no calibration.csv (it predates `build/bin/calibrate`, or its "
                "binaries lack it): there are no primitive costs to predict from")
    return None


class Row:
    """One point beside its prediction."""

    def __init__(self, sweep, point, pred, cores):
        self.sweep = sweep
        self.point = point
        self.pred = pred
        self.measured = point.median
        self.error = model.miss(pred.seconds, point.median)
        self.in_goal = point.procs <= cores
        self.suspect = bool(point.suspect)

    @property
    def missed(self):
        return abs(self.error) > model.MISS_LIMIT

    def verdict(self):
        """"within 10%", "within 15%", or the miss with its suspect term."""
        if abs(self.error) <= model.GOAL:
            return "within 10%"
        if not self.missed:
            return "within 15%"
        return f"missed: suspect {self.pred.suspect()}"


def primes_rows(run):
    """[Row] of every modelled point of the timed sweeps, in SWEEPS' order, and
    [(point, why)] of those the calibration cannot predict."""
    costs = model.Costs(run.calibration)
    rows, unpredicted = [], []
    tables = {"procs": run.procs, "chunk": run.chunk, "size": run.size,
              "backends": run.backends}
    for sweep, key, _ in SWEEPS:
        # Grouped by N: the model's counts are cached a few N at a time.
        points = sorted((p for p in tables[key] or [] if p.program in MODELLED),
                        key=lambda p: p.limit)
        mine = []
        for p in points:
            try:
                pred = model.primes(costs, p.program, p.limit, p.procs, p.schedule, p.chunk,
                                    run.cores)
            except model.ModelError as e:
                unpredicted.append((p, str(e)))
                continue
            mine.append(Row(sweep, p, pred, run.cores))
        order = {id(p): i for i, p in enumerate(tables[key] or [])}
        rows += sorted(mine, key=lambda r: order[id(r.point)])
    return rows, unpredicted


def worst(rows):
    """The clean row of the goal's scope (P <= cores, not suspect) the model misses most,
    None without one."""
    judged = [r for r in rows if r.in_goal and not r.suspect]
    return max(judged, key=lambda r: abs(r.error)) if judged else None


def pct(x):
    return f"{100 * x:+.1f}%"


def ms(s):
    """A predicted time or term: s to three decimals from 1 s, else ms, two decimals below
    100 ms."""
    if s >= 1:
        return f"{s:.3f} s"
    return f"{s * 1e3:.2f} ms" if s < 0.1 else f"{s * 1e3:.1f} ms"


def goal(rows, where="primes point"):
    """The goal's tally: how many clean points with P <= cores the model gets within 10%,
    and the worst miss with its suspect term."""
    judged = [r for r in rows if r.in_goal and not r.suspect]
    if not judged:
        return [f"No clean {where} with P <= cores to judge the model by."]
    near = sum(1 for r in judged if abs(r.error) <= model.GOAL)
    w = worst(judged)
    left = sum(1 for r in rows if r.in_goal and r.suspect)
    skip = f" ({left} suspect measurement{'s' if left != 1 else ''} left out)" if left else ""
    biggest = w.pred.suspect()
    return [f"The model is within 10% of the measured median at {near} of {len(judged)} "
            f"clean {where}s with P <= cores{skip}. Its worst miss there is "
            f"{pct(w.error)} at {fd.point_name(w.point)} ({w.sweep}): predicted "
            f"{ms(w.pred.seconds)}, measured {ms(w.measured)}; its largest term is "
            f"{biggest} ({ms(w.pred.terms[biggest])}: {w.pred.how[biggest]})."]


# -- findings that explain --------------------------------------------------------------

def costs_of(run):
    return model.Costs(run.calibration)


def startup_cap(run, nums, limit=10**6):
    """What the costs that do not shrink with workers (start-up, starting the workers,
    writing the file) allow P = cores fork()ed processes at `limit`, against the measured
    speedup: Amdahl with those costs the serial part."""
    costs = costs_of(run)
    cores = run.cores
    one = [p for p in run.procs or [] if p.program == "nonoptimized" and p.limit == limit]
    par = [p for p in run.procs or [] if p.program == "optimized" and p.limit == limit
           and p.procs == cores and p.schedule == "dynamic"]
    if not one or not par:
        return []
    one, par = one[0], par[0]
    if one.suspect or par.suspect:
        return [f"The cap start-up puts on the {cores}-process speedup at "
                f"N = {limit_text(limit)} is not quoted: "
                + "; ".join(fd.suspect_note(p) for p in (one, par) if p.suspect) + "."]
    try:
        pred = model.primes(costs, "optimized", limit, cores, "dynamic", par.chunk, cores)
    except model.ModelError as e:
        return [f"No start-up cap at N = {limit_text(limit)}: {e}."]
    start, spawn, write = (pred.terms[t] for t in ("start-up", "workers' start", "write"))
    how = pred.how["workers' start"]
    serial = start + spawn + write
    cap = one.median / (serial + (one.median - start - write) / cores)
    measured = one.median / par.median
    return [f"Start-up is {ms(start)} here (`{pred.how['start-up']}`), starting {cores} workers "
            f"{ms(spawn)} ({how}) "
            f"and writing the file {ms(write)}: {ms(serial)} that no number of workers "
            f"shortens, which caps the {cores}-process speedup at N = {limit_text(limit)} "
            f"at {cap:.2f} (of a perfect {cores}) against `nonoptimized`'s "
            f"{ms(one.median)}; measured: {measured:.2f}."]


def static_balance(run, limit=10**6):
    """The static schedule's share of the divisions for its last worker, from the kernel's
    counts (and the SDE counters' where the run has them), and the speedup that leaves."""
    cores = run.cores
    most, best = model.balance(limit, cores, "static", 1000)
    counted = ""
    for r in run.metrics or []:
        if (r["program"], r["limit"], r["procs"], r["schedule"], r["worker"]) == \
                ("optimized", limit, cores, "static", cores - 1):
            whole = [a for a in run.metrics if a["program"] == "optimized" and
                     a["limit"] == limit and a["procs"] == cores and a["schedule"] == "static"
                     and a["worker"] == "all"]
            if whole and whole[0]["trial_divisions"]:
                share = r["trial_divisions"] / whole[0]["trial_divisions"]
                counted = f"; the SDE counters of its `--metrics` run: {100 * share:.1f}%"
            break
    measured = ""
    one = [p for p in run.procs or [] if p.program == "nonoptimized" and p.limit == limit]
    st = [p for p in run.procs or [] if p.program == "optimized" and p.limit == limit
          and p.procs == cores and p.schedule == "static"]
    if one and st and not one[0].suspect and not st[0].suspect:
        measured = f"; measured: {one[0].median / st[0].median:.2f}"
    elif one and st:
        measured = "; the measured speedup is not quoted (a suspect point)"
    return [f"Static gives its last worker {100 * most:.1f}% of the divisions at "
            f"N = {limit_text(limit)} with P = {cores} (the kernel's exact counts{counted}): "
            f"larger numbers cost more divisions, so its best possible speedup is "
            f"{best:.2f}, start-up aside{measured}."]


def all_findings(run, nums, rows):
    if not rows:
        return []
    return goal(rows) + startup_cap(run, nums) + static_balance(run)
