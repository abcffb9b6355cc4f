"""Draws parlab's figures from one results run with gnuplot, as SVG and PNG.

usage: scripts/plots [RUN] [--out DIR]
  RUN   a results folder (default results/latest)
  DIR   where the figures go (default report/figures); data files land in DIR/data

The figures are drawn into a fresh folder beside DIR, which then replaces DIR as a whole:
nothing from an earlier run survives, and a failure leaves DIR as it was. DIR must be
absent, empty, or a figures folder (SVG, PNG, data/, figures.json). DIR/figures.json names
the run the figures were drawn from (scripts/report embeds only those of its run), whether
they carry intervals, and notes on what they could not show.

What a figure shows, so that none claims more than the run measured:
- a time is a median; its error bar is the 95% interval of the median from the point's runs
  (none where the runs are too few for one), over the min-max band;
- a speedup has the 95% bootstrap interval of the ratio of medians, resampled by block where
  the two programs ran in the same blocks;
- a point the run marks suspect is drawn hollow and grey, and left out of every fitted curve
  (the Amdahl fit, the cost exponents);
- lines join only ordered values (processes, chunk, N, clients); programs are bars.
The intervals need scipy (Debian's python3-scipy): without it the figures are drawn without
them, and figures.json says so.

Prints the figures it wrote, one per line. Exit 2 on a missing, incomplete or malformed
run, naming the file, row and column; 1 if gnuplot fails."""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

from . import findings
from . import plots_backends
from . import plots_model
from . import plots_server
from . import results as pr

try:  # the intervals need scipy (Debian's python3-scipy, /usr/bin/python3)
    from . import stats
except ImportError:
    stats = None

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GNUPLOT_DIR = os.path.join(ROOT, "scripts", "gnuplot")
SCHEDULES = ["dynamic", "static", "cyclic"]
SIZE_PROGRAMS = ["nonoptimized", "optimized", "primesieve"]
STAMP = "figures.json"
NO_SCIPY = ("no intervals: scipy cannot be imported (python3-scipy; scripts/plots runs with "
            "/usr/bin/python3)")
# Every string handed to gnuplot as syntax (-e) is made here from constants and whole
# numbers, never read from a run or a path; this guards that it stays so.
SAFE_TEXT = re.compile(r"[A-Za-z0-9_.,^ /-]*")


def limit_text(n):
    exp = len(str(n)) - 1
    return f"10^{exp}" if n == 10 ** exp else f"{n:,}"


def write_blocks(path, blocks, headers=None, width=2, comment=""):
    """gnuplot data: blocks separated by two blank lines (selected with `index`). An empty
    block gets a line of `width` NaNs so `index` numbering stays aligned. With `headers`,
    each block starts with a header line (`columnheader` titles: labels travel as data,
    never syntax). `comment` opens the file as # lines, for the reader of data/."""
    with open(path, "w") as f:
        for line in comment.splitlines():
            f.write(f"# {line}\n")
        for i, rows in enumerate(blocks):
            if i:
                f.write("\n\n")
            if headers:
                f.write(" ".join(f'"{h}"' for h in headers[i]) + "\n")
            if not rows:
                rows = [["NaN"] * width]
            for row in rows:
                f.write(" ".join(fmt(v) for v in row) + "\n")


def fmt(v):
    if v is None:
        return "NaN"
    if isinstance(v, float):
        return "NaN" if v != v else f"{v:.9g}"
    return str(v)


def ms(us):
    """Microseconds to milliseconds; None (no latency measured) stays None, drawn as a gap."""
    return None if us is None else us / 1e3


def nan(v):
    """A number for gnuplot -e: None (nothing to show) goes as NaN, which the scripts test."""
    return float("nan") if v is None else v


def series(rows, suspect):
    """One series as three blocks: every point (the line joining them, the band), the clean
    points (solid markers) and the suspect ones (hollow, grey). rows are sorted by x and
    `suspect` flags them in the same order."""
    return [list(rows), [r for r, bad in zip(rows, suspect) if not bad],
            [r for r, bad in zip(rows, suspect) if bad]]


def has_bars(blocks, column=2):
    """1 when some row has an interval (its lo in `column`): the key then explains the bars."""
    return int(any(r[column] is not None for b in blocks for r in b))


SERIES_NOTE = ("Three blocks per series, in the order listed: every point (joined by the "
               "line), the clean points (solid), the suspect points (hollow, left out of "
               "fits). NaN: nothing (no interval: too few runs, or no scipy).")


class GnuplotError(Exception):
    pass


class Plotter:
    """Draws into `folder` (a fresh one), gnuplot running inside it: data files and figures
    have fixed relative names, so no path reaches gnuplot as syntax. The style file's path
    goes as ARG1 of `gnuplot -c`, a string gnuplot never parses."""

    def __init__(self, run, folder):
        self.run = run
        self.folder = folder
        os.makedirs(os.path.join(folder, "data"))
        self.written = []
        self.notes = [] if stats is not None else [NO_SCIPY]

    def note(self, text):
        if text not in self.notes:
            self.notes.append(text)

    def gnuplot(self, script, name, **params):
        for ext in ("svg", "png"):
            target = f"{name}.{ext}"
            assigns = [f"fmt='{ext}'", f"out='{target}'"]
            for key, value in params.items():
                if isinstance(value, str):
                    if not SAFE_TEXT.fullmatch(value):
                        raise GnuplotError(f"refusing to pass {key}={value!r} to gnuplot")
                    assigns.append(f"{key}='{value}'")
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    assigns.append(f"{key}={fmt(value)}")
                else:
                    raise GnuplotError(f"refusing to pass {key}={value!r} to gnuplot")
            cmd = ["gnuplot", "-e", "; ".join(assigns), "-c",
                   os.path.join(GNUPLOT_DIR, script), os.path.join(GNUPLOT_DIR, "style.gp")]
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=self.folder)
            path = os.path.join(self.folder, target)
            if proc.returncode != 0 or not os.path.exists(path) or not os.path.getsize(path):
                err = " ".join(proc.stderr.split())
                raise GnuplotError(f"gnuplot {script} failed for {name}: {err}")
            self.written.append(target)

    def dat(self, name):
        """A data file's path for writing, and its name relative to the folder for gnuplot."""
        return os.path.join(self.folder, "data", name), f"data/{name}"

    # -- intervals -------------------------------------------------------------------------
    def runs_of(self, sweep, p):
        """A point's per-run times (its comparison's last attempt); [] in a run without
        runs.csv. The point paired with itself: the one reading of runs.csv there is."""
        a, _, _ = pr.paired_runs(self.run, sweep, p, p)
        if not a and sweep in self.run.legacy:
            self.note(f"no intervals on {sweep}: this run keeps no per-run times")
        return a

    def median_bar(self, sweep, p):
        """(lo, hi) of the 95% interval of a point's median, (None, None) without one."""
        if stats is None:
            return None, None
        runs = self.runs_of(sweep, p)
        if not runs:
            return None, None
        ci = stats.median_ci(runs)
        return ci.lo, ci.hi

    def speedup_bar(self, base, p):
        """(lo, hi) of the speedup base/p, as the report's headline computes it: paired by
        block where both points ran in the same blocks, each side on its own elsewhere."""
        if stats is None:
            return None, None
        a, b, pairs = pr.paired_runs(self.run, base.sweep, base, p)
        if len(a) < 2 or len(b) < 2:
            return None, None
        r = stats.ratio_ci(a, b, paired=pairs)
        return r.lo, r.hi

    def time_row(self, sweep, x, p, zero=0.0):
        """x, median, its interval, min, max; `zero` (a start-up time) subtracted from all.
        What falls to zero or below is None: it cannot sit on a log axis, and it is noise."""
        lo, hi = self.median_bar(sweep, p)
        values = [p.median, lo, hi, p.min, p.max]
        return (x, *[None if v is None or v - zero <= 0 else v - zero for v in values])

    # -- the figures -------------------------------------------------------------------------
    def procs_figures(self):
        run = self.run
        limits = sorted({p.limit for p in pr.find(run.procs, program="optimized")})
        for limit in limits:
            base = pr.find(run.procs, program="nonoptimized", limit=limit)
            if not base:
                continue
            base, t1 = base[0], base[0].median
            points = {s: sorted(pr.find(run.procs, program="optimized", limit=limit,
                                        schedule=s), key=lambda p: p.procs)
                      for s in SCHEDULES}
            present = " ".join(s for s in SCHEDULES if points[s])
            times, speeds = [], []
            for s in SCHEDULES:
                bad = [bool(p.suspect) for p in points[s]]
                times += series([self.time_row("primes_procs", p.procs, p)
                                 for p in points[s]], bad)
                speeds += series([self.speedup_row(base, p) for p in points[s]], bad)
            nbad = sum(bool(p.suspect) for s in SCHEDULES for p in points[s])
            path, data = self.dat(f"time_procs_{limit}.dat")
            write_blocks(path, times, width=6, comment=(
                f"time vs processes, N = {limit}, per schedule ({', '.join(SCHEDULES)}).\n"
                "columns: P median_s lo_s hi_s (95% interval of the median) min_s max_s\n"
                + SERIES_NOTE))
            self.gnuplot("time_procs.gp", f"time_procs_{limit}", data=data, t1=t1,
                         limit_text=limit_text(limit), cores=run.cores, schedules=present,
                         nsuspect=nbad, bars=has_bars(times))
            f, f_lo, f_hi, used = self.amdahl(limit, t1, points["dynamic"])
            path, speed = self.dat(f"speedup_procs_{limit}.dat")
            write_blocks(path, speeds, width=8, comment=(
                f"speedup vs processes, N = {limit}, per schedule ({', '.join(SCHEDULES)}).\n"
                "columns: P S lo hi (95% interval of S) E E_lo E_hi (efficiency S/P) "
                "KarpFlatt_e\n" + SERIES_NOTE))
            path, fit = self.dat(f"speedup_procs_{limit}_fit.dat")
            write_blocks(path, [[(p.procs, t1 / p.median) for p in used]], comment=(
                f"the points the Amdahl fit used (dynamic, 1 < P <= {run.cores}, not "
                f"suspect): P S\nserial fraction f = {fmt(nan(f))} [{fmt(nan(f_lo))}, "
                f"{fmt(nan(f_hi))}]"))
            pmax = max((p.procs for s in SCHEDULES for p in points[s]), default=2)
            self.gnuplot("speedup_procs.gp", f"speedup_procs_{limit}", data=speed,
                         f=nan(f), f_lo=nan(f_lo), f_hi=nan(f_hi),
                         limit_text=limit_text(limit), cores=run.cores, pmax=max(pmax, 2),
                         schedules=present, nsuspect=nbad, bars=has_bars(speeds))

    def speedup_row(self, base, p):
        s = base.median / p.median
        lo, hi = self.speedup_bar(base, p)
        kf = pr.karp_flatt(s, p.procs)
        return (p.procs, s, lo, hi, s / p.procs, None if lo is None else lo / p.procs,
                None if hi is None else hi / p.procs, kf)

    def amdahl(self, limit, t1, dynamic):
        """Amdahl's f for the figure, with its interval where the runs give one, and the
        points it used. f is the report's own (results.fitted_serial_fraction: 1 < P <= cores,
        suspect points left out); the interval resamples each used point's runs."""
        used = [p for p in dynamic if 1 < p.procs <= self.run.cores and not p.suspect]
        f = pr.fitted_serial_fraction(self.run, limit, "dynamic")
        if f is None or stats is None or not used:
            return f, None, None, used
        runs = [[t1 / w for w in self.runs_of("primes_procs", p)] for p in used]
        if any(len(r) < 2 for r in runs):
            return f, None, None, used
        try:
            fit = stats.amdahl_fit([p.procs for p in used], [t1 / p.median for p in used],
                                   runs=runs)
        except ValueError:
            return f, None, None, used
        return f, fit.f_lo, fit.f_hi, used

    def chunk_figure(self):
        pts = self.run.chunk
        if not pts:
            return
        blocks = []
        for s in ("dynamic", "cyclic"):
            mine = sorted(pr.find(pts, schedule=s), key=lambda p: p.chunk)
            blocks += series([self.time_row("primes_chunk", p.chunk, p) for p in mine],
                             [bool(p.suspect) for p in mine])
        path, data = self.dat("time_chunk.dat")
        write_blocks(path, blocks, width=6, comment=(
            "time vs chunk, per schedule (dynamic, cyclic).\n"
            "columns: chunk median_s lo_s hi_s (95% interval of the median) min_s max_s\n"
            + SERIES_NOTE))
        self.gnuplot("time_chunk.gp", "time_chunk", data=data, procs=pts[0].procs,
                     limit_text=limit_text(pts[0].limit),
                     nsuspect=sum(bool(p.suspect) for p in pts),
                     bars=has_bars(blocks))

    def balance_rows(self):
        """Per-worker metrics rows at P = cores, chunk 1000, the main limit, per schedule: the
        fork()ed processes' (`optimized`) only, as the other backends' runs share the rest."""
        procs = self.run.cores
        chosen = {}
        for r in self.run.metrics or []:
            if r["program"] != "optimized" or r["worker"] == "all" or r["procs"] != procs:
                continue
            if r["schedule"] == "static" or r["chunk"] == 1000:
                chosen.setdefault(r["schedule"], {})[r["worker"]] = r
        return chosen, procs

    def balance_figures(self):
        chosen, procs = self.balance_rows()
        if not all(s in chosen for s in SCHEDULES):
            return
        limit = chosen["dynamic"][0]["limit"] if 0 in chosen["dynamic"] else None
        if limit is None:
            return
        table, rate, ipc = [], [], []
        have_hw = all(chosen[s][w].get("PAPI_TOT_INS") and chosen[s][w].get("PAPI_TOT_CYC")
                      for s in SCHEDULES for w in chosen[s])
        for w in range(procs):
            cells = [chosen[s].get(w) for s in SCHEDULES]
            if None in cells:
                return
            wall = [c["wall_ns"] / 1e6 for c in cells]
            divs = [c["trial_divisions"] / 1e6 for c in cells]
            table.append([w] + wall + divs)
            rate.append([w] + [d / (ms / 1e3) if ms else None for d, ms in zip(divs, wall)])
            if have_hw:
                ipc.append([w] + [c["PAPI_TOT_INS"] / c["PAPI_TOT_CYC"] for c in cells])
        path, bal = self.dat("load_balance.dat")
        write_blocks(path, [table])
        self.gnuplot("load_balance.gp", "load_balance", data=bal, procs=procs,
                     limit_text=limit_text(limit))
        path, cnt = self.dat("counters.dat")
        write_blocks(path, [rate])
        hw = ""
        if have_hw:
            path, hw = self.dat("counters_hw.dat")
            write_blocks(path, [ipc])
        self.gnuplot("counters.gp", "counters", data=cnt, hw=hw, procs=procs,
                     limit_text=limit_text(limit))

    def size_figure(self):
        """Time against N per program, log-log, with the fitted cost exponent. Where the run
        holds each program's start-up point (N <= results.STARTUP_LIMIT: nothing to compute),
        what is drawn and fitted is the compute time, the time less the start-up: the
        start-up does not grow with N, and left in it bends the short runs' end of the line
        flat. Which points enter the fit, and the exponent, are the report's own
        (findings.Cost), so the key's exponent is the report's."""
        pts = self.run.size
        if not pts:
            return
        nums = findings.Numbers(self.run)
        costs = {pg: findings.Cost(nums, pg) for pg in SIZE_PROGRAMS}
        net = any(c.points for c in costs.values()) and \
            all(c.startup is not None for c in costs.values() if c.points)
        if not net:
            self.note("cost growth: no start-up point (N <= 10) per program in this run; "
                      "whole-process times drawn and fitted")
        blocks, fits, params, procs, nbad = [], [], {}, self.run.cores, 0
        for pg, key in zip(SIZE_PROGRAMS, ("non", "opt", "sieve")):
            cost = costs[pg]
            start = cost.startup if net else None
            zero = start.median if start else 0.0
            rows, bad, used = [], [], []
            for p in cost.points:
                row = self.time_row("primes_size", p.limit, p, zero)
                if row[1] is None:
                    continue  # no longer than the start-up: nothing measured to draw
                rows.append(row)
                bad.append(bool(p.suspect))
                if p.limit in cost.used:
                    used.append((p.limit, row[1]))
            if start is not None and start.suspect:
                self.note(f"cost growth: {pg}'s start-up point is suspect; no exponent")
            if pg == "optimized" and cost.points:
                procs = cost.points[0].procs
            nbad += sum(bad)
            blocks += series(rows, bad)
            k, lo, hi, line = self.exponent(cost.slope, used)
            fits.append(line)
            params.update({f"k_{key}": nan(k), f"k_{key}_lo": nan(lo), f"k_{key}_hi": nan(hi),
                           f"start_bad_{key}": int(bool(start and start.suspect))})
        what = "compute time (time less start-up)" if net else "whole-process time"
        path, data = self.dat("cost_growth.dat")
        write_blocks(path, blocks, width=6, comment=(
            f"{what} vs N, per program ({', '.join(SIZE_PROGRAMS)}).\n"
            "columns: N time_s lo_s hi_s (95% interval of the median) min_s max_s\n"
            + SERIES_NOTE))
        path, fit = self.dat("cost_growth_fit.dat")
        write_blocks(path, fits, comment=(
            f"the fitted c N^k at the points each fit used, per program "
            f"({', '.join(SIZE_PROGRAMS)}): N time_s"))
        self.gnuplot("cost_growth.gp", "cost_growth", data=data, fit=fit, procs=procs,
                     net=int(net), nsuspect=nbad, nfits=sum(bool(f) for f in fits),
                     bars=has_bars(blocks), **params)

    @staticmethod
    def exponent(slope, used):
        """(k, lo, hi, line): findings.Cost's exponent (a stats.Slope with its 95% interval,
        or (k, None, None) from 2 points) and its line c N^k at the used (N, time) points.
        All None and no line without an exponent."""
        if slope is None or len(used) < 2:
            return None, None, None, []
        if stats is not None and isinstance(slope, stats.Slope):
            k, lo, hi, c = slope.k, slope.lo, slope.hi, slope.c
        else:
            k, c = findings.power_fit(used)
            lo = hi = None
        return k, lo, hi, [(n, c * n ** k) for n, _ in used]

    def python_figure(self):
        """Programs are categories, not an axis: bars, never a line between them."""
        pts = self.run.python
        if not pts:
            return
        names = {"nonoptimized": "C nonoptimized", "optimized": "C optimized",
                 "python_nonoptimized": "Python brute force",
                 "python_optimized": "Python multiprocessing.Pool"}
        # Program names are checked names (no quote, no space): safe as quoted data strings.
        rows = [(i, f'"{names.get(p.program, p.program)}"',
                 *self.time_row("primes_python", i, p)[1:4]) for i, p in enumerate(pts)]
        path, data = self.dat("c_vs_python.dat")
        write_blocks(path, series(rows, [bool(p.suspect) for p in pts]), width=5,
                     comment=("one bar per program. Blocks: every bar (the axis labels), the "
                              "clean bars, the suspect ones (hollow).\ncolumns: position label "
                              "median_s lo_s hi_s (95% interval of the median)"))
        self.gnuplot("c_vs_python.gp", "c_vs_python", data=data,
                     limit_text=limit_text(pts[0].limit),
                     nsuspect=sum(bool(p.suspect) for p in pts),
                     bars=has_bars([rows], 3))

    def server_figure(self):
        """Throughput and latency per server against clients. Rows repeated at one client
        count are summarised by their median, with its interval where they are enough; the
        fresh-server repeats (server_repeat.csv) are drawn beside, with theirs."""
        rows = self.run.server
        if not rows:
            return
        labels = pr.labels_in_order(rows)
        blocks, repeats = [], []
        for label in labels:
            blocks.append(self.server_rows([r for r in rows if r["label"] == label]))
            mine = [r for r in self.run.server_repeat or [] if r["label"] == label]
            repeats.append([r[:4] for r in self.server_rows(mine)])
        counts = [(r["label"], r["clients"]) for r in self.run.server_repeat or []
                  if r["label"] in labels]
        path, data = self.dat("server_clients.dat")
        write_blocks(path, blocks, headers=[("clients", label, "lo", "hi", "p50_ms", "p99_ms")
                                            for label in labels])
        path, rep = self.dat("server_repeat.dat")
        write_blocks(path, repeats, width=4, comment=(
            f"fresh-server repeats per server ({', '.join(labels)}): clients median "
            "sessions_per_s lo hi (95% interval of the median)"))
        self.gnuplot("server.gp", "server", data=data, rep=rep, nservers=len(labels),
                     nrepeats=max((counts.count(c) for c in counts), default=0),
                     bars=has_bars(repeats))

    @staticmethod
    def server_rows(rows):
        """[(clients, median sessions/s, lo, hi, p50 ms, p99 ms)] by client count."""
        out = []
        for clients in sorted({r["clients"] for r in rows}):
            same = [r for r in rows if r["clients"] == clients]
            rate = [r["sessions_per_s"] for r in same]
            lo = hi = None
            if stats is not None and len(rate) > 1:
                _, lo, hi = stats.median_ci(rate)
            lat = [[r[k] for r in same if r[k] is not None]
                   for k in ("latency_p50_us", "latency_p99_us")]
            out.append((clients, statistics.median(rate), lo, hi,
                        *[ms(statistics.median(v)) if v else None for v in lat]))
        return out

    def draw(self):
        self.procs_figures()
        self.chunk_figure()
        self.balance_figures()
        self.size_figure()
        self.python_figure()
        self.server_figure()
        plots_backends.draw(self)
        plots_server.draw(self)
        plots_model.draw(self)
        names = sorted({os.path.splitext(w)[0] for w in self.written})
        with open(os.path.join(self.folder, STAMP), "w") as f:
            json.dump({"run": self.run.fingerprint, "figures": names,
                       "intervals": stats is not None, "notes": self.notes}, f, indent=1)
            f.write("\n")


def replaceable(out):
    """An absent or empty folder, or one holding only what this script draws."""
    if not os.path.lexists(out):
        return True
    if os.path.islink(out) or not os.path.isdir(out):
        return False
    return all(n in (STAMP, "data") or n.endswith((".svg", ".png")) for n in os.listdir(out))


def replace_folder(fresh, out):
    """Puts `fresh` where `out` was, as a whole: rename the old one aside, rename the new one
    in, then delete the old one. A failure puts the old one back."""
    old = None
    if os.path.lexists(out):
        old = tempfile.mkdtemp(prefix=".old-", dir=os.path.dirname(out))
        os.rmdir(old)
        os.rename(out, old)
    try:
        os.rename(fresh, out)
    except OSError:
        if old:
            os.rename(old, out)
        raise
    if old:
        shutil.rmtree(old, ignore_errors=True)


def main(argv):
    parser = pr.ArgumentParser("plots", __doc__)
    parser.add_argument("run", nargs="?", default=os.path.join(ROOT, "results", "latest"))
    parser.add_argument("--out", default=os.path.join(ROOT, "report", "figures"))
    args = parser.parse_args(argv[1:])
    if not args.out:
        parser.error("--out needs a folder")
    if shutil.which("gnuplot") is None:
        print("plots: gnuplot not found (scripts/deps.sh bench installs it)", file=sys.stderr)
        return 1
    out = os.path.abspath(args.out)
    if not replaceable(out):
        print(f"plots: {pr.shown(args.out, 200)}: holds files scripts/plots did not draw; "
              "not replacing it (choose another --out)", file=sys.stderr)
        return 2
    try:
        run = pr.Run(args.run)
    except pr.ResultsError as e:
        print(f"plots: {e}", file=sys.stderr)
        return 2
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    fresh = tempfile.mkdtemp(prefix=".figures-", dir=parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(fresh, 0o777 & ~umask)  # mkdtemp's 0700 would outlive the rename
        Plotter(run, fresh).draw()
        written = sorted(n for n in os.listdir(fresh) if n.endswith((".svg", ".png")))
        replace_folder(fresh, out)
    except (GnuplotError, OSError) as e:
        print(f"plots: {pr.shown(e, 400)}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    for name in written:
        print(os.path.join(args.out, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
