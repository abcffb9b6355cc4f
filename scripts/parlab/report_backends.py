"""The report's Parallel backends section (scripts/parlab/report.py calls section()): every
backend of `optimized` and primes_mpi against the single process, per N a table of time,
speedup and efficiency by backend and P, their start-up (N = 10) and their per-worker
balance from primes_metrics.csv. A run without primes_backends.csv (of before the sweep)
says so. The findings come from findings_backends.py."""
from . import findings_backends as fb
from . import findings_model as fm
from . import results as pr
from .findings import limit_text, num

# primes_metrics.csv's schedule column of the balance rows: optimized's dynamic, and
# primes_mpi's two dynamic variants.
DYNAMIC = ("dynamic", "dynamic-rma", "dynamic-master")


def marked(text, p):
    return f"{text} (suspect)" if p is not None and p.suspect else text


def section(rep):
    run = rep.run
    rep.h2("Parallel backends")
    if run.backends is None:
        if "primes" in run.sweeps:
            rep.p("This run predates the parallel-backends sweep (primes_backends.csv): "
                  "nothing to show. `make bench` measures it.")
        else:
            rep.absent("parallel-backends sweep (primes_backends)")
        return
    programs = fb.present(run)
    rep.p(explain(run, programs))
    for limit in fb.limits(run):
        timed(rep, limit, programs)
    startup(rep, programs)
    balance(rep, programs)
    rep.findings += fb.all_findings(rep.nums)


def explain(run, programs):
    """One paragraph: what each backend is, how they were timed, what the run lacks."""
    text = ("The same kernel and the same schedule code (dynamic, chunk 1000) with four ways "
            "of starting P workers. **fork** (`optimized`, the lab's program): P `fork()`ed "
            "processes marking primes in one `MAP_SHARED` bitmap, reaped by the parent. "
            "**threads** (`optimized --backend threads`): P POSIX threads of one process, "
            "joined. **openmp** (`--backend openmp`): the P threads of one OpenMP parallel "
            "region, each running the hand-rolled schedule for its thread number. **mpi** "
            "(`primes_mpi`): P ranks started by `mpirun`, taking chunks from a counter on "
            "rank 0 by one-sided fetch-and-add, their bitmaps OR-ed together on rank 0")
    transport = fb.mpi_transport(run.meta)
    text += (f", here {transport}" if transport else "") + (
        "; it is timed with its `mpirun`, so its time includes `mpirun`'s start-up, and it "
        "is a functional and scaling row on one machine, not a measure of MPI across "
        "machines. ")
    text += ("Each N is one comparison: every backend at every P and `nonoptimized` ran in "
             "the same shuffled blocks, so each speedup's interval is resampled by block. ")
    lacking = [f"`{pg}`" for pg, _, _ in fb.BACKENDS if pg not in programs]
    if lacking:
        text += (f"Not in this run: {', '.join(lacking)} (a build without OpenMP, or without "
                 "MPI or `mpirun`). ")
    return text.strip()


def model_cell(run, p):
    """The cost model's time for point p and its error, "-" where it cannot predict."""
    if p is None or fm.unavailable(run):
        return "-"
    try:
        pred = fm.model.primes(fm.model.Costs(run.calibration), p.program, p.limit, p.procs,
                               p.schedule, p.chunk, run.cores).seconds
    except fm.model.ModelError:
        return "-"
    return f"{fm.ms(pred)} ({fm.pct(pred / p.median - 1)})"


def timed(rep, limit, programs):
    """Backend x P at one N: time, speedup against the single process, efficiency, and the
    cost model's time beside it."""
    run, nums = rep.run, rep.nums
    one = fb.base(run, limit)
    rows = []
    if one is not None:
        rows.append((marked(fb.label(run, fb.BASE), one), "1", nums.time(one), "1.00", "1.00",
                     model_cell(run, one)))
    bad = []
    for pg in programs:
        for p in sorted(pr.find(run.backends, program=pg, limit=limit), key=lambda p: p.procs):
            speedup, eff = "-", "-"
            if one is not None:
                s, speedup = nums.ratio(one, p)
                eff = num(s / p.procs)
            rows.append((marked(fb.label(run, pg), p), str(p.procs), nums.time(p), speedup, eff,
                         model_cell(run, p)))
            if p.suspect:
                bad.append(p)
    rep.p(f"**N = {limit_text(limit)}**")
    rep.table(["backend", "P", "time (median [95%])", "speedup [95%]", "efficiency",
               "cost model (error)"], rows)
    note = (f"Speedup against {nums.base(one)}, in brackets its 95% bootstrap interval; "
            "efficiency = speedup / P; the cost model's time (Why: the cost model) with its "
            "error against the median." if one is not None else
            "No speedup: the comparison lacks the single process.")
    if one is not None and one.suspect:
        note += f" The base case is suspect ({one.suspect}): no finding quotes a speedup."
    if bad:
        note += (" Marked suspect (left out of the findings): "
                 + "; ".join(f"{fb.SHORT[p.program]} P = {p.procs}: {p.suspect}" for p in bad)
                 + ".")
    rep.p(note)
    rep.figure(f"speedup_backends_{limit}", f"Speedup vs workers per backend at N = "
               f"{limit_text(limit)}, with 95% intervals; ideal dashed.")


def startup(rep, programs):
    """The N = 10 comparison: start-up alone, each against the single process's."""
    run, nums = rep.run, rep.nums
    small = fb.startup_limit(run)
    rep.p("**Start-up**")
    if small is None:
        rep.p("Start-up: not measured in this run (no N = 10 comparison).")
        return
    one = fb.base(run, small)
    rows = []
    if one is not None:
        rows.append((marked(fb.label(run, fb.BASE), one), "1", nums.time(one), "1.00", "-"))
    for pg in programs:
        for p in sorted(pr.find(run.backends, program=pg, limit=small), key=lambda p: p.procs):
            ratio, diff = "-", "-"
            if one is not None:
                _, ratio = nums.ratio(p, one)
                diff = fb.ms_diff(p, one)
            rows.append((marked(fb.label(run, pg), p), str(p.procs), nums.time(p), ratio, diff))
    rep.p(f"At N = {small} there is nothing to compute: each time is loading the program, "
          "starting and ending its workers and writing the file. Ratio = the backend's "
          "median over the single process's, with its 95% bootstrap interval (resampled by "
          "block); difference = the two medians' difference.")
    rep.table(["backend", "P", "time (median [95%])", "ratio to one process [95%]",
               "difference"], rows)


def worker_runs(rows, program, procs):
    """The --metrics runs of `program` with `procs` workers, dynamic, chunk 1000, by N:
    {limit: (worker rows, the `all` row)} of the last run at each N. A run is its worker
    rows followed by its `all` row, as the programs append them."""
    runs, pending = {}, {}
    for r in rows:
        if r["program"] != program or r["procs"] != procs or r["chunk"] != 1000 \
                or r["schedule"] not in DYNAMIC:
            continue
        if r["worker"] == "all":
            mine = pending.pop(r["limit"], [])
            if len(mine) == procs:
                runs[r["limit"]] = (mine, r)
        else:
            pending.setdefault(r["limit"], []).append(r)
    return runs


def ratio_text(values):
    """max / min to two decimals; a worker with none of it makes no ratio."""
    if min(values) <= 0:
        return "- (a worker had none)"
    return f"{max(values) / min(values):.2f}"


def balance(rep, programs):
    """Per-worker balance of each backend at P = cores, from primes_metrics.csv."""
    run, cores = rep.run, rep.run.cores
    rep.p("**Per-worker balance**")
    if not run.metrics:
        rep.absent("per-worker counter sweep (primes_metrics)")
        return
    found = {pg: worker_runs(run.metrics, pg, cores) for pg in programs}
    # The N the sweep ran the other backends' --metrics at; fork's is the process sweep's.
    ns = sorted({n for pg, by in found.items() if pg != "optimized" for n in by})
    limit = ns[-1] if ns else max((n for by in found.values() for n in by), default=None)
    rows = []
    for pg in programs:
        if limit not in found[pg]:
            continue
        workers, whole = found[pg][limit]
        divs = [r["trial_divisions"] for r in workers]
        busy = [r["wall_ns"] for r in workers]
        rows.append((fb.label(run, pg), ratio_text(divs), ratio_text(busy),
                     f"{max(busy) / 1e6:.2f}", f"{whole['wall_ns'] / 1e6:.1f}"))
    if not rows:
        rep.p(f"No backend has a `--metrics` run with P = {cores} in this run.")
        return
    rep.p(f"One `--metrics` run per backend, P = {cores}, N = {limit_text(limit)}, dynamic, "
          "chunk 1000 (`primes_mpi`: its RMA counter). Imbalance = busiest worker / least "
          "busy worker (1.00 is perfect); busy time is each worker's own compute time, no "
          "start-up; the whole run is `main` to the file written (`mpirun`'s own start-up "
          "not included). One run each: no interval.")
    rep.table(["backend", "trial-division imbalance", "busy-time imbalance",
               "busiest worker (ms)", "whole run (ms)"], rows)
