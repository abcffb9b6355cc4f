"""The figures of the server's concurrency models (scripts/parlab/plots.py calls draw()): CPU
per session stacked user over system per server, the thread model against its stack size,
and the open loop's latency against the offered rate. A figure whose files the run lacks is
not drawn (the report then says the part is missing). Servers are categories, bars never
joined; lines join only stack sizes and rates. Percentiles are drawn as each run measured
them, never averaged."""
import statistics

from . import models as md
from . import plots as pl  # write_blocks, ms: used at draw time, after plots has loaded
from . import results as pr


def cpu_figure(plotter):
    """CPU per session at 64 clients, user and system stacked, per server."""
    cost = md.costs(plotter.run, "server_clients", clients=md.CLIENTS)
    order = pr.labels_in_order([c.row for c in cost])
    rows = []
    for label in order:
        c = md.cost_of(cost, label)
        if c is not None and c.cpu is not None:
            # Labels are checked names (no quote, no space): safe as quoted data strings.
            rows.append((len(rows), f'"{label}"', c.user, c.sys))
    if not rows:
        return
    path, data = plotter.dat("server_cpu.dat")
    pl.write_blocks(path, [rows], comment=(
        f"CPU per session at {md.CLIENTS} clients, one row per server (one run each): "
        "position label user_us system_us"))
    plotter.gnuplot("server_cpu.gp", "server_cpu", data=data, clients=md.CLIENTS)


def stack_figure(plotter):
    """The thread model against its stack size."""
    points = md.stack_points(plotter.run)
    if not points:
        return

    def spread(kib, values):
        return (kib, statistics.median(values), min(values), max(values))

    sessions = [spread(p.kib, list(p.sessions.values())) for p in points if p.sessions]
    cpu = [spread(p.kib, list(p.cpu.values())) for p in points if p.cpu]
    memory = [(p.kib, p.per_conn) for p in points if p.per_conn is not None]
    path, data = plotter.dat("server_stack.dat")
    pl.write_blocks(path, [sessions, cpu, memory], width=4, comment=(
        f"the thread model vs its stack size, {md.CLIENTS} clients. Blocks: sessions/s "
        "(stack_kib median min max over the blocks), CPU us per session (the same), KiB "
        "per held connection (stack_kib value)"))
    plotter.gnuplot("server_stack.gp", "server_stack", data=data, clients=md.CLIENTS,
                    knee=md.STACK_CACHE_KIB // md.CLIENTS, hascpu=int(bool(cpu)),
                    hasmem=int(bool(memory)))


def rate_figure(plotter):
    """Open loop: p99 and p50 against the offered rate, one line per server."""
    rows = [r for r in md.table(plotter.run, "server_rate.csv") or []
            if r["rate_per_s"] is not None]
    if not rows:
        return
    names = pr.labels_in_order(rows)
    blocks = [[(r["rate_per_s"], pl.ms(r["latency_p99_us"]), pl.ms(r["latency_p50_us"]))
               for r in sorted((r for r in rows if r["label"] == label),
                               key=lambda r: r["rate_per_s"])] for label in names]
    path, data = plotter.dat("server_rate.dat")
    pl.write_blocks(path, blocks, headers=[("rate_per_s", label, "p50_ms") for label in names],
                  width=3)
    plotter.gnuplot("server_rate.gp", "server_rate", data=data, nservers=len(names))


def draw(plotter):
    cpu_figure(plotter)
    stack_figure(plotter)
    rate_figure(plotter)
