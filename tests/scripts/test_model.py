"""The cost model's arithmetic (scripts/parlab/model.py) against values computed here by hand
and by brute force, independently of the model's own sieve: the kernel's division counts,
each schedule's shares, a predicted time term by term from a made-up calibration, the caps
the findings quote, and the miss rule. Run with Debian's interpreter (numpy, scipy)."""
import math
import os
import sys

sys.dont_write_bytecode = True  # the package is loaded from the source tree
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from parlab import model  # noqa: E402

from checks import check, done, record  # noqa: E402 (beside this file)


def near(what, expected, actual, tol=1e-9):
    record(actual is not None and abs(expected - actual) <= tol * max(1e-12, abs(expected)),
           f"{what}: expected {expected!r} (+-{tol:g} relative), got {actual!r}")


def brute(n):
    """primes_trial_divide's count, by its own loop: d from 2 to floor(sqrt(n))."""
    root = math.isqrt(n)
    for d in range(2, root + 1):
        if n % d == 0:
            return d - 1
    return max(root - 1, 0)


def brute_range(lo, hi):
    return sum(brute(n) for n in range(max(lo, 2), hi))


# -- the work, counted --------------------------------------------------------------------
# By hand: 2, 3: none; 4: d = 2 divides (1); 9: 2 then 3 (2); 25: 2, 3, 4, 5 (4);
# 17 is prime, root 4: 2, 3, 4 (3); 49: 2..7 (6).
d = model.divisions(50)
for n, want in ((0, 0), (1, 0), (2, 0), (3, 0), (4, 1), (5, 1), (9, 2), (17, 3), (25, 4),
                (49, 6), (50, 1)):
    check(f"divisions of {n}", want, int(d[n]))
d = model.divisions(20000)
check("divisions of every n <= 20000 as the kernel's loop counts them",
      [brute(n) for n in range(20001)], [int(x) for x in d])
# Roots at the edges of floating point: n = k^2 - 1, k^2, k^2 + 1 near 10^6's root.
d = model.divisions(1_002_002)
for k in (997, 1000, 1001):
    for n in (k * k - 1, k * k, k * k + 1):
        check(f"divisions of {n} (a square's neighbour)", brute(n), int(d[n]))
# The SDE counters of every run at N = 10^6 say 67,740,404 in all (tests/fixtures/scaling).
check("divisions up to 10^6 in all", 67_740_404, int(model.divisions(10**6).sum()))
check("primes up to 10^4", 1229, model.primes_count(10**4))
check("primes up to 10^6", 78498, model.primes_count(10**6))
check("primes up to 1", 0, model.primes_count(1))

# -- the schedules' shares ----------------------------------------------------------------
L = 9999  # end = 10000 numbers, 0..9999
share = model.shares(L, 2, "static", 1000)
check("static, 2 workers: [0, 5000) and [5000, 10000)",
      [brute_range(0, 5000), brute_range(5000, 10000)], [n for n, _, _ in share])
share = model.shares(L, 3, "static", 1000)
check("static, 3 workers: end * i / 3",
      [brute_range(0, 3333), brute_range(3333, 6666), brute_range(6666, 10000)],
      [n for n, _, _ in share])
share = model.shares(L, 3, "cyclic", 1000)
check("cyclic, 3 workers, chunk 1000: chunks i, i + 3, ...",
      [sum(brute_range(c * 1000, c * 1000 + 1000) for c in range(i, 10, 3)) for i in range(3)],
      [n for n, _, _ in share])
check("cyclic: chunks taken", [4, 3, 3], [t for _, t, _ in share])
# Dynamic, equal starts, a division a second, no counter cost: the first two chunks go to
# workers 0 and 1; each next chunk to the worker free first (ties to the lower index).
chunks = [brute_range(c * 1000, c * 1000 + 1000) for c in range(10)]
free, mine = [0, 0], [[], []]
for c, s in enumerate(chunks):
    w = 0 if free[0] <= free[1] else 1
    free[w] += s
    mine[w].append(c)
share = model.shares(L, 2, "dynamic", 1000)
check("dynamic: every chunk to the worker free first",
      [sum(chunks[c] for c in m) for m in mine], [n for n, _, _ in share])
check("dynamic: chunks taken, and one more take each that finds the end",
      [len(m) + 1 for m in mine], [t for _, t, _ in share])
near("dynamic: the last worker ends at the makespan", max(free), max(f for _, _, f in share))
# A late start: worker 1 joins after all the work is done, so worker 0 does it all.
share = model.shares(L, 2, "dynamic", 1000, starts=[0.0, 1e12])
check("dynamic: a worker that starts too late does nothing", [sum(chunks), 0],
      [n for n, _, _ in share])
check("every schedule divides the same total",
      {brute_range(0, 10000)},
      {sum(n for n, _, _ in model.shares(L, p, s, 1000)) for p in (1, 2, 3)
       for s in ("static", "cyclic", "dynamic")})

# -- a prediction, term by term ------------------------------------------------------------
ROWS = [("startup", "bare", "us", 3000.0), ("fork", "exit", "us", 500.0),
        ("thread", "8192", "us", 50.0), ("atomic", "contended", "ns", 20.0),
        ("div32", "kernel", "ns", 2.0), ("write", "primes", "ns", 20.0),
        ("mpi_startup", "1", "us", 200000.0), ("mpi_startup", "2", "us", 250000.0),
        ("thread", "16-detached", "us", 40.0), ("startup", "papi", "us", 1.0)]
rows = [{"primitive": p, "variant": v, "unit": u, "runs": 21, "median": m} for p, v, u, m in ROWS]
rows.append({"primitive": "thread", "variant": "16", "unit": "us", "runs": 0, "median": None})
costs = model.Costs(rows)
near("Costs: us to seconds", 3e-3, costs.get("startup", "bare"))
near("Costs: ns to seconds", 2e-9, costs.get("div32", "kernel"))
check("Costs: a row of runs 0 is absent", None, costs.get("thread", "16"))
try:
    costs.need(("tcp_connect", "session"))
    check("need() of a missing row raises", "ModelError", "returned")
except model.ModelError as e:
    check("need() names the missing row", "calibration.csv has no tcp_connect session", str(e))

N = 10**4
D = brute_range(0, N + 1)
W = 1229 * 20e-9
p = model.primes(costs, "nonoptimized", N)
near("nonoptimized: start-up", 3e-3, p.terms["start-up"])
near("nonoptimized: compute = every division x 2 ns", D * 2e-9, p.terms["compute"])
near("nonoptimized: write = 1229 primes x 20 ns", W, p.terms["write"])
near("nonoptimized: the sum", 3e-3 + D * 2e-9 + W, p.seconds)
check("the terms in order", list(model.TERMS), list(p.terms))

# fork, static, 2 workers: forked at 0.5 and 1.0 ms, each its block.
half = [brute_range(0, 5000), brute_range(5000, 10001)]
p = model.primes(costs, "optimized", N, 2, "static", 1000)
near("fork static: workers' start = 2 forks", 1e-3, p.terms["workers' start"])
end = max(0.5e-3 + half[0] * 2e-9, 1e-3 + half[1] * 2e-9)
near("fork static: the last worker's end", 3e-3 + end + W, p.seconds)
check("fork: what started the workers", "2 x fork exit", p.how["workers' start"])
# threads: 50 us each; OpenMP's team starts one thread fewer.
p = model.primes(costs, "optimized-threads", N, 2, "static", 1000)
near("threads static: workers' start", 100e-6, p.terms["workers' start"])
near("threads static: the sum", 3e-3 + max(50e-6 + half[0] * 2e-9, 100e-6 + half[1] * 2e-9) + W,
     p.seconds)
p = model.primes(costs, "optimized-openmp", N, 2, "static", 1000)
near("openmp static: the caller is the first of the team", 50e-6, p.terms["workers' start"])
near("openmp static: the sum", 3e-3 + max(half[0] * 2e-9, 50e-6 + half[1] * 2e-9) + W, p.seconds)
# MPI: mpirun's start-up of 2 ranks replaces start-up and the workers' start.
p = model.primes(costs, "primes_mpi", N, 2)
near("mpi: start-up is mpi_startup 2", 0.25, p.terms["start-up"])
check("mpi: no workers' start of its own", 0.0, p.terms["workers' start"])
try:
    model.primes(costs, "primes_mpi", N, 3)
    check("mpi with 3 ranks and no mpi_startup 3 raises", "ModelError", "returned")
except model.ModelError as e:
    check("mpi: the missing row named", "calibration.csv has no mpi_startup 3", str(e))
# Four workers on two cores: no earlier than all the work at two workers' pace.
p = model.primes(costs, "optimized-threads", N, 4, "static", 1000, cores=2)
record(p.terms["compute"] + p.terms["workers' start"] >= D * 2e-9 / 2,
       f"4 workers on 2 cores take at least half the serial compute: {p.terms}")

# The full calibration: a cold start-up preferred to the warm one, the scan's per-number
# part, and the file the writer creates whatever its length.
full = rows + [{"primitive": p, "variant": v, "unit": u, "runs": 21, "median": m}
               for p, v, u, m in (("startup", "cold", "us", 4000.0),
                                  ("div32", "scan", "ns", 200.0),
                                  ("write", "file", "us", 150.0))]
costs2 = model.Costs(full)
window = brute_range(0, 100_000)  # div32 scan's numbers: 0 to 99,999, of which 99,998 tested
per_number = 200e-9 - window / 99_998 * 2e-9
near("per-number part: div32 scan less its window's divisions x div32 kernel", per_number,
     costs2.per_number())
check("start-up: cold where measured", (4e-3, "startup cold"), costs2.startup())
own = model.Costs(full + [{"primitive": "startup", "variant": "optimized", "unit": "us",
                           "runs": 21, "median": 5000.0}])
check("start-up: the program's own binary where measured", (5e-3, "startup optimized"),
      own.startup("optimized-openmp"))
check("start-up: another binary's row is not taken", (4e-3, "startup cold"),
      own.startup("nonoptimized"))
near("the program's start-up in its prediction", 5e-3,
     model.primes(own, "optimized-threads", N, 2, "static", 1000).terms["start-up"])
check("start-up: bare in a run without cold", (3e-3, "startup bare"), costs.startup())
# write primes holds its own file (the 78,498 primes up to 10^6): spread over them, off it.
EACH = 20e-9 - 150e-6 / 78498
near("write: the file and each prime less the file's share", 150e-6 + 1229 * EACH,
     costs2.write(N))
p = model.primes(costs2, "nonoptimized", N)
tested_n = N + 1 - 2  # 2..N
near("nonoptimized, full calibration: the sum",
     4e-3 + D * 2e-9 + tested_n * per_number + 150e-6 + 1229 * EACH, p.seconds)
# static with per-number costs: each block's numbers (those >= 2) at per_number.
p = model.primes(costs2, "optimized", N, 2, "static", 1000)
end = max(0.5e-3 + half[0] * 2e-9 + (5000 - 2) * per_number,
          1e-3 + half[1] * 2e-9 + 5001 * per_number)
near("fork static, full calibration: the last worker's end",
     4e-3 + end + 150e-6 + 1229 * EACH, p.seconds)

# -- caps, misses ------------------------------------------------------------------------
near("startup_cap: 100 ms with 10 of start-up on 2 workers", 0.1 / (0.01 + 0.045),
     model.startup_cap(0.1, 0.01, 2))
most, best = model.balance(L, 2, "static", 1000)
near("balance: the busiest worker's share", max(half[0], brute_range(5000, 10000)) /
     brute_range(0, 10000), most, 1e-12)
near("balance: best speedup = 1 / share", 1 / most, best)
near("miss: +10%", 0.1, model.miss(1.1, 1.0))
check("missed beyond 15%", (False, True, True),
      (model.missed(1.14, 1.0), model.missed(1.16, 1.0), model.missed(0.8, 1.0)))
pred = model.Prediction({"start-up": 1.0, "workers' start": 0.1, "compute": 5.0, "write": 0.2},
                        {})
check("the suspect term of a miss is the largest", "compute", pred.suspect())
pred = model.Prediction({"protocol": 9.0, "thread": 1.0, "hand-offs": 0.0}, {},
                        measured=("protocol",))
check("a measured term is not suspected while a primitive adds something", "thread",
      pred.suspect())
pred = model.Prediction({"protocol": 9.0, "thread": 0.0, "hand-offs": 0.0}, {},
                        measured=("protocol",))
check("... and is where no primitive adds anything", "protocol", pred.suspect())
try:
    model.primes(costs, "optimized", N, 2, "guided", 1000)
    check("an unknown schedule raises", "ModelError", "returned")
except model.ModelError as e:
    check("an unknown schedule named", "no model for schedule 'guided'", str(e))

sys.exit(done("scripts_model"))
