"""The figures of the parallel backends sweep (scripts/parlab/plots.py calls draw()): per N,
the speedup of every backend against the single process vs the workers P, each with its 95%
bootstrap interval, and the ideal. A run without primes_backends.csv draws none (the report
then says the run predates the sweep). Backends are separate series, joined only along P;
a suspect point is hollow, as everywhere."""
from . import findings_backends as fb
from . import findings_model as fm
from . import plots as pl  # series, write_blocks: used at draw time, after plots has loaded
from . import results as pr


def predicted(run, limit):
    """{(program, P): the cost model's speedup} at `limit`, {} where it cannot predict."""
    if fm.unavailable(run):
        return {}
    costs = fm.model.Costs(run.calibration)
    try:
        one = fm.model.primes(costs, fb.BASE, limit).seconds
    except fm.model.ModelError:
        return {}
    out = {}
    for p in run.backends or []:
        if p.limit != limit or p.program == fb.BASE:
            continue
        try:
            out[(p.program, p.procs)] = one / fm.model.primes(
                costs, p.program, limit, p.procs, p.schedule, p.chunk, run.cores).seconds
        except fm.model.ModelError:
            continue
    return out


def speedup_figure(plotter, limit):
    run = plotter.run
    one = fb.base(run, limit)
    if one is None:
        return
    blocks, present, nbad, pmax = [], [], 0, 2
    model = predicted(run, limit)
    modelled = []
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
        modelled.append([(p.procs, model[(program, p.procs)], None, None) for p in points
                         if (program, p.procs) in model])
        nbad += sum(bad)
        if points:
            present.append(short)
            pmax = max(pmax, points[-1].procs)
    if not present:
        return
    path, data = plotter.dat(f"speedup_backends_{limit}.dat")
    blocks += modelled
    pl.write_blocks(path, blocks, width=4, comment=(
        f"speedup vs workers, N = {limit}, per backend "
        f"({', '.join(f'{s} ({pg})' for pg, s, _ in fb.BACKENDS)}), against nonoptimized "
        f"({one.median:.6f} s).\ncolumns: P S lo hi (95% bootstrap interval of S)\n"
        + pl.SERIES_NOTE + "\nThen one block per backend: the cost model's speedup, P S."))
    plotter.gnuplot("speedup_backends.gp", f"speedup_backends_{limit}", data=data,
                    limit_text=pl.limit_text(limit), cores=run.cores, pmax=pmax,
                    backends=" ".join(present), nsuspect=nbad, bars=pl.has_bars(blocks),
                    model=int(any(modelled)))


def draw(plotter):
    for limit in fb.limits(plotter.run):
        speedup_figure(plotter, limit)
