"""The report's "Why: the cost model" section (scripts/parlab/report.py calls section()): the
machine's primitive costs as calibrate measured them, the model's formula, every primes point
and every server model beside its prediction with the relative error and, for a miss, the term
it suspects. The numbers come from findings_model.py and findings_server_model.py."""
from . import findings as fd
from . import findings_model as fm
from . import findings_server_model as fsm

FORMULA = ("T(P) = start-up + workers' start + compute + write\n"
           "  start-up       = startup PROGRAM: the binary's --version, cold (a run of before\n"
           "                   it: startup cold, or bare)       (primes_mpi: mpi_startup P)\n"
           "  workers' start = P x fork exit | P x thread 8192 | (P - 1) x thread 8192 (OpenMP)\n"
           "  compute        = the schedule played out on the kernel's exact division counts:\n"
           "                   divisions x div32 kernel + numbers x (div32 scan's part beyond\n"
           "                   them), + atomic contended a chunk (dynamic); worker i starts\n"
           "                   when the i-th worker start is done; more workers than cores\n"
           "                   share them\n"
           "  write          = write file + primes found x write primes")


def value(row):
    """A calibration row's median and interval in its unit, or why it is not there."""
    if not row["runs"]:
        return "not measured"
    return f"{row['median']:,.3g} [{row['ci_lo']:,.3g}, {row['ci_hi']:,.3g}] {row['unit']}"


def section(rep):
    run = rep.run
    rep.h2("Why: the cost model")
    why = fm.unavailable(run)
    if why:
        rep.p(f"Nothing is predicted for this run: {why}.")
        return
    rep.p("Every time below is also predicted, from the primitive costs `build/bin/calibrate` "
          "measured on this machine just before the sweeps (`calibration.csv`) and from the "
          "work each program does, counted exactly, never from the times being predicted. "
          "Imbalance comes from the divisions each worker's share holds, not from timings. "
          "Error = predicted / measured - 1; beyond 15% the model missed, and the term it "
          "suspects (its largest) is named. The model is meant to hold for P <= cores: with "
          "more workers than cores, it assumes the cores are shared evenly.")
    primitives(rep)
    rep.p("The model of a primes run (every term a calibration row, by primitive and variant):")
    rep.code(FORMULA)
    rows, unpredicted = fm.primes_rows(run)
    for sweep, _, title in fm.SWEEPS:
        mine = [r for r in rows if r.sweep == sweep]
        if mine:
            predicted(rep, title, mine)
    if unpredicted:
        rep.p("Not predicted: " + "; ".join(f"{fd.point_name(p)} ({why})"
                                            for p, why in unpredicted) + ".")
    rep.figure("model_fit", "Predicted against measured time of every primes point (log-log): "
               "on the diagonal the model is exact; dashed, +-15%. Hollow: P > cores or a "
               "suspect measurement.")
    fsm.section(rep)
    rep.findings += fm.all_findings(run, rep.nums, rows)


def primitives(rep):
    rows = [(f"`{r['primitive']}`", f"`{r['variant']}`", value(r), r["note"].split(";")[0])
            for r in rep.run.calibration]
    rep.p("**The machine's primitive costs** (median of each row's samples, 95% interval; "
          "results/README.md says how each was timed):")
    rep.table(["primitive", "variant", "cost", "one operation"], rows)


def predicted(rep, title, rows):
    table = []
    for r in rows:
        t = r.pred.terms
        point = fd.point_name(r.point) + (" (suspect)" if r.suspect else "")
        table.append((point, rep.nums.time(r.point), fm.ms(r.pred.seconds), fm.pct(r.error),
                      fm.ms(t["start-up"]), fm.ms(t["workers' start"]), fm.ms(t["compute"]),
                      fm.ms(t["write"]),
                      r.verdict() + ("" if r.in_goal else " (P > cores)")))
    rep.p(f"**Predicted beside measured: {title}**")
    rep.table(["point", "measured (median [95%])", "predicted", "error", "start-up",
               "workers' start", "compute", "write", "verdict"], table)
    missed = [r for r in rows if r.missed and r.in_goal and not r.suspect]
    if missed:
        rep.p("Missed by more than 15% with P <= cores: " + "; ".join(
            f"{fd.point_name(r.point)} {fm.pct(r.error)}, suspect term {r.pred.suspect()} "
            f"({r.pred.how[r.pred.suspect()]})" for r in missed) + ".")
