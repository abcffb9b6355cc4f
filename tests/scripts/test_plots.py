"""scripts/plots on copies of the fixture run (tests/fixtures/run) with cells edited: what the
figures' data files hold, read back block by block.

- a suspect point is in its series' suspect block (drawn hollow) and in neither the clean block
  nor any fit (the Amdahl fit's points, the cost exponent's line);
- every speedup carries its interval, lo <= S <= hi, and so does its efficiency;
- lines join only ordered values: every block of every data file is sorted by its x, and the
  C-vs-Python figure (programs, a category) draws no line at all;
- the cost figure subtracts each program's start-up point where the run holds one;
- without scipy the figures are drawn without intervals and figures.json says so; a run of
  before per-run times and suspect columns is drawn as well.

Run with Debian's interpreter (scipy): /usr/bin/python3 tests/scripts/test_plots.py"""
import contextlib
import importlib.util
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # the scripts are loaded from the source tree
from checks import check, done, record  # noqa: E402 (beside this file)
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "run")
LEGACY = os.path.join(ROOT, "results", "baselines", "unfingerprinted-kvm-2core")
GNUPLOT = os.path.join(ROOT, "scripts", "gnuplot")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from parlab import plots  # noqa: E402

LIMIT = 10000  # the fixture's N of the process sweep
SCHEDULES = ["dynamic", "static", "cyclic"]


def draw(folder, out):
    """(exit status, stderr) of scripts/plots on folder, in this process."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            rc = plots.main(["plots", folder, "--out", out])
        except SystemExit as e:
            rc = e.code
    return rc, stderr.getvalue()


def blocks(path):
    """A data file as its blocks (split at two blank lines), each a list of rows of cells:
    numbers as floats (NaN included), quoted labels as strings; # lines and column headers
    left out."""
    with open(path) as f:
        text = "\n".join(line for line in f.read().splitlines() if not line.startswith("#"))
    out = []
    for chunk in re.split(r"\n\s*\n\s*\n", text.strip("\n")):
        rows = []
        for line in chunk.splitlines():
            cells = re.findall(r'"[^"]*"|\S+', line)
            if not cells or cells[0].startswith('"'):
                continue  # a columnheader line
            rows.append([c.strip('"') if c.startswith('"') else float(c) for c in cells])
        # An empty block is written as one row of NaN, so `index` numbering stays aligned.
        out.append([r for r in rows if not all(isinstance(c, float) and math.isnan(c)
                                               for c in r)])
    return out


def xs(block):
    return [r[0] for r in block]


def set_cell(folder, file, match, column, value):
    """Sets `column` to value in every row of folder/file whose cells include all of `match`
    ({column: text})."""
    path = os.path.join(folder, file)
    with open(path) as f:
        lines = f.read().splitlines()
    header = lines[0].split(",")
    hit = 0
    for i, line in enumerate(lines[1:], 1):
        cells = line.split(",")
        if all(cells[header.index(k)] == v for k, v in match.items()):
            cells[header.index(column)] = value
            lines[i] = ",".join(cells)
            hit += 1
    assert hit, f"no row of {file} matches {match}"
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def copy(name):
    shutil.rmtree(name, ignore_errors=True)
    shutil.copytree(FIXTURE, name)
    return name


def check_suspect(name, out):
    """The fixture with P = 2 dynamic, a chunk point and a Python program marked suspect."""
    for stem in ("time_procs", "speedup_procs"):
        data = blocks(os.path.join(out, "data", f"{stem}_{LIMIT}.dat"))
        check(f"{name}: {stem}: three blocks per schedule", 9, len(data))
        every, clean, bad = data[0:3]
        check(f"{name}: {stem}: P = 2 dynamic on the line", [1.0, 2.0], xs(every))
        check(f"{name}: {stem}: P = 2 dynamic in the suspect (hollow) block", [2.0], xs(bad))
        check(f"{name}: {stem}: P = 2 dynamic not among the solid points", [1.0], xs(clean))
        check(f"{name}: {stem}: static has no suspect point", ([1.0, 2.0], []),
              (xs(data[4]), xs(data[5])))
    fit = blocks(os.path.join(out, "data", f"speedup_procs_{LIMIT}_fit.dat"))
    check(f"{name}: the Amdahl fit used no suspect point", [[]], fit)
    with open(os.path.join(out, f"speedup_procs_{LIMIT}.svg")) as f:
        svg = f.read()
    check(f"{name}: the key names the hollow points", True,
          "suspect (hollow): left out of fits" in svg)
    check(f"{name}: the key says there is no Amdahl fit", True, "no Amdahl fit" in svg)
    chunk = blocks(os.path.join(out, "data", "time_chunk.dat"))
    check(f"{name}: chunk 1 cyclic hollow, chunk 1000 solid", ([1000.0], [1.0]),
          (xs(chunk[4]), xs(chunk[5])))
    bars = blocks(os.path.join(out, "data", "c_vs_python.dat"))
    check(f"{name}: the suspect Python program is a hollow bar, not a solid one",
          (["C nonoptimized", "C optimized", "Python brute force"],
           ["Python multiprocessing.Pool"]),
          ([r[1] for r in bars[1]], [r[1] for r in bars[2]]))


def check_intervals(name, out):
    """Every speedup and efficiency of the fixture (2 runs a point: enough to resample) has
    its interval, around it."""
    data = blocks(os.path.join(out, "data", f"speedup_procs_{LIMIT}.dat"))
    rows = [r for i in range(0, 9, 3) for r in data[i]]
    check(f"{name}: speedup rows", 6, len(rows))
    for row in rows:
        if len(row) != 8:
            record(False, f"{name}: speedup row {row}: not P S lo hi E E_lo E_hi KF")
            continue
        p, s, lo, hi, e, elo, ehi, _ = row
        record(lo <= s <= hi, f"{name}: P = {p:g}: speedup {s} outside [{lo}, {hi}]")
        record(lo < hi, f"{name}: P = {p:g}: empty interval [{lo}, {hi}]")
        record(elo <= e <= ehi, f"{name}: P = {p:g}: efficiency {e} outside [{elo}, {ehi}]")
        # Both written to 9 significant digits.
        record(math.isclose(elo * p, lo, rel_tol=1e-7) and
               math.isclose(ehi * p, hi, rel_tol=1e-7),
               f"{name}: P = {p:g}: efficiency interval is not the speedup's over P")


def check_ordered(name, out):
    """Lines join ordered values only: every block of every data file runs up its x (a block
    is a series: one schedule, program or server), and no script joins the C-vs-Python
    bars, whose x is a program."""
    for fn in sorted(os.listdir(os.path.join(out, "data"))):
        for i, block in enumerate(blocks(os.path.join(out, "data", fn))):
            x = xs(block)
            record(x == sorted(x) and len(set(x)) == len(x),
                   f"{name}: data/{fn} block {i}: x not strictly increasing: {x}")
    with open(os.path.join(GNUPLOT, "c_vs_python.gp")) as f:
        script = "\n".join(line for line in f if not line.lstrip().startswith("#"))
    check("c_vs_python.gp: no line between programs", [],
          re.findall(r"\bw(?:ith)?\s+(?:l|lines|lp|linespoints|steps|fsteps)\b", script))


def size_run(name):
    """The fixture's size sweep rewritten: a start-up point (N = 10) per program and four
    sizes of whole times start-up + c N^k, one of them suspect; no runs.csv rows for them
    (the intervals are not what is checked here)."""
    folder = copy(name)
    path = os.path.join(folder, "primes_size.csv")
    with open(path) as f:
        header = f.readline()
    rows = []
    for prog, procs, sched, start, k, c in (("nonoptimized", 1, "serial", 0.001, 1.5, 1e-10),
                                            ("optimized", 2, "dynamic", 0.001, 1.5, 5e-11),
                                            ("primesieve", 1, "sieve", 0.001, 1.0, 1e-9)):
        for i, n in enumerate((10, 10 ** 5, 10 ** 6, 10 ** 7, 10 ** 8)):
            t = start + (c * n ** k if n > 10 else 0.0)
            if prog == "optimized" and n == 10 ** 7:
                t *= 1.5  # disturbed: must not bend the fit
            why = "cv 9.1% > 5%" if prog == "optimized" and n == 10 ** 7 else ""
            rows.append(f"{prog},{n},{procs},{sched},{n + 1},2,{t:.9f},{t:.9f},0,0,"
                        f"{t:.9f},{t:.9f},0,0,0,0,1,{why},{30 + i}")
    with open(path, "w") as f:
        f.write(header + "\n".join(rows) + "\n")
    return folder


def check_size(name, out):
    data = blocks(os.path.join(out, "data", "cost_growth.dat"))
    fit = blocks(os.path.join(out, "data", "cost_growth_fit.dat"))
    check(f"{name}: three blocks per program", 9, len(data))
    check(f"{name}: one fit block per program", 3, len(fit))
    check(f"{name}: the start-up point is subtracted, not drawn",
          [1e5, 1e6, 1e7, 1e8], xs(data[0]))
    got = {r[0]: r[1] for r in data[0]}
    for n in (1e5, 1e6, 1e7, 1e8):
        record(math.isclose(got[n], 1e-10 * n ** 1.5, rel_tol=1e-6),
               f"{name}: N = {n:g}: compute time {got[n]} is not time less start-up")
    check(f"{name}: optimized's suspect point hollow", [1e7], xs(data[5]))
    check(f"{name}: optimized's suspect point not solid", [1e5, 1e6, 1e8], xs(data[4]))
    check(f"{name}: optimized's fit leaves the suspect point out", [1e5, 1e6, 1e8], xs(fit[1]))
    for n, t in fit[1]:
        record(math.isclose(t, 5e-11 * n ** 1.5, rel_tol=1e-6),
               f"{name}: the fit at N = {n:g}, {t}, is bent by the suspect point")
    with open(os.path.join(out, "cost_growth.svg")) as f:
        svg = f.read()
    check(f"{name}: the key gives the exponent with its interval", True,
          re.search(r"optimized, P = 2, N.{0,200}1\.50.{0,40}\[1\.50, 1\.50\]", svg, re.S)
          is not None)
    check(f"{name}: compute time, said so", True, "compute time (time less start-up)" in svg)


def section(what, fn, *args):
    """Runs one group of checks; a data file not laid out as expected (an exception) is one
    failure, and the groups after it still run."""
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001 (any surprise in a data file is a failure)
        record(False, f"{what}: {type(e).__name__}: {e}")


def check_startup_suspect(name, out):
    """nonoptimized's start-up point suspect: its compute times are drawn, but every one rests
    on a disturbed start-up, so it gets no exponent; the others keep theirs."""
    fit = blocks(os.path.join(out, "data", "cost_growth_fit.dat"))
    check(f"{name}: no fit for nonoptimized", [], fit[0])
    check(f"{name}: optimized still fitted", [1e5, 1e6, 1e8], xs(fit[1]))
    with open(os.path.join(out, "cost_growth.svg")) as f:
        check(f"{name}: the key says why", True, "start-up suspect: no fit" in f.read())
    with open(os.path.join(out, "figures.json")) as f:
        check(f"{name}: figures.json notes it", True,
              any("start-up point is suspect" in n for n in json.load(f)["notes"]))


def without_scipy(folder, out):
    """scripts/plots in a fresh interpreter where scipy cannot be imported."""
    code = ("import sys; sys.modules['scipy'] = None; sys.dont_write_bytecode = True; "
            f"sys.path.insert(0, {os.path.join(ROOT, 'scripts')!r}); "
            "from parlab import plots; sys.exit(plots.main(sys.argv))")
    return subprocess.run([sys.executable, "-c", code, folder, "--out", out],
                          capture_output=True, text=True)


def check_no_scipy(folder, out):
    proc = without_scipy(folder, out)
    check("no scipy: exit", (0, ""), (proc.returncode, proc.stderr))
    with open(os.path.join(out, "figures.json")) as f:
        stamp = json.load(f)
    check("no scipy: figures.json says no intervals", False, stamp.get("intervals"))
    check("no scipy: and why", True, any("scipy" in n for n in stamp.get("notes", [])))
    data = blocks(os.path.join(out, "data", f"speedup_procs_{LIMIT}.dat"))
    check("no scipy: no interval in the data", True,
          all(math.isnan(r[2]) and math.isnan(r[3]) for b in data for r in b))
    # Nine figures (the open loop's among them), SVG and PNG each.
    check("no scipy: the same figures", 18,
          sum(n.endswith((".svg", ".png")) for n in os.listdir(out)))


def check_legacy(folder, out):
    rc, err = draw(folder, out)
    check("legacy run: exit", (0, ""), (rc, err))
    with open(os.path.join(out, "figures.json")) as f:
        stamp = json.load(f)
    check("legacy run: every figure (the open loop's too)", 9, len(stamp["figures"]))
    check("legacy run: says it has no per-run times", True,
          any("no per-run times" in n for n in stamp.get("notes", [])))
    check_ordered("legacy run", out)


def main():
    tmp = tempfile.mkdtemp(prefix="parlab-plots-")
    try:
        os.chdir(tmp)
        if importlib.util.find_spec("scipy") is None:  # the intervals need it
            print("test_plots: scipy is missing: run with /usr/bin/python3 (python3-scipy)",
                  file=sys.stderr)
            return 1

        rc, err = draw(copy("plain"), "plain-out")
        check("fixture: exit", (0, ""), (rc, err))
        section("intervals", check_intervals, "fixture", "plain-out")
        section("ordered", check_ordered, "fixture", "plain-out")
        with open(os.path.join("plain-out", "figures.json")) as f:
            stamp = json.load(f)
        check("figures.json: the report's keys kept", (True, True),
              (isinstance(stamp.get("run"), str), f"speedup_procs_{LIMIT}" in stamp["figures"]))
        check("figures.json: intervals drawn", True, stamp.get("intervals"))

        folder = copy("suspect")
        set_cell(folder, "primes_procs.csv", {"program": "optimized", "procs": "2",
                                              "schedule": "dynamic"}, "suspect", "cv 9.1% > 5%")
        set_cell(folder, "primes_chunk.csv", {"schedule": "cyclic", "chunk": "1"}, "suspect",
                 "outside load 0.61 cores > 0.25")
        set_cell(folder, "primes_python.csv", {"program": "python_optimized"}, "suspect",
                 "cv 12.3% > 5%")
        rc, err = draw(folder, "suspect-out")
        check("suspect: exit", (0, ""), (rc, err))
        section("suspect", check_suspect, "suspect", "suspect-out")
        section("ordered", check_ordered, "suspect", "suspect-out")

        rc, err = draw(size_run("size"), "size-out")
        check("size: exit", (0, ""), (rc, err))
        section("size", check_size, "size", "size-out")
        section("ordered", check_ordered, "size", "size-out")
        folder = size_run("startup")
        set_cell(folder, "primes_size.csv", {"program": "nonoptimized", "limit": "10"},
                 "suspect", "cv 30.0% > 5%")
        rc, err = draw(folder, "startup-out")
        check("suspect start-up: exit", (0, ""), (rc, err))
        section("suspect start-up", check_startup_suspect, "suspect start-up", "startup-out")

        section("no scipy", check_no_scipy, "plain", "noscipy-out")
        # A run of before per-run times and suspect columns (hyperfine's JSON instead).
        section("legacy run", check_legacy, LEGACY, "legacy-out")
    finally:
        os.chdir("/")
        shutil.rmtree(tmp, ignore_errors=True)
    return done("test_plots")


if __name__ == "__main__":
    sys.exit(main())
