"""The findings of the server's concurrency models, computed from a run's server files
(models.py reads them); scripts/parlab/report_server.py lays them out. The rules of
findings.py hold: a number that was measured several times comes with its 95% interval, one
measured once says so, a ratio or difference names both sides with their own values, and a
finding whose inputs the run lacks is left out, never guessed. Percentiles are never
averaged: a latency is one run's, or the median of runs' with the runs named.

Without scipy the same findings are drawn without intervals."""
import statistics

from . import models as md

try:
    import numpy as np
    import scipy.stats

    from . import stats
except ImportError:
    stats = None


def us(v):
    return "-" if v is None else f"{v:.1f} µs"


def us_bounds(lo, hi):
    return f"[{lo:.1f}, {hi:.1f}]"


def rate(v):
    return "-" if v is None else f"{v:,.0f}"


def pct(v):
    return f"{100 * v:.1f}%"


def median_text(xs, unit=" µs", form="{:.1f}"):
    """"80.5 µs [78.0, 84.0]": the median of xs and its 95% interval (order statistics),
    "[too few runs]" under 6; the median alone without scipy."""
    m = form.format(statistics.median(xs)) + unit
    if stats is None:
        return m
    ci = stats.median_ci(xs)
    if ci.lo is None:
        return f"{m} [too few runs]"
    return f"{m} [{form.format(ci.lo)}, {form.format(ci.hi)}]"


def _median_difference(a, b, axis=-1):
    return np.median(a, axis=axis) - np.median(b, axis=axis)


def difference_ci(a, b, level=0.95, resamples=10000):
    """(median(a) - median(b), lo, hi): the difference of the medians of two samples taken
    in the same blocks (a[i] beside b[i]), with a percentile bootstrap interval that
    resamples blocks, both sides of a block together, as stats.ratio_ci does for a ratio
    (see there why percentile and why seeded). lo, hi None without scipy or under 2 blocks."""
    value = statistics.median(a) - statistics.median(b)
    if stats is None or len(a) < 2 or len(a) != len(b):
        return value, None, None
    res = scipy.stats.bootstrap((np.array(a, float), np.array(b, float)), _median_difference,
                                paired=True, vectorized=True, n_resamples=resamples,
                                confidence_level=level, method="percentile",
                                random_state=np.random.default_rng(stats.SEED))
    return value, float(res.confidence_interval.low), float(res.confidence_interval.high)


# -- CPU per session ----------------------------------------------------------------------

def thread_vs_loop(pairs):
    """A thread per connection against one event loop: the CPU per session of the paired
    repeats (server_cost.csv's server_repeat rows), the difference of the medians with its
    interval resampled by block."""
    a, b = pairs.cpu, pairs.other_cpu
    if len(a) < 2:
        return []
    diff, lo, hi = difference_ci(a, b)
    sides = (f"`thread` {median_text(a)} vs `epoll-1` {median_text(b)} CPU per "
             f"session, median of {len(a)} paired blocks at {md.CLIENTS} clients")
    interval = f" {us_bounds(lo, hi)}" if lo is not None else ""
    if lo is not None and lo <= 0 <= hi:
        return [f"A thread per connection and one event loop cost the same CPU per session "
                f"within the noise here: difference {diff:+.1f} µs{interval} ({sides})."]
    more = "more" if diff > 0 else "less"
    return [f"A thread per connection costs {abs(diff):.1f} µs{interval} {more} CPU per "
            f"session than one event loop here ({sides})."]


def thread_start(run):
    """What starting and ending a thread per connection costs: the thread model's CPU per
    session less the pool's (the same blocking code, its threads started once), at 64
    clients in the client sweep, one run each."""
    cost = md.costs(run, "server_clients", clients=md.CLIENTS)
    t, p = md.cost_of(cost, "thread"), md.cost_of(cost, "pool")
    if t is None or p is None or t.cpu is None or p.cpu is None:
        return []
    started = ""
    if t.threads is not None and p.threads is not None:
        started = (f"; `thread` started {t.threads:.2f} threads per session, `pool` "
                   f"{p.threads:.4f}")
    return [f"Creating and ending a thread costs about {t.cpu - p.cpu:.1f} µs of CPU per "
            f"session here: `thread` {us(t.cpu)} less `pool` {us(p.cpu)} per session at "
            f"{md.CLIENTS} clients (one run each, no interval{started})."]


def floors(run):
    """parlab's thread and single-loop models against the floors of their designs (minimal C
    servers: no logging, no limits), sessions/s at 64 clients, one run each."""
    rows = [r for r in md.model_names(run, "server_clients.csv") if r["clients"] == md.CLIENTS]
    at = {r["label"]: r["sessions_per_s"] for r in rows}
    parts = []
    for model, floor in (("thread", "floor-thread"), ("epoll-1", "floor-epoll")):
        if at.get(model) and at.get(floor):
            parts.append(f"`{model}` {at[model] / at[floor]:.2f}x `{floor}` "
                         f"({rate(at[model])} vs {rate(at[floor])} sessions/s)")
    if not parts:
        return []
    return [f"Against the floor of its design (a minimal C server of the same design: no "
            f"logging, no limits), at {md.CLIENTS} clients parlab's " + "; ".join(parts)
            + " (one run each, no interval)."]


# -- the stack knee -----------------------------------------------------------------------

def stack_steps(points):
    """[(smaller, larger, ratio, lo, hi)] for each two neighbouring stack sizes: the ratio of
    the larger's median sessions/s to the smaller's, with its bootstrap interval resampled
    by block (lo, hi None without scipy or under 2 common blocks)."""
    out = []
    for small, big in zip(points, points[1:]):
        a, b = md.paired(big.sessions, small.sessions)
        if not a or min(a + b) <= 0:
            continue
        if stats is not None and len(a) >= 2:
            r = stats.ratio_ci(a, b, paired=True)
            out.append((small, big, r.value, r.lo, r.hi))
        else:
            out.append((small, big, statistics.median(a) / statistics.median(b), None, None))
    return out


def stack_knee(points):
    """The stack size from which the thread model's throughput drops: of the steps between
    neighbouring sizes whose interval lies wholly below 1 (a drop beyond the noise), the
    largest; said to be none where no step drops so. Without intervals, no knee is named."""
    steps = stack_steps(points)
    if not steps:
        return []
    sizes = f"{points[0].kib} to {points[-1].kib} KiB"
    drops = [s for s in steps if s[3] is not None and s[4] < 1]
    if stats is None:
        return []
    if not drops:
        return [f"The thread model's sessions/s drops beyond the noise between no two "
                f"neighbouring stack sizes ({sizes}, {md.CLIENTS} clients)."]
    small, big, ratio, lo, hi = min(drops, key=lambda s: s[2])
    cached = md.STACK_CACHE_KIB // big.kib
    text = (f"From {big.kib} KiB the stacks outgrow glibc's 40 MiB cache of ended threads' "
            f"stacks (it keeps {cached} of them at {big.kib} KiB, for {md.CLIENTS} clients): "
            f"sessions/s drops {pct(1 - ratio)} [{100 * (1 - hi):.1f}, {100 * (1 - lo):.1f}] from "
            f"{small.kib} KiB ({rate(small.median())}) to {big.kib} KiB "
            f"({rate(big.median())} sessions/s; medians of {len(big.sessions)} blocks)")
    if small.median_cpu() is not None and big.median_cpu() is not None:
        text += (f", and CPU per session rises from {us(small.median_cpu())} to "
                 f"{us(big.median_cpu())}")
    if small.per_conn is not None and big.per_conn is not None:
        text += (f"; memory per held connection {small.per_conn:.1f} KiB at {small.kib} KiB, "
                 f"{big.per_conn:.1f} KiB at {big.kib} KiB (one run each)")
    return [text + "."]


# -- memory -------------------------------------------------------------------------------

def memory(run):
    """Memory per held connection of each model at the hold point (one run each)."""
    mem = md.memory(run)
    parts = [(label, mem[label]) for label in md.MODELS if label in mem]
    if not parts:
        return []
    held = sorted({h for _, (h, _) in parts})
    return ["Memory per held connection (peak resident less the idle server's, over "
            f"{'/'.join(f'{h:,}' for h in held)} held; one run each, no interval): "
            + ", ".join(f"`{label}` {kib:.1f} KiB" for label, (_, kib) in parts) + "."]


def saturation(series):
    """The smallest client count after which adding clients gains less than 5% throughput."""
    series = sorted(series)
    for i in range(len(series) - 1):
        if series[i + 1][1] < series[i][1] * 1.05:
            return series[i][0]
    return None


def peaks(rows, names):
    """Each server's best sessions/s over the client counts and where adding clients stops
    paying (saturation), in one line."""
    out = []
    for label in names:
        series = sorted((r["clients"], r["sessions_per_s"]) for r in rows
                        if r["label"] == label)
        if series:
            best = max(series, key=lambda x: x[1])
            sat = saturation(series)
            out.append(f"`{label}` {rate(best[1])} at {best[0]} "
                       + ("client" if best[0] == 1 else "clients")
                       + (f" (saturated from {sat})" if sat and sat < series[-1][0] else ""))
    if not out:
        return []
    return ["Peak sessions/s over the client counts (one run per point, no interval): "
            + "; ".join(out) + "."]


def all_findings(run, pairs, points):
    return (thread_vs_loop(pairs) + thread_start(run) + floors(run) + stack_knee(points)
            + memory(run))
