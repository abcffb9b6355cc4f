"""The report's Server section (scripts/parlab/report.py calls section()): throughput and
latency against clients for every server, the paired repeats, and for a run of the
concurrency models their cost per session, memory per connection, the thread model against
its stack size and the open loop. Each part whose files the run lacks is said to be missing,
so a run of before the models renders as it always did. The findings come from
findings_server.py."""
import statistics

from . import findings_server as fs
from . import models as md
from . import results as pr
from .findings import stats


def ms(us):
    """A latency in ms; '-' where loadgen measured none (no session ended with a mean)."""
    return "-" if us is None else f"{us / 1e3:.2f}"


def cell(v, form="{:.1f}"):
    return "-" if v is None else form.format(v)


def spread(xs, shown):
    """"21,000 (20,000 to 22,000)": the median and the range of a few runs."""
    return f"{shown(statistics.median(xs))} ({shown(min(xs))} to {shown(max(xs))})"


def whole(v):
    return f"{v:,.0f}"


def section(rep):
    run = rep.run
    rep.h2("Server")
    rows = run.server
    if not rows:
        rep.absent("server sweep (server_clients)")
        return
    names = pr.labels_in_order(rows)
    table = []
    for label in names:
        mine = sorted((r for r in rows if r["label"] == label), key=lambda r: r["clients"])
        table += [(label, str(r["clients"]), whole(r["sessions_per_s"]),
                   ms(r["latency_p50_us"]), ms(r["latency_p99_us"])) for r in mine]
    rep.findings += fs.peaks(rows, names)
    rep.p("Closed loop, no pause: each client runs connect, number, `ready`, read the mean, "
          "close, and starts again (loadgen). One run per point: no interval; p50 and p99 "
          "are that run's.")
    rep.table(["server", "clients", "sessions/s", "p50 (ms)", "p99 (ms)"], table)
    rep.figure("server", "Sessions per second and latency vs concurrent clients.")
    pairs = md.Pairs(run)
    repeats(rep, pairs)
    cost(rep, run, pairs)
    memory(rep, run)
    stacks(rep, run)
    open_loop(rep, run)


def repeats(rep, pairs):
    """server_repeat.csv: the thread model against one event loop, block by block."""
    if not pairs.ratio:
        return
    n = len(pairs.ratio)
    a, b = pairs.names
    times = lambda v: f"{v:.2f}x"  # noqa: E731
    ci = ""
    if stats is not None and n >= 2 and min(pairs.sessions + pairs.other) > 0:
        # Paired by block: the k-th runs of the two servers shared a block (and the load
        # on the machine at that moment).
        ci = (" Ratio of the medians with its 95% bootstrap interval, resampled by block: "
              f"{stats.ratio_ci(pairs.sessions, pairs.other, paired=True)}.")
    rep.p(f"Paired runs: {n} blocks, each a fresh `{a}` server and a fresh `{b}` server in a "
          f"shuffled order, each under {md.CLIENTS} closed-loop clients. Median (min to max) "
          "over the runs; the regression gate judges the first's throughput and the ratio."
          + ci)
    rep.table([f"{md.CLIENTS} clients", a, b, f"{a} / {b}"],
              [("sessions/s", spread(pairs.sessions, whole), spread(pairs.other, whole),
                spread(pairs.ratio, times))])
    rep.findings.append(
        f"Over {n} paired runs at {md.CLIENTS} clients `{a}` does "
        f"{statistics.median(pairs.ratio):.2f}x the sessions/s of `{b}` "
        f"({min(pairs.ratio):.2f}x to {max(pairs.ratio):.2f}x; `{b}`: "
        f"{spread(pairs.other, whole)} sessions/s).")
    rep.findings += fs.thread_vs_loop(pairs)


def cost(rep, run, pairs):
    """CPU, context switches and threads per session at 64 clients (server_cost.csv)."""
    rep.p("**Cost per session**")
    at = md.costs(run, "server_clients", clients=md.CLIENTS)
    if not at:
        rep.absent("cost per session (server_cost.csv)")
        return
    order = pr.labels_in_order([c.row for c in at])
    rows = []
    for label in order:
        c = md.cost_of(at, label)
        if c is None:
            continue
        rows.append((f"`{label}`", cell(c.user), cell(c.sys), cell(c.cpu),
                     cell(c.ctx_voluntary, "{:.2f}"), cell(c.ctx_involuntary, "{:.2f}"),
                     cell(c.threads, "{:.3f}"), c.row["source"]))
    rep.p(f"Per session at {md.CLIENTS} clients, over the whole run of each server (one run "
          "each, no interval): CPU in µs, user and system, context switches and threads "
          "started. `metrics`: parlab's server counts over all its threads (getrusage); "
          "`proc`: read from /proc/PID/stat, which counts no context switches or threads (-).")
    rep.table(["server", "user µs", "system µs", "CPU µs", "voluntary switches",
               "involuntary switches", "threads started", "source"], rows)
    rep.figure("server_cpu", f"CPU µs per session at {md.CLIENTS} clients, user and system "
               "stacked, per server.")
    if len(pairs.cpu) >= 2:
        rep.p(f"CPU per session over the {len(pairs.cpu)} paired blocks of the repeats: "
              f"`thread` {fs.median_text(pairs.cpu)}, `epoll-1` "
              f"{fs.median_text(pairs.other_cpu)} (median [95%]).")
    rep.findings += fs.thread_start(run) + fs.floors(run)


def memory(rep, run):
    """Peak memory at the hold point, per connection where the idle server's is known."""
    rows = md.hold_rows(run)
    if not rows:
        return
    rep.p("**Memory per held connection**")
    rep.p("Peak resident memory (VmHWM) of each server right after holding its connections, "
          "less the idle server's (`base`), over the connections held; one run each. A run "
          "of before the idle measurement gives no per-connection figure (-).")
    rep.table(["server", "held", "VmHWM KiB", "base KiB", "KiB per connection"],
              [(f"`{r['label']}`", f"{r['held']:,}", f"{r['vm_hwm_kib']:,}",
                cell(md.number(r.get("base_kib")), "{:,.0f}"),
                cell(md.per_connection(r)))
               for r in rows])
    rep.findings += fs.memory(run)


def stacks(rep, run):
    """The thread model against its stack size."""
    points = md.stack_points(run)
    rep.p("**The thread model's stack size**")
    if not points:
        rep.absent("stack-size sweep (server_stack.csv)")
        return
    blocks = max(len(p.sessions) for p in points)
    rep.p(f"`--model thread --stack-size KIB`, {md.CLIENTS} closed-loop clients, {blocks} "
          "blocks of every size (median (min to max) over the blocks: too few for a 95% "
          "interval of the median, 6 at least; the finding's drop has its bootstrap "
          "interval), and memory per held connection at each size. glibc keeps the stacks "
          "of ended threads for reuse up to 40 MiB in all: below that a new thread's stack "
          "comes from the cache, above it each connection maps and unmaps its own.")
    rows = []
    for p in points:
        rows.append((str(p.kib),
                     spread(list(p.sessions.values()), whole) if p.sessions else "-",
                     spread(list(p.cpu.values()), lambda v: f"{v:.1f}") if p.cpu else "-",
                     cell(p.per_conn)))
    rep.table(["stack KiB", "sessions/s", "CPU µs per session", "KiB per connection"], rows)
    rep.figure("server_stack", "The thread model against its stack size: sessions/s, CPU per "
               "session and memory per connection, log x.")
    rep.findings += fs.stack_knee(points)


def open_loop(rep, run):
    rows = md.table(run, "server_rate.csv")
    if not rows:
        return
    names = pr.labels_in_order(rows)
    rep.p("**Open loop**")
    rep.p("Sessions started at a fixed rate whatever the server's pace (loadgen `--rate`): "
          "latency from each session's intended start, so a server that falls behind shows "
          "it. One run per point: p50 and p99 are that run's.")
    table = [(f"`{r['label']}`", cell(r["rate_per_s"], "{:,.0f}"), whole(r["sessions_per_s"]),
              ms(r["latency_p50_us"]), ms(r["latency_p99_us"]))
             for label in names
             for r in sorted((r for r in rows if r["label"] == label),
                             key=lambda r: r["rate_per_s"] or 0)]
    rep.table(["server", "offered sessions/s", "sessions/s", "p50 (ms)", "p99 (ms)"], table)
    rep.figure("server_rate", "Open loop: p99 latency vs offered rate, per server.")
