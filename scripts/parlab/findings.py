"""The numbers parlab's report quotes and the findings it draws from them (scripts/parlab/
report.py lays them out). Three rules hold for every finding:

- a time is a median with its 95% interval, and a speedup or ratio names its base case with
  the base's own time, interval and number of runs;
- a point bench/measure marked suspect is quoted by no finding and enters no fit: the finding
  is computed without it and says so ("leaving out the suspect P = 3"), or, where the point
  it needs is suspect, says that it could not be computed and why;
- a number is shown for what it is: a Karp-Flatt value of a run slower than the serial one
  is no serial fraction, and an Amdahl fit that one point decides bounds nothing.

The intervals need scipy (stats.py; Debian's python3-scipy, /usr/bin/python3). Without it
the same findings are drawn without intervals, and the report says so."""
import math
import statistics

from . import results as pr

try:
    from . import stats
except ImportError:
    stats = None

SCHEDULES = ["dynamic", "static", "cyclic"]


def limit_text(n):
    exp = len(str(n)) - 1
    return f"10^{exp}" if n == 10 ** exp and exp > 1 else f"{n:,}"


def _unit(t):
    """(scale, decimals, unit) showing t to at least two significant digits."""
    if t >= 1:
        return 1.0, 3, "s"
    return 1e3, (1 if t >= 0.01 else 2 if t >= 0.001 else 3), "ms"


def sec(t):
    if t is None:
        return "-"
    scale, decimals, unit = _unit(t)
    return f"{t * scale:.{decimals}f} {unit}"


def sec_bounds(t, lo, hi):
    """The bounds of an interval in the unit and precision sec() gives t."""
    scale, decimals, _ = _unit(t)
    return f"[{lo * scale:.{decimals}f}, {hi * scale:.{decimals}f}]"


def num(v, digits=2):
    return "-" if v is None else f"{v:.{digits}f}"


def sig(x):
    """x to three significant digits, as stats shows its ratios."""
    return stats.sig3(x) if stats is not None else f"{x:.3g}"


def listed(values):
    return ", ".join(str(v) for v in values)


def point_name(p):
    """A timed point as a reader names it: program, then what varies."""
    parts = [f"`{p.program}`"]
    if p.program not in ("nonoptimized", "primesieve", "python_nonoptimized"):
        parts.append(f"P = {p.procs}")
    if p.schedule not in ("serial", "sieve"):
        parts.append(p.schedule)
    if p.schedule in ("dynamic", "cyclic", "pool"):
        parts.append(f"chunk {p.chunk}")
    parts.append(f"N = {limit_text(p.limit)}")
    return ", ".join(parts)


class Numbers:
    """A run's timed points as the report quotes them: medians with their intervals, ratios
    of medians with theirs, P(faster), each from the per-run times of the point's
    comparison's last attempt (results.point_runs)."""

    def __init__(self, run):
        self.run = run
        self.paired = self.unpaired = 0  # how the ratios' intervals were resampled

    def runs(self, p):
        return pr.point_runs(self.run, p)

    def interval(self, p):
        """(lo, hi) of the 95% interval of p's median, None, None without one: too few runs
        (6 at least), no per-run times in the run, or no scipy."""
        runs = self.runs(p)
        if stats is None or not runs:
            return None, None
        ci = stats.median_ci(runs)
        return ci.lo, ci.hi

    def time(self, p):
        """"142.0 ms [140.3, 145.1]": the median and its 95% interval."""
        if stats is None or not self.runs(p):
            return sec(p.median)
        lo, hi = self.interval(p)
        if lo is None:
            return f"{sec(p.median)} [too few runs]"
        return f"{sec(p.median)} {sec_bounds(p.median, lo, hi)}"

    def base(self, p, name=None):
        """The base case of a ratio, named (`name`, else its program) with its time:
        "`nonoptimized`, 142.0 ms [140.3, 145.1] over 10 runs"."""
        return f"{name or f'`{p.program}`'}, {self.time(p)} over {p.runs} runs"

    def ratio(self, base, other):
        """(value, text) of median(base) / median(other) with its bootstrap interval, paired
        by block when both ran in the same blocks of one comparison."""
        value, _, _, text = self.ratio_bounds(base, other)
        return value, text

    def ratio_bounds(self, base, other):
        """(value, lo, hi, text): ratio()'s, with the interval's bounds for a finding that
        must tell a difference from the noise (lo, hi None without an interval)."""
        a, b, pairs = pr.paired_runs(self.run, base.sweep, base, other)
        value = base.median / other.median
        if stats is None or len(a) < 2 or len(b) < 2:
            return value, None, None, f"{value:.3g}"  # three digits, as stats.Ratio shows them
        if pairs:
            self.paired += 1
        else:
            self.unpaired += 1
        r = stats.ratio_ci(a, b, paired=pairs)
        return value, r.lo, r.hi, str(r)

    def p_faster(self, a, b):
        """P(a run of b is faster than a run of a), None without per-run times or scipy."""
        ra, rb = self.runs(a), self.runs(b)
        if stats is None or not ra or not rb:
            return None
        return stats.p_faster(ra, rb)

    def karp_flatt(self, speedup, procs):
        """A Karp-Flatt cell: e(P) to three digits, or "slower than serial" where S < 1 (then
        e > 1 is no fraction of anything); "-" for P = 1."""
        if speedup is None or procs <= 1:
            return "-"
        if stats is not None:
            return str(stats.karp_flatt(speedup, procs))
        return "slower than serial" if speedup < 1 else num(pr.karp_flatt(speedup, procs), 3)


def left_out(points, prefix, value):
    """", leaving out the suspect P = 3, 4" for the suspect points among `points`, each named
    by value(p) after `prefix` ("P = ")."""
    bad = [str(value(p)) for p in points if p.suspect]
    return f", leaving out the suspect {prefix}{listed(bad)}" if bad else ""


def suspect_note(p):
    return f"{point_name(p)} is suspect ({p.suspect})"


# -- naive vs parallel ------------------------------------------------------------------

def scaling(nums, limit):
    """The findings of the process sweep at one N: the speedup on every core, the Amdahl fit,
    Karp-Flatt beyond the cores, the schedules at P = cores."""
    run, cores, out = nums.run, nums.run.cores, []
    base = pr.find(run.procs, program="nonoptimized", limit=limit)
    if not base:
        return out
    base = base[0]
    at = limit_text(limit)
    if base.suspect:
        # Every speedup, the fit and Karp-Flatt divide by the base; the schedules do not.
        return [f"No speedup at N = {at} could be computed: its base case, "
                f"{suspect_note(base)}."] + schedules(nums, limit)
    t1 = base.median
    dyn = {p.procs: p for p in pr.find(run.procs, program="optimized", limit=limit,
                                       schedule="dynamic")}
    here = dyn.get(cores)
    if here is not None and here.suspect:
        out.append(f"The speedup of {cores} processes on {cores} cores at N = {at} could not "
                   f"be computed: {suspect_note(here)}.")
    elif here is not None:
        _, text = nums.ratio(base, here)
        s = t1 / here.median
        if s < 1:
            out.append(f"At N = {at}, {cores} processes on {cores} cores take "
                       f"{nums.time(here)}: slower than one process, speedup {text} against "
                       f"{nums.base(base)}.")
        else:
            out.append(f"At N = {at}, {cores} processes on {cores} cores take "
                       f"{nums.time(here)}: speedup {text}, efficiency {s / cores:.0%}, "
                       f"against {nums.base(base)}.")
    out += amdahl(nums, base, [dyn[p] for p in sorted(dyn) if 1 < p <= cores])
    if here is not None and not here.suspect and t1 / here.median >= 1:
        out += beyond_cores(nums, base, here, [dyn[p] for p in sorted(dyn) if p > cores])
    out += schedules(nums, limit)
    return out


def amdahl(nums, base, points):
    """Amdahl's serial fraction from the dynamic points with 1 < P <= cores that are not
    suspect, with its interval; a bound 1/f only when more than one point decides it."""
    at = limit_text(base.limit)
    used = [p for p in points if not p.suspect]
    skip = left_out(points, "P = ", lambda p: p.procs)
    if not used:
        if points:
            return [f"No Amdahl fit at N = {at}: every point with 1 < P <= {nums.run.cores} "
                    f"is suspect ({'; '.join(f'P = {p.procs}: {p.suspect}' for p in points)})."]
        return []
    t1 = base.median
    procs = [p.procs for p in used]
    speedups = [t1 / p.median for p in used]
    slower = [p.procs for p, s in zip(used, speedups) if s < 1]
    fit = None
    if stats is not None:
        runs = [[t1 / t for t in nums.runs(p)] for p in used]
        try:
            fit = stats.amdahl_fit(procs, speedups,
                                   runs=runs if all(len(r) >= 2 for r in runs) else None)
        except ValueError:
            fit = None
    f = fit.f if fit is not None else pr.amdahl_fit(list(zip(procs, speedups)))
    if f is None:
        return []
    if f >= 1 or slower:
        return [f"No Amdahl fit at N = {at}{skip}: the parallel runs at P = {listed(slower)} "
                "were slower than one process (speedup below 1), which no serial fraction "
                "explains."]
    interval = ""
    if fit is not None and fit.f_lo is not None:
        interval = f" [{fit.f_lo:.3f}, {fit.f_hi:.3f}]"
    elif stats is not None and all(nums.runs(p) for p in used):
        interval = " [too few runs]"
    head = (f"Amdahl fit at N = {at} (dynamic, P = {listed(procs)}{skip}): serial fraction "
            f"f = {f:.3f}{interval}")
    if len(used) < 2 or (fit is not None and fit.decided_by_one_point):
        return [f"The Amdahl fit at N = {at} rests on one point, P = {procs[0]}{skip}: "
                f"f = {f:.3f}{interval} is what that point allows. One point cannot tell a "
                "serial part from overhead, so it bounds no speedup on more cores."]
    if f <= 0:
        return [f"{head}: no serial part measurable, the speedup is at the ideal within the "
                "noise."]
    bound = f"so at most {sig(1 / f)}x"
    if fit is not None and fit.bound_lo is not None:
        bound += (f" [{sig(fit.bound_lo)}, {sig(fit.bound_hi)}]" if fit.bound_hi is not None
                  else f" (at least {sig(fit.bound_lo)}x: f's interval reaches 0, so no upper "
                  "limit)")
    return [f"{head}, {bound} on any number of cores."]


def beyond_cores(nums, base, here, over):
    """Karp-Flatt beyond the cores, from the points that are not suspect."""
    cores, t1 = nums.run.cores, base.median
    used = [p for p in over if not p.suspect]
    skip = left_out(over, "P = ", lambda p: p.procs)
    if not used:
        return []
    e0 = pr.karp_flatt(t1 / here.median, cores)
    slower = [p for p in used if t1 / p.median < 1]
    if slower:
        p = slower[0]
        _, text = nums.ratio(base, p)
        return [f"Beyond the {cores} cores, {p.procs} processes take {nums.time(p)}: slower "
                f"than one process (speedup {text}), so Karp-Flatt gives no serial fraction "
                "there; processes beyond the cores add no processor, only switching"
                + (f" ({skip[2:]})" if skip else "") + "."]
    worst = max(used, key=lambda p: pr.karp_flatt(t1 / p.median, p.procs))
    e1 = pr.karp_flatt(t1 / worst.median, worst.procs)
    if e0 is None or e1 is None:
        return []
    verb = "rises" if e1 > e0 else "does not rise"
    return [f"Karp-Flatt e(P) {verb} from {e0:.3f} at P = {cores} to {e1:.3f} at "
            f"P = {worst.procs}{skip}: processes beyond the {cores} cores add no processor, "
            "only switching, so the serial fraction they imply "
            + ("grows." if e1 > e0 else "stays put.")]


def schedules(nums, limit):
    """The three schedules at P = cores: the fastest, and how much slower the slowest is."""
    cores = nums.run.cores
    here = [p for s in SCHEDULES for p in pr.find(nums.run.procs, program="optimized",
                                                  limit=limit, procs=cores, schedule=s)]
    used = [p for p in here if not p.suspect]
    at = limit_text(limit)
    if len(here) < 2:
        return []
    if len(used) < 2:
        return [f"The schedules at P = {cores}, N = {at} could not be compared: "
                + "; ".join(suspect_note(p) for p in here if p.suspect) + "."]
    best = min(used, key=lambda p: p.median)
    worst = max(used, key=lambda p: p.median)
    _, ratio = nums.ratio(worst, best)
    pf = nums.p_faster(worst, best)
    skip = left_out(here, "", lambda p: f"`{p.schedule}`")
    return [f"With P = {cores} at N = {at}{skip}, "
            f"`{best.schedule}` is fastest ({nums.time(best)} over {best.runs} runs) and "
            f"`{worst.schedule}` slowest, {worst.median / best.median - 1:.0%} longer: "
            f"`{best.schedule}`'s speedup over it is {ratio} against "
            f"{nums.base(worst, f'`{worst.schedule}`')}"
            + (f"; P(faster) = {pf:.2f}" if pf is not None else "") + "."]


# -- chunks -------------------------------------------------------------------------------

def chunks(nums):
    out = []
    for s in ("dynamic", "cyclic"):
        mine = pr.find(nums.run.chunk, schedule=s)
        used = [p for p in mine if not p.suspect]
        skip = left_out(mine, "chunk ", lambda p: p.chunk)
        if len(mine) < 2:
            continue
        if len(used) < 2:
            out.append(f"The chunk sizes of `{s}` could not be compared{skip}: fewer than "
                       "two points are left.")
            continue
        best = min(used, key=lambda p: p.median)
        worst = max(used, key=lambda p: p.median)
        _, ratio = nums.ratio(worst, best)
        out.append(f"Best chunk for `{s}`{skip}: {best.chunk}, {nums.time(best)}; the worst, "
                   f"{worst.chunk}, takes {worst.median / best.median - 1:.0%} longer "
                   f"(the best's speedup over it {ratio}, against "
                   f"{nums.base(worst, f'chunk {worst.chunk}')}).")
    return out


# -- problem size -------------------------------------------------------------------------

class Cost:
    """One program's problem-size points read as compute time: the whole-process median less
    the median of its start-up point (N = 10), and the cost exponent fitted to the points
    that are left (none suspect, none within the noise of start-up)."""

    def __init__(self, nums, program):
        run = nums.run
        self.program = program
        self.points = pr.size_points(run, program)
        self.startup = pr.startup_point(run, self.points[0]) if self.points else None
        self.compute = {}   # N: compute time (s), where it is above zero
        self.why = {}       # N: why the point is left out of the fit
        self.slope = None   # stats.Slope, or (k, None, None) without an interval
        self.failed = ""    # why there is no exponent
        self.used = []      # the N of the points fitted
        if not self.points:
            return
        if self.startup is None:
            # A run of before the start-up points: whole-process times, the short ones
            # (start-up most of their time) left out, as the figures did then.
            for p in self.points:
                if p.suspect:
                    self.why[p.limit] = f"suspect: {p.suspect}"
                elif p.median < pr.SLOPE_MIN_TIME_S:
                    self.why[p.limit] = (f"under {pr.SLOPE_MIN_TIME_S * 1e3:.0f} ms: mostly "
                                         "start-up")
            self.fit([(p.limit, p.median) for p in self.points if p.limit not in self.why])
            return
        if self.startup.suspect:
            self.failed = f"its start-up point is suspect ({self.startup.suspect})"
            return
        zero = self.startup.median
        _, s_hi = nums.interval(self.startup)
        s_hi = self.startup.max if s_hi is None else s_hi
        for p in self.points:
            c = p.median - zero
            if c > 0:
                self.compute[p.limit] = c
            lo, _ = nums.interval(p)
            lo = p.min if lo is None else lo
            if p.suspect:
                self.why[p.limit] = f"suspect: {p.suspect}"
            elif c <= 0:
                self.why[p.limit] = "no longer than start-up"
            elif lo <= s_hi:
                self.why[p.limit] = "within the noise of start-up: the intervals overlap"
            elif c < zero:
                self.why[p.limit] = "start-up is more than half its time"
        self.fit([(n, c) for n, c in self.compute.items() if n not in self.why])

    def fit(self, pairs):
        if len(pairs) < 2:
            self.failed = (f"{len(pairs)} point{'s' if len(pairs) != 1 else ''} left, at "
                           "least 2 needed" + (" (3 for an interval)" if stats else ""))
            return
        xs, ys = [n for n, _ in pairs], [t for _, t in pairs]
        self.used = xs
        if stats is not None and len(pairs) >= 3:
            self.slope = stats.loglog_slope(xs, ys)
        else:
            # Two points always lie on a line: no residual, no interval.
            self.slope = (power_fit(pairs)[0], None, None)

    def exponent(self):
        """"1.40 [1.38, 1.42]", or the exponent alone where no interval can be had."""
        if self.slope is None:
            return "-"
        if stats is None or not isinstance(self.slope, stats.Slope):
            why = "2 points" if stats is not None else "no scipy"
            return f"{self.slope[0]:.2f} (no interval: {why})"
        return str(self.slope)


def power_fit(xy):
    """(k, c) of y = c x^k by least squares on the logarithms of the (x, y) pairs, without
    an interval (that, when there is one, comes from stats.loglog_slope)."""
    lx = [math.log(x) for x, _ in xy]
    ly = [math.log(y) for _, y in xy]
    k, b = statistics.linear_regression(lx, ly)
    return k, math.exp(b)


def size(nums, costs):
    """The cost exponents, and primesieve against brute force at the largest N."""
    out = []
    for c in costs.values():
        if not c.points:
            continue
        what = ("compute time" if c.startup is not None else
                "whole-process time (start-up not measured in this run)")
        skip = [f"N = {limit_text(n)} ({why})" for n, why in sorted(c.why.items())]
        skip = f", leaving out {'; '.join(skip)}" if skip else ""
        if c.slope is None:
            out.append(f"The cost exponent of `{c.program}` could not be computed: "
                       f"{c.failed}{skip}.")
            continue
        sub = (f", start-up ({nums.time(c.startup)}, N = {c.startup.limit}) subtracted"
               if c.startup is not None else "")
        out.append(f"`{c.program}`'s {what} grows as N^k with k = {c.exponent()} over "
                   f"N = {limit_text(min(c.used))} to {limit_text(max(c.used))}{sub}{skip}.")
    pts = [p for p in nums.run.size or [] if p.limit > pr.STARTUP_LIMIT]
    if not pts:
        return out
    big = max(p.limit for p in pts)
    non = pr.find(pts, program="nonoptimized", limit=big)
    sieve = pr.find(pts, program="primesieve", limit=big)
    if non and sieve:
        if non[0].suspect or sieve[0].suspect:
            out.append(f"primesieve against brute force at N = {limit_text(big)} could not be "
                       "computed: " + "; ".join(suspect_note(p) for p in (non[0], sieve[0])
                                                 if p.suspect) + ".")
        else:
            _, text = nums.ratio(non[0], sieve[0])
            out.append(f"At N = {limit_text(big)} primesieve ({nums.time(sieve[0])}) is "
                       f"{text} times as fast as one brute-force process, "
                       f"{nums.base(non[0])} (whole-process times).")
    return out


# -- Python, balance --------------------------------------------------------------------

def python(nums):
    by = {p.program: p for p in nums.run.python or []}
    out = []
    for c, py, what in (("nonoptimized", "python_nonoptimized", "brute force"),
                        ("optimized", "python_optimized", "Pool version")):
        if c not in by or py not in by:
            continue
        bad = [p for p in (by[c], by[py]) if p.suspect]
        if bad:
            out.append(f"C `{c}` against the Python {what} could not be computed: "
                       + "; ".join(suspect_note(p) for p in bad) + ".")
            continue
        _, text = nums.ratio(by[py], by[c])
        out.append(f"C `{c}` ({nums.time(by[c])}) is {text} times as fast as the Python "
                   f"{what}, {nums.base(by[py])}.")
    return out


def static_imbalance(divs):
    return (f"`static` is unbalanced by construction: its busiest worker did "
            f"{max(divs) / min(divs):.2f}x the trial divisions of its least busy one (one "
            "--metrics run); the last block holds the largest, dearest numbers.")
