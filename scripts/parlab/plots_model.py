"""The cost model's figure (scripts/parlab/plots.py calls draw()): every primes point's
predicted time against its measured median, log-log, one series per sweep, with the diagonal
(an exact model) and the +-15% band beyond which the report calls a miss. Points the model
is not meant to hold for (P > cores) and suspect measurements are hollow. A run the model
cannot predict for (findings_model.unavailable) draws none."""
from . import findings_model as fm
from . import plots as pl  # write_blocks: used at draw time, after plots has loaded


def draw(plotter):
    run = plotter.run
    if fm.unavailable(run):
        return
    rows, _ = fm.primes_rows(run)
    if not rows:
        return
    blocks, present = [], []
    # Two blocks per sweep, present or not, so the script finds sweep i at the same index in
    # every run: the points the goal judges (solid) and the others (hollow).
    for sweep, _, _ in fm.SWEEPS:
        mine = [r for r in rows if r.sweep == sweep]
        judged = [(r.measured, r.pred.seconds) for r in mine if r.in_goal and not r.suspect]
        other = [(r.measured, r.pred.seconds) for r in mine if not (r.in_goal and not r.suspect)]
        blocks += [judged, other]
        if mine:
            present.append(sweep)
    values = [v for r in rows for v in (r.measured, r.pred.seconds)]
    path, data = plotter.dat("model_fit.dat")
    pl.write_blocks(path, blocks, width=2, comment=(
        "predicted vs measured time (s) of every primes point, per sweep "
        f"({', '.join(s for s, _, _ in fm.SWEEPS)}): two blocks each, the points with "
        "P <= cores and a clean measurement, then the others (P > cores or suspect).\n"
        "columns: measured_s predicted_s"))
    plotter.gnuplot("model_fit.gp", "model_fit", data=data, sweeps=" ".join(present),
                    tmin=min(values) / 1.5, tmax=max(values) * 1.5,
                    nhollow=sum(len(b) for b in blocks[1::2]))
