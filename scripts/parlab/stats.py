"""The statistics of parlab's analysis: pure functions over lists of floats (run times,
speedups, process counts), no files, no printing.

Benchmark times are not normally distributed: they are skewed to the slow side, and a burst of
load from elsewhere adds a few slow outliers. So a point is summarised by its median, its
interval comes from order statistics or a bootstrap rather than from a standard deviation, and
two samples are compared by ranks (Mann-Whitney U). scipy.stats does the arithmetic wherever it
does the job; where it does not, the comment says why.

Every random step (the bootstraps) draws from a generator seeded with SEED, so the same data
always give the same intervals: a report or a gate verdict must not change between two runs
of the script."""
import math
import statistics
from dataclasses import dataclass
from typing import NamedTuple, Optional

import numpy as np
import scipy.stats

# The default seed of every bootstrap. Any fixed value would do; it is fixed so that an interval
# is a function of the data alone.
SEED = 20240917


# -- input and output -----------------------------------------------------------------------

def _level(level):
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level {level!r} is not between 0 and 1")
    return level


def _sample(xs, what="sample", minimum=1, positive=False):
    """xs as a list of finite floats, at least `minimum` of them; positive ones when they are
    times or speedups, which are divided by and taken logarithms of."""
    out = [float(x) for x in xs]
    if len(out) < minimum:
        raise ValueError(f"{what}: {len(out)} values, at least {minimum} needed")
    for x in out:
        if not math.isfinite(x):
            raise ValueError(f"{what}: {x!r} is not a finite number")
        if positive and x <= 0:
            raise ValueError(f"{what}: {x!r} is not positive")
    return out


def sig3(x):
    """x to three significant digits in fixed notation, trailing zeros kept: 1.9 -> "1.90",
    0.012345 -> "0.0123", 12.34 -> "12.3", 1234 -> "1230". Three digits because the intervals
    of benchmark figures are a few percent wide: a fourth digit would be noise. Never an
    exponent: these numbers go into tables read by people."""
    if x is None:
        return "-"
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    decimals = 2 - math.floor(math.log10(abs(x)))
    rounded = round(x, decimals)
    # Rounding may carry into the next power of ten (9.996 -> 10.0): one decimal fewer then.
    if rounded != 0 and math.floor(math.log10(abs(rounded))) > math.floor(math.log10(abs(x))):
        decimals -= 1
        rounded = round(x, decimals)
    return f"{rounded:.{max(decimals, 0)}f}"


# -- 1. the median and its interval ---------------------------------------------------------

class MedianCI(NamedTuple):
    median: float
    lo: Optional[float]
    hi: Optional[float]


def order_stat_ranks(n, level=0.95):
    """The 1-based ranks (r, s) of the order statistics x_(r) <= median <= x_(s) bounding a
    distribution-free interval for the median of n runs, and its exact coverage, or None when n
    runs cannot reach `level`.

    Why it holds for any distribution: each run falls below the true median with probability
    1/2, so the number of runs below it is Binomial(n, 1/2), and [x_(r), x_(n+1-r)] misses the
    median only when fewer than r runs, or fewer than r runs above, fall on one side:
    coverage = 1 - 2 P(B <= r - 1). The largest r whose coverage still reaches `level` gives the
    narrowest such interval; its true coverage is usually above `level`, as the binomial moves
    in steps (n = 10 at 95%: r = 2, s = 9, coverage 97.85%).

    scipy.stats.quantile_test computes this interval too, but only from scipy 1.12; Debian's is
    older, and the binomial is one line."""
    _level(level)
    best = None
    for r in range(1, n // 2 + 1):
        coverage = 1.0 - 2.0 * float(scipy.stats.binom.cdf(r - 1, n, 0.5))
        if coverage < level:
            break
        best = (r, n + 1 - r, coverage)
    return best


def median_ci(xs, level=0.95):
    """(median, lo, hi): the median of xs and a distribution-free interval at `level` from
    order statistics (order_stat_ranks).

    lo and hi are None when there are too few runs for the level: even the widest interval,
    smallest to largest run, misses the median with probability 2 / 2^n, and that is above
    1 - level for n < 6 at 95% (5 runs: 93.75%) and n < 8 at 99%. Then no interval is honest,
    and a narrower one made up from a spread would claim more than the runs show."""
    xs = sorted(_sample(xs, "median_ci"))
    med = statistics.median(xs)
    ranks = order_stat_ranks(len(xs), level)
    if ranks is None:
        return MedianCI(med, None, None)
    r, s, _ = ranks
    return MedianCI(med, xs[r - 1], xs[s - 1])


# -- 2. a ratio of medians and its bootstrap interval ---------------------------------------

class Ratio(NamedTuple):
    """A speedup or any ratio of medians with its interval (lo, hi None: too few runs).

    str() is "value [lo, hi]", each to three significant digits (sig3): "1.89 [1.85, 1.93]";
    without an interval "1.89 [too few runs]", so a bare number is never taken for an exact
    one."""
    value: float
    lo: Optional[float]
    hi: Optional[float]

    def __str__(self):
        if self.lo is None or self.hi is None:
            return f"{sig3(self.value)} [too few runs]"
        return f"{sig3(self.value)} [{sig3(self.lo)}, {sig3(self.hi)}]"


def _median_ratio(b, o, axis=-1):
    return np.median(b, axis=axis) / np.median(o, axis=axis)


def ratio_ci(base, other, level=0.95, resamples=10000, seed=SEED, paired=False):
    """The speedup of `other` over `base` as median(base) / median(other) (times: above 1 means
    `other` is faster), with a percentile bootstrap interval at `level`.

    Independent runs (paired=False): each side is resampled on its own, as the two samples
    vary on their own. Interleaved runs (paired=True: the i-th of base and the i-th of other ran
    together in one block, as server_repeat.csv's pairs do): block indices are resampled, both
    sides of a block kept together, so that what a block shared (the machine's state, a
    neighbour's load) stays shared in every resample; this needs equal lengths.

    Percentile, not scipy's default BCa: BCa's acceleration comes from a jackknife, and the
    jackknife of a median is known to be unreliable (the median of n - 1 runs takes only two
    values); with 5 to 10 runs BCa's interval moves with it. The percentile interval only
    reads the bootstrap distribution's quantiles, and it is the same on the ratio and on its
    inverse (other's speedup over base), which a speedup should be.

    Deterministic: the generator is seeded with `seed`. lo and hi are None when a side has
    fewer than 2 runs (nothing to resample)."""
    _level(level)
    base = _sample(base, "base", positive=True)
    other = _sample(other, "other", positive=True)
    if paired and len(base) != len(other):
        raise ValueError(f"paired runs need equal counts, not {len(base)} and {len(other)}")
    value = statistics.median(base) / statistics.median(other)
    if min(len(base), len(other)) < 2:
        return Ratio(value, None, None)
    res = scipy.stats.bootstrap(
        (np.array(base), np.array(other)), _median_ratio, paired=paired, vectorized=True,
        n_resamples=resamples, confidence_level=level, method="percentile",
        random_state=np.random.default_rng(seed))
    return Ratio(value, float(res.confidence_interval.low), float(res.confidence_interval.high))


# -- 3. comparing two samples by ranks ------------------------------------------------------

def p_faster(a, b):
    """P(a run of b is faster than a run of a): the share of the len(a) * len(b) pairs (x from
    a, y from b) where y < x, a tie counting half. This is U / (n1 n2), the common-language
    effect size: 0.5 is no difference, 1.0 every run of b beat every run of a. Unlike the
    p-value it does not grow with the number of runs, so it says how large a difference is,
    where mann_whitney only says whether there is one.

    scipy's mannwhitneyu(a, b).statistic is U of the first sample: the pairs where x > y, ties
    half, which is exactly this count."""
    a = _sample(a, "a")
    b = _sample(b, "b")
    u = scipy.stats.mannwhitneyu(a, b, alternative="two-sided").statistic
    return float(u) / (len(a) * len(b))


def mann_whitney(a, b):
    """Two-sided p-value of the Mann-Whitney U test of a against b, scipy's method 'auto':
    exact when a sample has fewer than 8 runs and no ties, the normal approximation with tie
    correction otherwise."""
    a = _sample(a, "a")
    b = _sample(b, "b")
    return float(scipy.stats.mannwhitneyu(a, b, alternative="two-sided", method="auto").pvalue)


def min_runs_for(alpha):
    """The smallest number of runs n per side at which the two-sided exact Mann-Whitney test can
    reach p < alpha at all: the smallest p, complete separation (every run of one side faster
    than every run of the other), is 2 / C(2n, n). Fewer runs can never be significant,
    however large the slowdown.

        n = 4: 2/70   = 0.029      enough for alpha = 0.05
        n = 5: 2/252  = 0.0079     enough for alpha = 0.01 (the gate's; bench runs at least 5)
        n = 6: 2/924  = 0.0022
        n = 7: 2/3432 = 0.00058    enough for alpha = 0.001

    A closed form, not scipy: it is a property of the test's null distribution, not of data.
    (From 8 runs a side mann_whitney's 'auto' uses the normal approximation, whose smallest p
    is close to this one but not equal.)"""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha {alpha!r} is not between 0 and 1")
    n = 1
    while 2.0 / math.comb(2 * n, n) >= alpha:
        n += 1
    return n



def block_ratios(a, b):
    """The per-block ratios b_i / a_i of two interleaved samples (the i-th run of each from
    the same block): what B took against A under the same conditions."""
    a = _sample(a, "a", positive=True)
    b = _sample(b, "b", positive=True)
    if len(a) != len(b):
        raise ValueError(f"paired runs need equal counts, not {len(a)} and {len(b)}")
    return [y / x for x, y in zip(a, b)]


def signed_rank(a, b):
    """Two-sided p-value of the Wilcoxon signed-rank test on the per-block log ratios
    log(b_i / a_i) of two interleaved samples: is B's time a constant factor away from A's?

    Where runs alternate in blocks, a burst of load from elsewhere slows both runs of a block
    alike, and the ratio inside the block cancels it; Mann-Whitney, which ignores the pairing,
    sees the burst as spread on both sides and loses power just when the machine is busy.
    Logs, so that a factor and its inverse weigh the same. scipy's method 'auto': exact
    for up to 50 blocks without zero differences, the normal approximation otherwise;
    blocks whose two runs took exactly the same time say nothing and are dropped ('wilcox').
    p is 1.0 when every block is such a tie."""
    d = [math.log(r) for r in block_ratios(a, b)]
    if not any(d):
        return 1.0
    # 'auto' would warn and fall back to the approximation when a block is tied: say it.
    method = "approx" if 0.0 in d else "auto"
    return float(scipy.stats.wilcoxon(d, zero_method="wilcox", alternative="two-sided",
                                      method=method).pvalue)


def min_blocks_for(alpha):
    """The smallest number of blocks at which the two-sided exact signed-rank test can reach
    p < alpha at all: its smallest p, every block going the same way, is 2 / 2^n.

        n = 6: 0.031   enough for alpha = 0.05
        n = 8: 0.0078  enough for alpha = 0.01 (the gate's)
        n = 11: 0.00098  enough for alpha = 0.001"""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha {alpha!r} is not between 0 and 1")
    n = 1
    while 2.0 / 2 ** n >= alpha:
        n += 1
    return n

# -- 4. Amdahl's law ------------------------------------------------------------------------

@dataclass(frozen=True)
class AmdahlFit:
    """Amdahl's serial fraction f fitted to S(P) = 1 / (f + (1 - f) / P), its interval, and the
    speedup bound 1/f it implies as P grows without limit.

    f_lo, f_hi: the bootstrap interval of f (None without one). bound: 1/f, None when f <= 0
    (speedup at or above linear: no bound) or when one point decides the fit. bound_lo = 1/f_hi;
    bound_hi = 1/f_lo, None when the interval of f reaches 0 (no upper limit can be claimed).
    points: the points with P > 1. decided_by_one_point: fewer than 2 of them, so the "fit" is
    that one point's Karp-Flatt value and the report must not show a bound. note: "" or why
    there is no bound, in words for the report."""
    f: Optional[float]
    f_lo: Optional[float]
    f_hi: Optional[float]
    bound: Optional[float]
    bound_lo: Optional[float]
    bound_hi: Optional[float]
    points: int
    decided_by_one_point: bool
    note: str


def _amdahl_f(p, s, axis=-1):
    """Least-squares f of 1/S = f + (1 - f)/P, i.e. (1/S - 1/P) = f (1 - 1/P): a line through
    the origin in x = 1 - 1/P, y = 1/S - 1/P, so f = sum(x y) / sum(x^2). Works along `axis`
    of arrays, so that a bootstrap refits all its resamples at once."""
    x = 1.0 - 1.0 / p
    y = 1.0 / s - 1.0 / p
    return np.sum(x * y, axis=axis) / np.sum(x * x, axis=axis)


def amdahl_fit(procs, speedups, runs=None, level=0.95, resamples=10000, seed=SEED):
    """Fit Amdahl's serial fraction f to (procs[i], speedups[i]) by least squares, with a
    percentile bootstrap interval at `level` for f and for the bound 1/f.

    The least squares are taken on 1/S, where the model is linear in f (_amdahl_f), and not on
    S with scipy.optimize.curve_fit: the solution is then closed form, with no starting point
    and no iterations that may fail, the bootstrap refits thousands of times in one array
    operation, and 1/S = T_P / T_1 is proportional to the measured time, the quantity whose
    noise the runs show. Exact data give the same f either way.

    Only points with P > 1 say anything about f (at P = 1 the model is S = 1 for any f); pass
    only P up to the number of cores, as more processes than cores add no processors.

    The interval resamples the points (pairs (P, S) kept together) or, when `runs` is given
    (one list per point, aligned with procs: the speedup of each of that point's runs, T_1
    over the run's time, at least 2 per point with P > 1), each point's runs, taking their
    median; speedups[i] should be that median. Resampling 2 or 3 points gives a rough interval;
    the runs give a better one. The serial reference's own spread is not in it: it scales all
    points alike.

    The bound's interval is the f interval inverted: a percentile interval carries over any
    monotone transform, so no second bootstrap is needed."""
    _level(level)
    procs = _sample(procs, "procs", positive=True)
    speedups = _sample(speedups, "speedups", positive=True)
    if len(procs) != len(speedups):
        raise ValueError(f"{len(procs)} process counts but {len(speedups)} speedups")
    if runs is not None and len(runs) != len(procs):
        raise ValueError(f"{len(procs)} process counts but {len(runs)} lists of runs")
    keep = [i for i, p in enumerate(procs) if p > 1]
    if not keep:
        return AmdahlFit(None, None, None, None, None, None, 0, True, "no point with P > 1")
    p = np.array([procs[i] for i in keep])
    s = np.array([speedups[i] for i in keep])
    f = float(_amdahl_f(p, s))
    rng = np.random.default_rng(seed)

    f_lo = f_hi = None
    if runs is not None:
        samples = [np.array(_sample(runs[i], f"runs at P={procs[i]:g}", minimum=2,
                                    positive=True)) for i in keep]

        def from_runs(*point_runs, axis=-1):
            medians = np.stack([np.median(r, axis=axis) for r in point_runs], axis=-1)
            return _amdahl_f(p, medians)

        res = scipy.stats.bootstrap(samples, from_runs, vectorized=True, n_resamples=resamples,
                                    confidence_level=level, method="percentile",
                                    random_state=rng)
        f_lo, f_hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    elif len(keep) >= 2:
        res = scipy.stats.bootstrap((p, s), _amdahl_f, paired=True, vectorized=True,
                                    n_resamples=resamples, confidence_level=level,
                                    method="percentile", random_state=rng)
        f_lo, f_hi = float(res.confidence_interval.low), float(res.confidence_interval.high)

    if len(keep) < 2:
        return AmdahlFit(f, f_lo, f_hi, None, None, None, len(keep), True,
                         "decided by one point: no bound")
    if f <= 0:
        return AmdahlFit(f, f_lo, f_hi, None, None, None, len(keep), False,
                         "speedup at or above linear: no bound")
    bound_lo = 1.0 / f_hi if f_hi is not None and f_hi > 0 else None
    bound_hi = 1.0 / f_lo if f_lo is not None and f_lo > 0 else None
    return AmdahlFit(f, f_lo, f_hi, 1.0 / f, bound_lo, bound_hi, len(keep), False, "")


# -- 5. Karp-Flatt --------------------------------------------------------------------------

class KarpFlatt(NamedTuple):
    """The experimentally determined serial fraction e at one point, and whether the point ran
    slower than the serial program (S < 1, hence e > 1). Then e is no fraction of anything:
    str() says "slower than serial" instead of a number, and a report must do the same.
    e < 0 is a superlinear point (S > P)."""
    e: float
    slower_than_serial: bool

    def __str__(self):
        return "slower than serial" if self.slower_than_serial else sig3(self.e)


def karp_flatt(speedup, procs):
    """e = (1/S - 1/P) / (1 - 1/P), the Karp-Flatt metric: the serial fraction that would
    explain speedup S on P processes by Amdahl's law alone. If e grows with P, overhead (not a
    fixed serial part) is what limits the speedup. None for P <= 1, where it is 0/0."""
    if not (math.isfinite(speedup) and speedup > 0):
        raise ValueError(f"speedup {speedup!r} is not a positive number")
    if procs <= 1:
        return None
    e = (1.0 / speedup - 1.0 / procs) / (1.0 - 1.0 / procs)
    return KarpFlatt(e, speedup < 1.0)


# -- 6. cost growth -------------------------------------------------------------------------

class Slope(NamedTuple):
    """The exponent k of y = c x^k with its interval; str() is "1.40 [1.38, 1.42]"."""
    k: float
    lo: float
    hi: float
    c: float

    def __str__(self):
        return f"{sig3(self.k)} [{sig3(self.lo)}, {sig3(self.hi)}]"


def loglog_slope(xs, ys, level=0.95):
    """The cost exponent k in y = c x^k (time against problem size), by least squares on
    log y = log c + k log x (scipy.stats.linregress), with the interval k +- t * stderr, t the
    Student quantile at `level` with n - 2 degrees of freedom.

    Needs at least 3 points: two always lie on a line, leaving no residual to estimate the
    error from (0 degrees of freedom). Which points to use is the caller's choice: runs so
    short that process start-up dominates bend the line and should be left out."""
    _level(level)
    xs = _sample(xs, "xs", positive=True)
    ys = _sample(ys, "ys", positive=True)
    if len(xs) != len(ys):
        raise ValueError(f"{len(xs)} x values but {len(ys)} y values")
    if len(xs) < 3:
        raise ValueError(f"a slope with an interval needs at least 3 points, not {len(xs)}")
    if len(set(xs)) < 2:
        raise ValueError("all x values are equal: no slope")
    fit = scipy.stats.linregress(np.log(xs), np.log(ys))
    t = float(scipy.stats.t.ppf(0.5 + level / 2.0, len(xs) - 2))
    k = float(fit.slope)
    return Slope(k, k - t * fit.stderr, k + t * fit.stderr, math.exp(fit.intercept))


# -- 7. a point not to trust ----------------------------------------------------------------

def suspect(times, cv_limit_pct=5.0, outside_busy=None, busy_limit=0.1):
    """The reasons to distrust a point's times, in words for a report or a warning; empty when
    there are none:

    - "cv 12.3% > 5%": the coefficient of variation (sample standard deviation over mean, as
      hyperfine and bench/run compute it) above the limit: the runs disagree;
    - "outside load 0.4 cores > 0.1": `outside_busy`, the cores kept busy by other processes
      during the runs on average, above `busy_limit`: the machine was shared;
    - "1 run: spread unknown": nothing says whether the run was typical."""
    times = _sample(times, "times", positive=True)
    reasons = []
    if len(times) < 2:
        reasons.append(f"{len(times)} run: spread unknown")
    else:
        cv = 100.0 * statistics.stdev(times) / statistics.fmean(times)
        if cv > cv_limit_pct:
            reasons.append(f"cv {cv:.1f}% > {cv_limit_pct:g}%")
    if outside_busy is not None and outside_busy > busy_limit:
        reasons.append(f"outside load {outside_busy:.2g} cores > {busy_limit:g}")
    return reasons
