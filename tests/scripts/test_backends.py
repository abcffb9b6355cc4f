"""The report's Parallel backends section, its findings and its figure, on runs made here from
tests/fixtures/scaling (a 2-core run at N = 10^6) with a backends sweep added: the times,
speedups, start-up ratios and per-worker balance of the report against values computed in
this test from the CSVs; suspect points left out and said; a run of before the sweep, one
without OpenMP and MPI, and one without scipy still reported; the process sweep's balance
kept to the fork()ed processes' rows; markdown tables and HTML well formed.

usage: /usr/bin/python3 tests/scripts/test_backends.py [RUN...]
  RUN   real runs with primes_backends.csv (bench/run --tiny --only primes) checked as well:
        the section's times and speedups against their CSVs, and the page well formed"""
import csv
import html.parser
import importlib.util
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # the scripts are loaded from the source tree
from checks import check, done, record, report_of, write_meta  # noqa: E402
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, FIXTURES)
from parlab import plots, report  # noqa: E402

CORES = 2
BIG = 1_000_000
MPI = "mpirun (Open MPI) 4.1.4"
TRANSPORT = "tcp over loopback (bench/mpirun-tcp: pml ob1, btl tcp,self)"
LABELS = {"nonoptimized": "`nonoptimized` (one process)", "optimized": "fork (`optimized`)",
          "optimized-threads": "threads (`optimized-threads`)",
          "optimized-openmp": "openmp (`optimized-openmp`)",
          "primes_mpi": "`primes_mpi` (Open MPI over TCP loopback)"}
# Medians (s) of the made-up comparisons, by N, program and P.
TIMES = {10: {("nonoptimized", 1): 0.0113, ("optimized", 1): 0.0140, ("optimized", 2): 0.0158,
              ("optimized-threads", 1): 0.0125, ("optimized-threads", 2): 0.0131,
              ("optimized-openmp", 1): 0.0150, ("optimized-openmp", 2): 0.0184,
              ("primes_mpi", 1): 0.520, ("primes_mpi", 2): 0.560},
         BIG: {("nonoptimized", 1): 0.1428, ("optimized", 1): 0.1440, ("optimized", 2): 0.0868,
               ("optimized-threads", 1): 0.1430, ("optimized-threads", 2): 0.0822,
               ("optimized-openmp", 1): 0.1435, ("optimized-openmp", 2): 0.0874,
               ("primes_mpi", 1): 0.660, ("primes_mpi", 2): 0.600}}
# Trial divisions and busy ns of the two workers of each backend's --metrics run at 10^6.
BALANCE = {"optimized-threads": ((34500000, 33240404), (69000000, 66000000)),
           "optimized-openmp": ((34200000, 33540404), (68000000, 67500000)),
           "primes_mpi": ((36000000, 31740404), (90000000, 80000000))}


def load_generator():
    """tests/fixtures/make-scaling.py, for its Sweep: runs written as bench/measure writes
    them, summaries computed from the last attempt's runs."""
    spec = importlib.util.spec_from_file_location(
        "make_scaling", os.path.join(FIXTURES, "make-scaling.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def key(program, limit, procs):
    if program == "nonoptimized":
        return (program, limit, 1, "serial", limit + 1)
    return (program, limit, procs, "dynamic", 1000)


def make_run(folder, suspect=(), drop=(), meta=None):
    """tests/fixtures/scaling with a backends sweep: a comparison at N = 10 and one at 10^6,
    and a --metrics run per backend but fork at 10^6, appended after fork's. `suspect`:
    (N, program, P) disturbed (outside load); `drop`: programs the build lacked."""
    gen = load_generator()
    rng = random.Random(20261202)
    shutil.copytree(os.path.join(FIXTURES, "scaling"), folder)
    sweep = gen.Sweep("primes_backends")
    for number, limit in ((100, 10), (101, BIG)):
        variants = []
        for (program, procs), t in TIMES[limit].items():
            if program in drop:
                continue
            bad = (limit, program, procs) in suspect
            variants.append((key(program, limit, procs), t, 0.01, 0.5 if bad else 0.0, bad))
        sweep.comparison(number, variants, 10, rng)
    sweep.write(folder)
    with open(os.path.join(folder, "primes_metrics.csv"), "a") as f:
        for program, (divs, busy) in BALANCE.items():
            if program in drop:
                continue
            schedule = "dynamic-rma" if program == "primes_mpi" else "dynamic"
            for w in range(CORES):
                f.write(f"{program},{BIG},{CORES},1000,{schedule},{w},{busy[w]},{busy[w]},"
                        f"499999,{divs[w]},39249,,,,\n")
            f.write(f"{program},{BIG},{CORES},1000,{schedule},all,{max(busy) + 9000000},"
                    f"{sum(busy)},999999,{sum(divs)},78498,,,,\n")
    path = os.path.join(folder, "meta.json")
    with open(path) as f:
        m = json.load(f)
    m["primes_backends"] = " ".join(b for b, pg in (("fork", "optimized"),
                                                    ("threads", "optimized-threads"),
                                                    ("openmp", "optimized-openmp"))
                                    if pg not in drop)
    if "primes_mpi" not in drop:
        m.update(mpi=MPI, mpi_transport=TRANSPORT)
    m.update(meta or {})
    return write_meta(folder, m)


def drawn(run, out):
    """plots then report of `run` into `out`: (report.md, report.html)."""
    return report_of(plots, report, run, out, quiet=True)


def section(md, name="Parallel backends"):
    return md.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]


def findings(md):
    return section(md, "Findings")


def has(what, text, pattern):
    m = re.search(pattern, text)
    record(m is not None, f"{what}: /{pattern}/ not found in:\n{text}")
    return m


def sig3(x):
    """Three significant digits, trailing zeros kept, as a ratio is shown (0.9996: 1.00)."""
    v = float(f"{x:.3g}")
    return f"{v:.{max(0, 2 - math.floor(math.log10(abs(v))))}f}"


def ms(t):
    """A time as the report shows it: s to three decimals from 1 s, else ms to one decimal
    from 10 ms, two below."""
    if t >= 1:
        return f"{t:.3f} s"
    return f"{t * 1e3:.1f} ms" if t >= 0.01 else f"{t * 1e3:.2f} ms"


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def medians(run):
    """{(program, N, P): (median_s, suspect)} of the run's primes_backends.csv."""
    return {(r["program"], int(r["limit"]), int(r["procs"])):
            (float(r["median_s"]), r.get("suspect", ""))
            for r in read_csv(os.path.join(run, "primes_backends.csv"))}


def row_cells(text, label, procs):
    """The cells of the table row of `label` with P = procs (label marked or not)."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 2 and cells[0].replace(" (suspect)", "") == label and \
                cells[1] == str(procs):
            return cells
    record(False, f"no row {label} P = {procs} in:\n{text}")
    return None


def interval(cell):
    """(value, lo, hi) of "1.74 [1.70, 1.78]"; lo, hi None without brackets of numbers."""
    m = re.fullmatch(r"([0-9.]+)(?: \[([0-9.]+), ([0-9.]+)\])?", cell)
    if m is None:
        return None, None, None
    return tuple(float(g) if g else None for g in m.groups())


def check_tables(what, run, md):
    """Per N, every row's time and speedup as computed here from the CSVs; the speedup's
    interval holds it; start-up ratios and differences likewise."""
    sec = section(md)
    times = medians(run)
    by_n = {}
    for (program, n, procs), (t, _) in times.items():
        by_n.setdefault(n, {})[(program, procs)] = t
    for n, pts in by_n.items():
        one = pts[("nonoptimized", 1)]
        if n <= 10:
            part = sec.split("**Start-up**", 1)[1].split("**Per-worker", 1)[0]
        else:
            head = f"**N = {'10^%d' % round(math.log10(n))}**"
            part = sec.split(head, 1)[1].split("\n**", 1)[0] if head in sec else ""
        for (program, procs), t in pts.items():
            cells = row_cells(part, LABELS[program], procs)
            if cells is None:
                continue
            check(f"{what}: N = {n} {program} P = {procs}: time", ms(t),
                  cells[2].split(" [")[0])
            if program == "nonoptimized":
                continue
            expect = t / one if n <= 10 else one / t
            value, lo, hi = interval(cells[3])
            check(f"{what}: N = {n} {program} P = {procs}: ratio", sig3(expect),
                  cells[3].split(" [")[0])
            if lo is not None:
                record(lo <= expect <= hi, f"{what}: N = {n} {program} P = {procs}: "
                       f"{expect} outside its interval {cells[3]}")
            if n <= 10:
                check(f"{what}: start-up {program} P = {procs}: difference",
                      f"{(t - one) * 1e3:+.1f} ms", cells[4])
            else:
                check(f"{what}: N = {n} {program} P = {procs}: efficiency",
                      f"{one / t / procs:.2f}", cells[4])


class Page(html.parser.HTMLParser):
    """Every element closed in order, none left open (void elements aside)."""
    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def well_formed(what, md, page):
    parser = Page()
    parser.feed(page)
    check(f"{what}: html elements balanced", ([], []), (parser.errors, parser.stack))
    check(f"{what}: html has the section", 1, page.count('<h2 id="parallel-backends">'))
    # Every markdown table row has as many cells as its header.
    width, bad = None, []
    for line in md.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = line.count("|") - 1
        if width is None:
            width = cells
        elif cells != width:
            bad.append(line)
    check(f"{what}: markdown rows as wide as their header", [], bad)


def check_main(tmp):
    run = make_run(os.path.join(tmp, "backends"), suspect={(10, "optimized-openmp", 2)})
    md, page = drawn(run, os.path.join(tmp, "out"))
    well_formed("backends", md, page)
    check_tables("backends", run, md)
    sec, fnd = section(md), findings(md)
    check("section after Naive vs parallel", True,
          md.index("## Naive vs parallel") < md.index("## Parallel backends")
          < md.index("## Schedules and load balance"))
    for what in ("**fork**", "**threads**", "**openmp**", "**mpi**",
                 "here Open MPI over TCP loopback", "functional and scaling row on one machine"):
        has(f"the explanation says {what}", sec, re.escape(what))
    has("the figure embedded", page, 'src="figures/speedup_backends_1000000.svg"')
    has("the suspect start-up point marked", sec,
        r"\| openmp \(`optimized-openmp`\) \(suspect\) \| 2 \|")
    t = {k: v for k, (v, _) in medians(run).items()}

    # Start-up: each at P = 2 against the single process, the suspect OpenMP left out.
    one = t[("nonoptimized", 10, 1)]
    line = has("start-up finding", fnd, r"Start-up \(N = 10, P = 2, leaving out the suspect "
               r"`optimized-openmp`\) against the single process's, `nonoptimized`, "
               + re.escape(ms(one)) + r" \[[0-9.]+, [0-9.]+\] over 10 runs: (.*)\.")
    if line:
        for program, short in (("optimized", "fork"), ("optimized-threads", "threads"),
                               ("primes_mpi", "mpi")):
            p = t[(program, 10, 2)]
            m = has(f"start-up of {short}", line.group(1),
                    rf"{short} {re.escape(sig3(p / one))} \[([0-9.]+), ([0-9.]+)\] times "
                    + re.escape(f"({(p - one) * 1e3:+.1f} ms)"))
            if m:
                record(float(m.group(1)) <= p / one <= float(m.group(2)),
                       f"start-up {short}: interval {m.groups()} misses {p / one}")
        check("no start-up ratio of the suspect point", None,
              re.search(r"openmp [0-9]", line.group(1)))

    fork, thr = t[("optimized", BIG, 2)], t[("optimized-threads", BIG, 2)]
    has("threads vs fork", fnd, rf"At P = 2, N = 10\^6, threads \(`optimized-threads`, "
        rf"{re.escape(ms(thr))} \[[0-9., ]+\]\) are {re.escape(sig3(fork / thr))} "
        r"\[[0-9.]+, [0-9.]+\] times as fast as fork\(\)ed processes, against `optimized` "
        rf"\(fork\), {re.escape(ms(fork))} \[[0-9., ]+\] over 10 runs; P\(faster\) = 1\.00\.")
    omp = t[("optimized-openmp", BIG, 2)]
    has("OpenMP within Y% of threads", fnd,
        rf"OpenMP \(`optimized-openmp`, {re.escape(ms(omp))} [^)]*\) takes "
        rf"{round(abs(omp / thr - 1) * 100)}% longer than threads: its speed "
        rf"{re.escape(sig3(thr / omp))} \[")
    mpi, base = t[("primes_mpi", BIG, 2)], t[("nonoptimized", BIG, 1)]
    has("MPI with mpirun's start-up", fnd,
        r"MPI `primes_mpi` \(Open MPI over TCP loopback\), 2 ranks, takes "
        rf"{re.escape(ms(mpi))} [^:]*: speedup {re.escape(sig3(base / mpi))} \[[^]]*\] "
        rf"against `nonoptimized`, {re.escape(ms(base))} .*includes mpirun's start-up of "
        rf"{re.escape(ms(t[('primes_mpi', 10, 2)]))}")
    check("no finding quotes the suspect start-up time", None,
          re.search(re.escape(ms(t[("optimized-openmp", 10, 2)])), fnd))

    # The balance table: each backend's own rows; fork's from the process sweep.
    part = sec.split("**Per-worker balance**", 1)[1]
    fork_divs, fork_busy = (33900000, 33840404), (67800000, 67680808)
    for program, (divs, busy) in dict(BALANCE, optimized=(fork_divs, fork_busy)).items():
        has(f"balance of {program}", part,
            re.escape(f"| {LABELS[program]} | {max(divs) / min(divs):.2f} | "
                      f"{max(busy) / min(busy):.2f} | {max(busy) / 1e6:.2f} |"))
    # The process sweep's dynamic row is fork's, though the other backends' rows came after.
    sched = section(md, "Schedules and load balance")
    has("the schedules' balance is fork's", sched,
        re.escape(f"| dynamic | {max(fork_divs) / min(fork_divs):.2f} | "
                  f"{max(fork_busy) / min(fork_busy):.2f} | "))
    rows = figure_blocks(os.path.join(tmp, "out", "figures", "data", "load_balance.dat"))
    check("load_balance.dat: fork's dynamic workers", [[0, 67.8], [1, 67.680808]],
          [[r[0], r[1]] for r in rows[0]])

    # The figure: per backend, S = T1 / TP at each P, with the interval around it.
    blocks = figure_blocks(os.path.join(tmp, "out", "figures", "data",
                                        "speedup_backends_1000000.dat"))
    # Three blocks per backend, then the cost model's block per backend (empty here: the
    # fixture has no calibration.csv, so the model predicts nothing).
    check("figure: three blocks per backend, then one of the model's each", 16, len(blocks))
    check("figure: no prediction without a calibration", [[] for _ in range(4)],
          [[r for r in b if not all(math.isnan(v) for v in r)] for b in blocks[12:]])
    for i, program in enumerate(("optimized", "optimized-threads", "optimized-openmp",
                                 "primes_mpi")):
        got = blocks[3 * i]
        check(f"figure: {program}'s P", [1, 2], [r[0] for r in got])
        for r in got:
            check(f"figure: {program} P = {r[0]:.0f}: S", round(base / t[(program, BIG, int(r[0]))],
                                                                 6), round(r[1], 6))
            record(r[2] <= r[1] <= r[3], f"figure: {program}: {r} outside its interval")
        check(f"figure: {program}: no suspect point at 10^6", [], blocks[3 * i + 2])
    with open(os.path.join(tmp, "out", "figures", "figures.json")) as f:
        check("figures.json names the figure", True,
              "speedup_backends_1000000" in json.load(f)["figures"])
    check("no figure at N = 10", False, os.path.exists(
        os.path.join(tmp, "out", "figures", "speedup_backends_10.svg")))
    return run


def figure_blocks(path):
    with open(path) as f:
        text = "\n".join(x for x in f.read().splitlines() if not x.startswith("#"))
    out = []
    for chunk in re.split(r"\n\s*\n\s*\n", text.strip("\n")):
        rows = [[float(c) for c in line.split()] for line in chunk.splitlines() if line]
        out.append([r for r in rows if not all(math.isnan(c) for c in r)])
    return out


def check_variants(tmp):
    # Built without OpenMP, no MPI: said, no rows, no key; odd characters of meta.json kept
    # out of the tables.
    lean = make_run(os.path.join(tmp, "lean"), drop={"optimized-openmp", "primes_mpi"})
    md, page = drawn(lean, os.path.join(tmp, "lean-out"))
    well_formed("lean", md, page)
    check_tables("lean", lean, md)
    sec = section(md)
    has("the missing backends said", sec, r"Not in this run: `optimized-openmp`, `primes_mpi`")
    check("no openmp row", None, re.search(r"\| openmp", sec))
    check("no OpenMP finding", None, re.search("OpenMP", findings(md)))
    odd = make_run(os.path.join(tmp, "odd"), meta={"mpi": "mpirun (Open|MPI) <b>4</b>",
                                                   "mpi_transport": "tcp over `x` | y"})
    md, page = drawn(odd, os.path.join(tmp, "odd-out"))
    well_formed("odd meta", md, page)
    check("no markup of meta.json in the page", None, re.search("<b>", page))
    has("the MPI label kept to plain text", section(md),
        r"\| `primes_mpi` \(OpenMPI over TCP x  y\)")

    # Every point at 10^6 of threads suspect: the comparisons that need it say so.
    sus = make_run(os.path.join(tmp, "sus"), suspect={(BIG, "optimized-threads", 2)})
    md, _ = drawn(sus, os.path.join(tmp, "sus-out"))
    fnd = findings(md)
    has("threads vs fork not compared", fnd,
        r"Threads and fork\(\)ed processes at P = 2, N = 10\^6 could not be compared: "
        r"`optimized-threads`, P = 2, dynamic, chunk 1000, N = 10\^6 is suspect \(outside load")
    has("OpenMP vs threads not compared", fnd, r"OpenMP and threads at P = 2, N = 10\^6 could "
        "not be compared")
    has("the suspect point in Noise", section(md, "Noise"),
        r"\| primes_backends \| `optimized-threads`, P = 2, dynamic, chunk 1000, N = 10\^6 \|")
    t = medians(sus)
    check("no finding quotes the suspect time", None,
          re.search(re.escape(ms(t[("optimized-threads", BIG, 2)][0])), fnd))

    # Runs of before the sweep: said, and the rest as it was.
    for name in ("scaling", "run"):
        md, page = drawn(os.path.join(FIXTURES, name), os.path.join(tmp, f"{name}-out"))
        well_formed(name, md, page)
        check(f"{name}: predates the sweep", "This run predates the parallel-backends sweep "
              "(primes_backends.csv): nothing to show. `make bench` measures it.",
              section(md).strip())
    # Without scipy: the section and its findings, without intervals, in a fresh interpreter.
    code = ("import sys; sys.dont_write_bytecode = True; "
            "sys.modules['scipy'] = sys.modules['numpy'] = None; "
            f"sys.path.insert(0, {os.path.join(ROOT, 'scripts')!r}); "
            "from parlab import report; "
            f"sys.exit(report.main(['report', {sus!r}, '--out', {os.path.join(tmp, 'plain')!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    check(f"report without scipy exit ({proc.stderr.strip()[-300:]})", 0, proc.returncode)
    with open(os.path.join(tmp, "plain", "report.md")) as f:
        md = f.read()
    t = {k: v for k, (v, _) in t.items()}
    fork, base = t[("optimized", BIG, 2)], t[("nonoptimized", BIG, 1)]
    has("no scipy: the speedup without interval", section(md),
        re.escape(f"| {LABELS['optimized']} | 2 | {ms(fork)} | {base / fork:.3g} | "))
    has("no scipy: the start-up finding", findings(md), r"Start-up \(N = 10, P = 2\)")


def main(argv):
    tmp = tempfile.mkdtemp(prefix="parlab-backends-")
    try:
        check_main(tmp)
        check_variants(tmp)
        for i, run in enumerate(argv[1:]):
            copy = os.path.join(tmp, f"given{i}")
            shutil.copytree(run, copy)
            md, page = drawn(copy, os.path.join(tmp, f"given{i}-out"))
            well_formed(run, md, page)
            check_tables(run, copy, md)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return done("test_backends")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
