"""The figures of the parallel backends sweep (scripts/parlab/plots.py calls draw()): per N,
the speedup of every backend against the single process vs the workers P, each with its 95%
bootstrap interval, and the ideal. A run without primes_backends.csv draws none (the report
then says the run predates the sweep). Backends are separate series, joined only along P;
a suspect point is hollow, as everywhere."""
from . import findings_backends as fb
from . import plots as pl  # series, write_blocks: used at draw time, after plots has loaded
from . import results as pr


def speedup_figure(plotter, limit):
    run = plotter.run
    one = fb.base(run, limit)
    if one is None:
        return
    blocks, present, nbad, pmax = [], [], 0, 2
    # Every backend has its three blocks, present or not, so that the script finds backend
    # i at the same index in every run; the key names only the present ones.
    for program, short, _ in fb.BACKENDS:
        points = sorted(pr.find(run.backends, program=program, limit=limit),
                        key=lambda p: p.procs)
        rows = []
        for p in points:
            lo, hi = plotter.speedup_bar(one, p)
            rows.append((p.procs, one.median / p.median, lo, hi))
        bad = [bool(p.suspect) for p in points]
        blocks += pl.series(rows, bad)
        nbad += sum(bad)
        if points:
            present.append(short)
            pmax = max(pmax, points[-1].procs)
    if not present:
        return
    path, data = plotter.dat(f"speedup_backends_{limit}.dat")
    pl.write_blocks(path, blocks, width=4, comment=(
        f"speedup vs workers, N = {limit}, per backend "
        f"({', '.join(f'{s} ({pg})' for pg, s, _ in fb.BACKENDS)}), against nonoptimized "
        f"({one.median:.6f} s).\ncolumns: P S lo hi (95% bootstrap interval of S)\n"
        + pl.SERIES_NOTE))
    plotter.gnuplot("speedup_backends.gp", f"speedup_backends_{limit}", data=data,
                    limit_text=pl.limit_text(limit), cores=run.cores, pmax=pmax,
                    backends=" ".join(present), nsuspect=nbad, bars=pl.has_bars(blocks))


def draw(plotter):
    for limit in fb.limits(plotter.run):
        speedup_figure(plotter, limit)
