"""Self-tests of scripts/parlab/stats.py against values computed by hand: binomial tables,
exact synthetic speedups and power laws, counted pairs. Run with the interpreter that has
scipy (Debian's python3-scipy: /usr/bin/python3)."""
import math
import os
import sys

# The package is loaded from the source tree: leave no bytecode there.
sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from parlab import stats  # noqa: E402

from checks import check, done, record  # noqa: E402 (beside this file)



def near(what, expected, actual, tol=1e-9):
    record(actual is not None and abs(expected - actual) <= tol * max(1.0, abs(expected)),
           f"{what}: expected {expected!r} (+-{tol:g}), got {actual!r}")


def raises(what, fn, *args, **kwargs):
    try:
        result = fn(*args, **kwargs)
    except ValueError:
        check(what, "ValueError", "ValueError")
        return
    check(what, "ValueError", f"returned {result!r}")


def ranks(n, level=0.95):
    """order_stat_ranks' (r, s) without the coverage, None as it is."""
    found = stats.order_stat_ranks(n, level)
    return found[:2] if found else found


def within(what, lo, x, hi):
    check(f"{what}: {lo!r} <= {x!r} <= {hi!r}", True,
          lo is not None and hi is not None and lo <= x <= hi)


def test_median_ci():
    # Binomial(10, 1/2): P(B <= 1) = (1 + 10)/1024, P(B <= 2) = 56/1024, so r = 2 covers
    # 1 - 22/1024 = 97.85% and r = 3 only 1 - 112/1024 = 89.1%.
    check("ranks n=10", (2, 9), ranks(10))
    near("coverage n=10", 1 - 22 / 1024, (stats.order_stat_ranks(10) or [0, 0, None])[2])
    # Binomial(20, 1/2): P(B <= 5) = (1+20+190+1140+4845+15504)/2^20 = 21700/1048576.
    check("ranks n=20", (6, 15), ranks(20))
    near("coverage n=20", 1 - 2 * 21700 / 1048576,
         (stats.order_stat_ranks(20) or [0, 0, None])[2])
    # The widest interval misses with 2/2^n: 5 runs cover 93.75% < 95%, 6 runs 96.9%.
    check("ranks n=5", None, ranks(5))
    check("ranks n=6", (1, 6), ranks(6))
    check("ranks n=7 at 99%", None, ranks(7, 0.99))
    check("ranks n=8 at 99%", (1, 8), ranks(8, 0.99))

    xs = [7.0, 3.0, 9.0, 1.0, 5.0, 10.0, 2.0, 8.0, 4.0, 6.0]
    check("median_ci n=10", (5.5, 2.0, 9.0), tuple(stats.median_ci(xs)))
    check("median_ci n=5", (3.0, None, None), tuple(stats.median_ci([5, 4, 3, 2, 1])))
    check("median_ci n=6", (3.5, 1.0, 6.0), tuple(stats.median_ci([6, 5, 4, 3, 2, 1])))
    raises("median_ci of nothing", stats.median_ci, [])
    raises("median_ci of nan", stats.median_ci, [1.0, float("nan")])
    raises("median_ci at level 1", stats.median_ci, xs, 1.0)


def test_sig3():
    for x, text in [(1.8912, "1.89"), (1.9, "1.90"), (0.012345, "0.0123"), (12.34, "12.3"),
                    (1234, "1230"), (9.996, "10.0"), (0.9996, "1.00"), (100, "100")]:
        check(f"sig3({x})", text, stats.sig3(x))


def test_ratio_ci():
    check("Ratio str", "1.89 [1.85, 1.93]", str(stats.Ratio(1.8912, 1.8456, 1.9349)))
    check("Ratio str, trailing zeros", "1.90 [1.00, 12.3]", str(stats.Ratio(1.9, 1.0, 12.34)))
    check("Ratio str without interval", "2.00 [too few runs]", str(stats.Ratio(2, None, None)))

    runs = [1.00, 1.02, 0.98, 1.01, 0.99, 1.03]
    r = stats.ratio_ci(runs, list(runs))
    near("ratio of identical samples", 1.0, r.value)
    within("interval of identical samples", r.lo, 1.0, r.hi)
    check("interval of identical samples has a width", True, r.lo < r.hi)
    check("same data, same interval", r, stats.ratio_ci(runs, list(runs)))

    # other runs twice as fast, block by block: paired, every resample's ratio is exactly 2;
    # resampled independently, the two sides' noise does not cancel.
    half = [t / 2 for t in runs]
    paired = stats.ratio_ci(runs, half, paired=True)
    near("paired ratio", 2.0, paired.value)
    near("paired ratio lo", 2.0, paired.lo)
    near("paired ratio hi", 2.0, paired.hi)
    apart = stats.ratio_ci(runs, half)
    within("independent interval", apart.lo, 2.0, apart.hi)
    check("independent interval wider than paired", True, apart.hi - apart.lo > 0.01)
    raises("paired with unequal counts", stats.ratio_ci, runs, half[:5], paired=True)
    check("one run: no interval", (2.0, None, None), tuple(stats.ratio_ci([2.0], [1.0])))
    raises("zero time", stats.ratio_ci, [1.0, 0.0], [1.0, 1.0])


def test_mann_whitney():
    # Pairs (x from a, y from b) with y < x: (3, 2); ties: (2, 2) twice and (3, 3): U = 2.5.
    near("p_faster with ties", 2.5 / 12, stats.p_faster([1, 2, 2, 3], [2, 3, 4]))
    near("p_faster, b always faster", 1.0, stats.p_faster([5, 6, 7], [1, 2, 3]))
    near("p_faster, b always slower", 0.0, stats.p_faster([1, 2, 3], [5, 6, 7]))
    near("p_faster, all tied", 0.5, stats.p_faster([1, 1], [1, 1, 1]))

    # Complete separation: 2 of the C(10, 5) = 252 equally likely arrangements are as extreme.
    near("p of 5 vs 5 separated", 2 / 252, stats.mann_whitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]))
    near("p of 4 vs 4 separated", 2 / 70, stats.mann_whitney([6, 7, 8, 9], [1, 2, 3, 4]))
    check("p of identical samples", 1.0, stats.mann_whitney([1, 1, 1], [1, 1, 1]))

    check("min runs for 0.05", 4, stats.min_runs_for(0.05))
    check("min runs for 0.01", 5, stats.min_runs_for(0.01))
    check("min runs for 0.001", 7, stats.min_runs_for(0.001))
    for alpha in (0.05, 0.01, 0.001):
        n = stats.min_runs_for(alpha)
        fast, slow = list(range(n)), list(range(100, 100 + n))
        check(f"{n} runs can reach p < {alpha}", True, stats.mann_whitney(fast, slow) < alpha)
        check(f"{n - 1} runs cannot reach p < {alpha}", True,
              stats.mann_whitney(fast[1:], slow[1:]) >= alpha)
    raises("alpha 0", stats.min_runs_for, 0.0)


def test_signed_rank():
    # Log ratios d = 1, -2, 3, 4, 5: W- = 2; of the 2^5 equally likely sign patterns, those
    # with W- <= 2 are {}, {1} and {2}: p = 2 * 3/32, two-sided.
    a = [1.0] * 5
    b = [math.exp(d) for d in (1, -2, 3, 4, 5)]
    near("signed-rank p, hand-counted", 6 / 32, stats.signed_rank(a, b))
    near("every block slower, 8 blocks", 2 / 256, stats.signed_rank([1.0] * 8, [1.3] * 8))
    near("every block faster, 7 blocks", 2 / 128, stats.signed_rank([1.3] * 7, [1.0] * 7))
    check("identical blocks", 1.0, stats.signed_rank([1, 2, 3], [1, 2, 3]))
    check("block ratios", [2.0, 0.5], stats.block_ratios([1, 4], [2, 2]))
    raises("unequal block counts", stats.block_ratios, [1, 2], [1])
    check("min blocks for 0.05", 6, stats.min_blocks_for(0.05))
    check("min blocks for 0.01", 8, stats.min_blocks_for(0.01))
    check("min blocks for 0.001", 11, stats.min_blocks_for(0.001))
    for alpha in (0.05, 0.01, 0.001):
        n = stats.min_blocks_for(alpha)
        check(f"{n} blocks can reach p < {alpha}", True,
              stats.signed_rank([1.0] * n, [2.0] * n) < alpha)
        check(f"{n - 1} blocks cannot reach p < {alpha}", True,
              stats.signed_rank([1.0] * (n - 1), [2.0] * (n - 1)) >= alpha)


def amdahl(f, p):
    return 1.0 / (f + (1.0 - f) / p)


def test_amdahl():
    procs = [1, 2, 3, 4, 8]
    exact = [amdahl(0.1, p) for p in procs]
    fit = stats.amdahl_fit(procs, exact)
    near("f of exact data", 0.1, fit.f)
    near("bound of exact data", 10.0, fit.bound)
    near("f interval of exact data, lo", 0.1, fit.f_lo)
    near("f interval of exact data, hi", 0.1, fit.f_hi)
    check("points with P > 1", 4, fit.points)
    check("not one point", False, fit.decided_by_one_point)
    check("no note", "", fit.note)

    # Each point's runs spread +-2% around the exact speedup (median: the exact one).
    runs = [[s * (1 + d) for d in (-0.02, -0.01, 0.0, 0.01, 0.02)] for s in exact]
    fit = stats.amdahl_fit(procs, exact, runs=runs)
    near("f with runs", 0.1, fit.f)
    within("f interval from runs", fit.f_lo, 0.1, fit.f_hi)
    check("f interval from runs has a width", True, fit.f_lo < fit.f_hi)
    within("bound interval from runs", fit.bound_lo, 10.0, fit.bound_hi)
    near("bound interval is the f interval inverted", 1 / fit.f_hi, fit.bound_lo)

    # Noisy points resampled: the interval holds the fitted f.
    noisy = [s * (1 + d) for s, d in zip(exact, (0.0, 0.02, -0.03, 0.01, -0.02))]
    fit = stats.amdahl_fit(procs, noisy)
    within("f interval from points", fit.f_lo, fit.f, fit.f_hi)

    one = stats.amdahl_fit([1, 2], [1.0, 1.8])
    check("one point decides", True, one.decided_by_one_point)
    check("one point: no bound", None, one.bound)
    near("one point: f is its Karp-Flatt e", 1 / 9, one.f)
    none = stats.amdahl_fit([1], [1.0])
    check("no point with P > 1", (None, True), (none.f, none.decided_by_one_point))

    superlinear = stats.amdahl_fit([2, 4], [2.2, 4.4])
    check("superlinear f below 0", True, superlinear.f < 0)
    check("superlinear: no bound", None, superlinear.bound)
    check("superlinear note", "speedup at or above linear: no bound", superlinear.note)
    raises("runs for too few points", stats.amdahl_fit, procs, exact, runs=runs[:2])


def test_karp_flatt():
    kf = stats.karp_flatt(1.8, 2)
    near("Karp-Flatt of S=1.8, P=2", 1 / 9, kf.e)
    check("S=1.8 not slower than serial", False, kf.slower_than_serial)
    check("Karp-Flatt str", "0.111", str(kf))
    slow = stats.karp_flatt(0.8, 2)
    near("Karp-Flatt of S=0.8, P=2", 1.5, slow.e)
    check("S=0.8 slower than serial", True, slow.slower_than_serial)
    check("slower than serial is no fraction", "slower than serial", str(slow))
    near("linear speedup", 0.0, stats.karp_flatt(4.0, 4).e)
    check("P=1", None, stats.karp_flatt(1.0, 1))
    raises("speedup 0", stats.karp_flatt, 0.0, 2)


def test_slope():
    xs = [1e5, 1e6, 1e7, 1e8]
    s = stats.loglog_slope(xs, [3e-9 * x ** 1.4 for x in xs])
    near("slope of y = x^1.4", 1.4, s.k)
    near("prefactor of y = 3e-9 x^1.4", 3e-9, s.c, 1e-6)

    # Noisy: the interval by hand, t(0.975, 3 df) = 3.18244630528371 from the t table.
    xs = [1e4, 1e5, 1e6, 1e7, 1e8]
    ys = [x ** 1.4 * f for x, f in zip(xs, (1.05, 0.96, 1.03, 0.97, 1.01))]
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / 5, sum(ly) / 5
    sxx = sum((x - mx) ** 2 for x in lx)
    k = sum((x - mx) * (y - my) for x, y in zip(lx, ly)) / sxx
    sse = sum((y - my - k * (x - mx)) ** 2 for x, y in zip(lx, ly))
    half = 3.18244630528371 * math.sqrt(sse / 3 / sxx)
    s = stats.loglog_slope(xs, ys)
    near("noisy slope", k, s.k)
    near("noisy slope lo", k - half, s.lo)
    near("noisy slope hi", k + half, s.hi)
    within("interval holds 1.4", s.lo, 1.4, s.hi)
    check("slope str", f"{stats.sig3(k)} [{stats.sig3(k - half)}, {stats.sig3(k + half)}]",
          str(s))
    raises("two points", stats.loglog_slope, [1, 2], [1, 2])
    raises("equal x", stats.loglog_slope, [2, 2, 2], [1, 2, 3])
    raises("zero y", stats.loglog_slope, [1, 2, 3], [1, 0, 3])


def test_suspect():
    check("steady runs", [], stats.suspect([1.0, 1.01, 0.99, 1.0, 1.0]))
    # mean 1.2, sample variance (4 * 0.04 + 0.64) / 4 = 0.2: cv = sqrt(0.2) / 1.2 = 37.3%.
    check("noisy runs", ["cv 37.3% > 5%"], stats.suspect([1, 1, 1, 1, 2]))
    check("limit taken", [], stats.suspect([1, 1, 1, 1, 2], cv_limit_pct=40))
    check("busy machine", ["outside load 0.4 cores > 0.1"],
          stats.suspect([1.0, 1.0], outside_busy=0.4))
    check("quiet machine", [], stats.suspect([1.0, 1.0], outside_busy=0.05))
    check("both", ["cv 37.3% > 5%", "outside load 2 cores > 0.5"],
          stats.suspect([1, 1, 1, 1, 2], outside_busy=2.0, busy_limit=0.5))
    check("one run", ["1 run: spread unknown"], stats.suspect([1.0]))


def main():
    for test in (test_median_ci, test_sig3, test_ratio_ci, test_mann_whitney, test_signed_rank, test_amdahl,
                 test_karp_flatt, test_slope, test_suspect):
        test()
    return done()


if __name__ == "__main__":
    sys.exit(main())
