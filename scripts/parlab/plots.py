"""Draws parlab's figures from one results run with gnuplot, as SVG and PNG.

usage: scripts/plots [RUN] [--out DIR]
  RUN   a results folder (default results/latest)
  DIR   where the figures go (default report/figures); data files land in DIR/data

The figures are drawn into a fresh folder beside DIR, which then replaces DIR as a whole:
nothing from an earlier run survives, and a failure leaves DIR as it was. DIR must be
absent, empty, or a figures folder (SVG, PNG, data/, figures.json). DIR/figures.json names
the run the figures were drawn from (scripts/report embeds only those of its run).

Prints the figures it wrote, one per line. Exit 2 on a missing, incomplete or malformed
run, naming the file, row and column; 1 if gnuplot fails."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from . import results as pr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GNUPLOT_DIR = os.path.join(ROOT, "scripts", "gnuplot")
SCHEDULES = ["dynamic", "static", "cyclic"]
STAMP = "figures.json"
# Every string handed to gnuplot as syntax (-e) is made here from constants and whole
# numbers, never read from a run or a path; this guards that it stays so.
SAFE_TEXT = re.compile(r"[A-Za-z0-9_.,^ /-]*")


def limit_text(n):
    exp = len(str(n)) - 1
    return f"10^{exp}" if n == 10 ** exp else f"{n:,}"


def write_blocks(path, blocks, headers=None):
    """gnuplot data: blocks separated by two blank lines (selected with `index`). An empty
    block gets a line of NaN so `index` numbering stays aligned. With `headers`, each block
    starts with a header line (`columnheader` titles: labels travel as data, never syntax)."""
    with open(path, "w") as f:
        for i, rows in enumerate(blocks):
            if i:
                f.write("\n\n")
            if headers:
                f.write(" ".join(f'"{h}"' for h in headers[i]) + "\n")
            if not rows:
                rows = [["NaN"] * 2]
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

    def procs_figures(self):
        run = self.run
        limits = sorted({p.limit for p in pr.find(run.procs, program="optimized")})
        for limit in limits:
            t1 = pr.serial_time(run.procs, limit)
            if t1 is None:
                continue
            tables = {s: pr.scaling_table(run, limit, s) for s in SCHEDULES}
            present = " ".join(s for s in SCHEDULES if tables[s])
            path, times = self.dat(f"time_procs_{limit}.dat")
            write_blocks(path, [[r[:4] for r in tables[s]] for s in SCHEDULES])
            self.gnuplot("time_procs.gp", f"time_procs_{limit}", data=times, t1=t1,
                         limit_text=limit_text(limit), cores=run.cores, schedules=present)
            path, speed = self.dat(f"speedup_procs_{limit}.dat")
            write_blocks(path, [[(r[0], r[4], r[5], r[6]) for r in tables[s]] for s in SCHEDULES])
            f = pr.fitted_serial_fraction(run, limit, "dynamic")
            pmax = max((r[0] for s in SCHEDULES for r in tables[s]), default=2)
            self.gnuplot("speedup_procs.gp", f"speedup_procs_{limit}", data=speed,
                         f=f if f is not None else 0.0, limit_text=limit_text(limit),
                         cores=run.cores, pmax=max(pmax, 2), schedules=present)

    def chunk_figure(self):
        pts = self.run.chunk
        if not pts:
            return
        blocks = [[(p.chunk, p.median, p.min, p.max)
                   for p in sorted(pr.find(pts, schedule=s), key=lambda p: p.chunk)]
                  for s in ("dynamic", "cyclic")]
        path, data = self.dat("time_chunk.dat")
        write_blocks(path, blocks)
        self.gnuplot("time_chunk.gp", "time_chunk", data=data, procs=pts[0].procs,
                     limit_text=limit_text(pts[0].limit))

    def balance_rows(self):
        """Per-worker metrics rows at P = cores, chunk 1000, the main limit, per schedule."""
        procs = self.run.cores
        chosen = {}
        for r in self.run.metrics or []:
            if r["worker"] == "all" or r["procs"] != procs:
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
        pts = self.run.size
        if not pts:
            return
        blocks, slopes = [], []
        procs = self.run.cores
        for program in ("nonoptimized", "optimized", "primesieve"):
            mine = sorted(pr.find(pts, program=program), key=lambda p: p.limit)
            if program == "optimized" and mine:
                procs = mine[0].procs
            blocks.append([(p.limit, p.median) for p in mine])
            k = pr.loglog_slope([(p.limit, p.median) for p in mine])
            slopes.append(k if k is not None else float("nan"))
        path, data = self.dat("cost_growth.dat")
        write_blocks(path, blocks)
        self.gnuplot("cost_growth.gp", "cost_growth", data=data, k_non=slopes[0],
                     k_opt=slopes[1], k_sieve=slopes[2], procs=procs)

    def python_figure(self):
        pts = self.run.python
        if not pts:
            return
        names = {"nonoptimized": "C nonoptimized", "optimized": "C optimized",
                 "python_nonoptimized": "Python brute force",
                 "python_optimized": "Python multiprocessing.Pool"}
        # Program names are checked names (no quote, no space): safe as quoted data strings.
        rows = [(f'"{names.get(p.program, p.program)}"', p.median) for p in pts]
        path, data = self.dat("c_vs_python.dat")
        write_blocks(path, [rows])
        self.gnuplot("c_vs_python.gp", "c_vs_python", data=data,
                     limit_text=limit_text(pts[0].limit))

    def server_figure(self):
        rows = self.run.server
        if not rows:
            return
        labels = pr.labels_in_order(rows)
        blocks = []
        for label in labels:
            mine = sorted((r for r in rows if r["label"] == label), key=lambda r: r["clients"])
            blocks.append([(r["clients"], r["sessions_per_s"], ms(r["latency_p50_us"]),
                            ms(r["latency_p99_us"])) for r in mine])
        path, data = self.dat("server_clients.dat")
        write_blocks(path, blocks, headers=[("clients", label, "p50_ms", "p99_ms")
                                            for label in labels])
        self.gnuplot("server.gp", "server", data=data, nservers=len(labels))

    def draw(self):
        self.procs_figures()
        self.chunk_figure()
        self.balance_figures()
        self.size_figure()
        self.python_figure()
        self.server_figure()
        names = sorted({os.path.splitext(w)[0] for w in self.written})
        with open(os.path.join(self.folder, STAMP), "w") as f:
            json.dump({"run": self.run.fingerprint, "figures": names}, f, indent=1)
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
