"""Writes parlab's report, report.md and report.html, from one results run. Every number
and every finding is computed from the run's files (findings.py draws the findings); figures
come from scripts/plots.

usage: scripts/report [RUN] [--out DIR]
  RUN   a results folder (default results/latest)
  DIR   where report.md and report.html go (default report/); figures are expected in
        DIR/figures (scripts/plots RUN --out DIR/figures)

A figure is embedded only if scripts/plots drew it from this very run (DIR/figures/figures.json
holds the run's fingerprint); any other is named as not drawn, never shown. A sweep the run
did not measure is said to be missing. Points bench/measure marked suspect are listed in the
Noise section with why, marked in every table, and quoted by no finding.

Exit 2 on a missing, incomplete or malformed run, naming the file, row and column."""
import html
import json
import os
import statistics
import sys

from . import findings as fd
from . import report_backends
from . import report_model
from . import report_server
from . import results as pr
from .findings import limit_text, num, sec, stats

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEDULES = fd.SCHEDULES


def marked(text, p):
    """A table cell of point p, marked when p is suspect."""
    return f"{text} (suspect)" if p is not None and p.suspect else text


class Report:
    def __init__(self, run, out):
        self.run = run
        self.out = out
        self.nums = fd.Numbers(run)
        self.blocks = []
        self.findings = []
        self.missing_figures = []
        self.drawn = drawn_figures(out, run)

    # -- building blocks -------------------------------------------------------------
    def h2(self, text):
        self.blocks.append(("h2", text))

    def p(self, text):
        self.blocks.append(("p", text))

    def ul(self, items):
        self.blocks.append(("ul", items))

    def table(self, header, rows):
        self.blocks.append(("table", header, rows))

    def code(self, text):
        """Preformatted lines (a formula), shown as they are."""
        self.blocks.append(("pre", text))

    def figure(self, name, caption):
        rel = f"figures/{name}.svg"
        if name in self.drawn and os.path.exists(os.path.join(self.out, rel)):
            self.blocks.append(("fig", rel, caption))
        else:
            self.missing_figures.append(rel)
            self.p(f"(Figure {rel} was not drawn for this run: run scripts/plots on it.)")

    def absent(self, what):
        """A sweep the run did not measure: said, so no reader takes silence for a result."""
        self.p(f"The {what} was not part of this run: nothing to show.")

    # -- sections ----------------------------------------------------------------------
    def provenance(self):
        m = self.run.meta
        hw = m.get("hardware_counters_available")
        rows = [
            ("run", os.path.basename(os.path.realpath(self.run.folder))),
            ("sweep", m.get("sweep", "")),
            ("date (UTC)", m.get("date_utc", "")),
            ("commit", f"{m.get('commit', '')}{' (uncommitted changes)' if m.get('dirty') else ''}"),
            ("CPU", f"{m.get('cpu_model', '')}, {m.get('cores', '')} cores"
                    f"{', virtual machine' if m.get('vm') else ''}"),
            ("kernel", m.get("kernel", "")),
            ("compiler", m.get("compiler", "")),
            ("flags", f"{m.get('build_type', '')} {m.get('cflags', '')}".strip()),
            ("hardware counters", "available" if hw else "not available on this machine"),
        ]
        for tool, version in sorted((m.get("tools") or {}).items()):
            rows.append((tool, version))
        self.h2("Provenance")
        self.table(["", "value"], rows)

    def reading(self):
        """How to read every number below: what is timed, the notation, the marks."""
        run = self.run
        timed = [pts for pts in (run.procs, run.chunk, run.size, run.python, run.backends)
                 if pts]
        has_runs = bool(run.runs)
        judged = any(p.judged for pts in timed for p in pts)
        startup = any(p.limit <= pr.STARTUP_LIMIT for p in run.size or [])
        self.h2("How to read these numbers")
        items = [
            "**What is timed.** Every time is the wall time of a whole process, spawn to reap: "
            "start-up (loading, forking the workers, writing the output file) included. "
            "Programs compared with one another ran as one comparison, in blocks that run each "
            "once in a fresh random order. Per-worker compute time (each worker's busy time, "
            "PAPI real clock) comes from one `--metrics` run per point: the load-balance and "
            "counter figures. "
            + ("The problem-size section subtracts each program's start-up, timed apart at "
               f"N = {pr.STARTUP_LIMIT} where there is nothing to compute, to fit the cost "
               "exponent on compute time." if startup else
               "Start-up: not measured in this run, so the cost exponent is fitted on "
               "whole-process times."),
            "**Notation.** `142.0 ms [140.3, 145.1]` is a median over the runs and its 95% "
            "interval, from order statistics (valid whatever the distribution; at least 6 runs, "
            "else `[too few runs]`). A speedup or ratio `1.89 [1.85, 1.93]` is a ratio of "
            "medians with a 95% bootstrap interval (10,000 resamples, percentile), resampled by "
            "block where both programs ran in the same blocks (paired), each side on its own "
            "elsewhere; it always names its base case, with the base's time and number of runs.",
            "**P(faster)** is the share of pairs of runs, one of each program, in which the "
            "second ran faster: 0.50 is no difference, 1.00 every run faster.",
            "**Suspect** points: bench/measure measures a comparison again while a program's "
            "runs are disturbed (CV above 5%, more than 0.25 cores busy with other work, more "
            "than 0.1 cores stolen by the hypervisor); a point still disturbed in the last "
            "attempt is suspect. Suspect points are marked in the tables, listed with why in "
            "Noise, drawn hollow in the figures, and left out of every fit and finding."
            + ("" if judged else " Suspect marks: not measured in this run (it predates them)."),
            "**Figures**: lines join only points along an ordered axis (processes, chunk size, "
            "N, clients); programs and schedules are separate series or bars, never joined.",
        ]
        if stats is None:
            items.append("**No intervals in this report**: they need scipy (python3-scipy; "
                         "scripts/report runs with /usr/bin/python3).")
        elif not has_runs:
            items.append("**No intervals in this report**: the run keeps no per-run times "
                         "(timed before bench/measure).")
        self.ul(items)

    def headline(self):
        run = self.run
        self.h2("Naive vs parallel")
        if not run.procs:
            self.absent("process sweep (primes_procs)")
            return
        self.p("`nonoptimized` (one process) against `optimized` (P fork()ed workers, dynamic "
               "schedule, chunk 1000). Speedup S = T1 / TP with T1 the single-process time; "
               "efficiency S / P; Karp-Flatt e(P) = (1/S - 1/P) / (1 - 1/P), the serial fraction "
               "the measurement implies, meaningless where S < 1 (shown as slower than serial); "
               "P(faster): the share of pairs of runs in which the parallel run was faster.")
        limits = sorted({p.limit for p in pr.find(run.procs, program="optimized")})
        for limit in limits:
            base = pr.find(run.procs, program="nonoptimized", limit=limit)
            if not base:
                continue
            base = base[0]
            t1 = base.median
            before = (self.nums.paired, self.nums.unpaired)
            rows = [(marked("1 (nonoptimized)", base), self.nums.time(base), "1.00", "1.00",
                     "-", "-")]
            points = sorted(pr.find(run.procs, program="optimized", limit=limit,
                                    schedule="dynamic"), key=lambda p: p.procs)
            for point in points:
                s = t1 / point.median
                _, speedup = self.nums.ratio(base, point)
                pf = self.nums.p_faster(base, point)
                rows.append((marked(str(point.procs), point), self.nums.time(point), speedup,
                             num(s / point.procs), self.nums.karp_flatt(s, point.procs),
                             num(pf)))
            self.p(f"**N = {limit_text(limit)}**")
            self.table(["P", "time (median [95%])", "speedup [95%]", "efficiency",
                        "Karp-Flatt e(P)", "P(faster)"], rows)
            self.p(self.speedup_note(base, self.nums.paired - before[0],
                                     self.nums.unpaired - before[1],
                                     [p for p in points if p.suspect]))
            self.figure(f"time_procs_{limit}", f"Time vs processes at N = {limit_text(limit)}: "
                        "median with min-max band, ideal T1/P dashed.")
            self.figure(f"speedup_procs_{limit}", f"Speedup and efficiency at N = "
                        f"{limit_text(limit)}, with the Amdahl fit and Karp-Flatt per point.")
            self.findings += fd.scaling(self.nums, limit)

    def speedup_note(self, base, paired, unpaired, bad):
        """What the speedup column is: its base, its intervals, the points left out."""
        text = f"Speedup against {self.nums.base(base)}. "
        if paired or unpaired:
            text += ("In brackets a 95% bootstrap interval of the ratio of medians, "
                     + ("resampled by block (both programs ran in the same shuffled blocks)"
                        if paired and not unpaired else
                        "each side resampled on its own" if not paired else
                        "resampled by block where both ran in the same blocks, each side on "
                        "its own elsewhere") + ". ")
        elif stats is None:
            text += "No intervals: they need scipy (python3-scipy). "
        else:
            text += "No intervals: the run holds no per-run times. "
        if base.suspect:
            text += f"The base case is suspect ({base.suspect}): no finding quotes a speedup. "
        if bad:
            text += ("Marked suspect (disturbed by load from elsewhere, and left out of the "
                     "Amdahl fit and the findings): "
                     + "; ".join(f"P = {p.procs}: {p.suspect}" for p in bad) + ".")
        return text.strip()

    def schedules(self):
        run = self.run
        cores = run.cores
        self.h2("Schedules and load balance")
        if not run.procs:
            self.absent("process sweep (primes_procs)")
            return
        limit = min(p.limit for p in run.procs)
        base = pr.find(run.procs, program="nonoptimized", limit=limit)
        rows = []
        for s in SCHEDULES:
            for p in pr.find(run.procs, program="optimized", limit=limit, procs=cores,
                             schedule=s):
                speedup = self.nums.ratio(base[0], p)[1] if base else "-"
                rows.append((marked(s, p), self.nums.time(p), f"{sec(p.min)} - {sec(p.max)}",
                             speedup))
        self.p(f"All three schedules with P = {cores} at N = {limit_text(limit)}"
               + (f" (single process: {self.nums.base(base[0])})" if base else "") + ". "
               "`static` gives each worker one contiguous block; testing n costs up to sqrt(n) "
               "divisions, so the last block is the dearest. `cyclic` deals chunks round-robin; "
               "`dynamic` hands out the next chunk to whichever worker is free.")
        self.table(["schedule", "time (median [95%])", "min - max", "speedup [95%]"], rows)
        self.balance()
        if self.run.metrics:
            self.figure("load_balance", "Per-worker busy time and trial divisions per "
                        "schedule (one --metrics run each).")

    def balance(self):
        rows = self.run.metrics
        if not rows:
            self.absent("per-worker counter sweep (primes_metrics)")
            return
        cores = self.run.cores
        table = []
        for s in SCHEDULES:
            # The fork()ed processes' rows only: the other backends' --metrics runs
            # (optimized-threads, ...) share the schedule, P and chunk.
            mine = [r for r in rows if r["program"] == "optimized" and r["schedule"] == s
                    and r["worker"] != "all" and r["procs"] == cores
                    and (s == "static" or r["chunk"] == 1000)]
            if not mine:
                continue
            divs = [r["trial_divisions"] for r in mine[-cores:]]
            busy = [r["wall_ns"] for r in mine[-cores:]]
            if min(divs) <= 0 or min(busy) <= 0:
                continue
            table.append((s, f"{max(divs) / min(divs):.2f}", f"{max(busy) / min(busy):.2f}",
                          f"{sum(divs) / len(divs) / (sum(busy) / len(busy)) * 1e3:.0f}"))
            if s == "static":
                self.findings.append(fd.static_imbalance(divs))
        if table:
            self.p("Imbalance = busiest worker / least busy worker (1.00 is perfect), from one "
                   "`--metrics` run per schedule: each worker's own compute time, no start-up.")
            self.table(["schedule", "trial-division imbalance", "busy-time imbalance",
                        "trial divisions per second per worker (millions)"], table)

    def chunks(self):
        pts = self.run.chunk
        self.h2("Chunk size")
        if not pts:
            self.absent("chunk-size sweep (primes_chunk)")
            return
        present = [s for s in ("dynamic", "cyclic") if pr.find(pts, schedule=s)]
        rows = []
        for chunk in sorted({p.chunk for p in pts}):
            row = [str(chunk)]
            for s in present:
                hit = pr.find(pts, schedule=s, chunk=chunk)
                row.append(marked(self.nums.time(hit[0]), hit[0]) if hit else "-")
            rows.append(row)
        self.p(f"P = {pts[0].procs}, N = {limit_text(pts[0].limit)}: time (median [95%]) per "
               "chunk. Tiny chunks pay for the shared counter (dynamic) or deal the even numbers "
               "to one worker (cyclic with chunk 1 and even P); huge chunks leave a worker alone "
               "with the last one.")
        self.table(["chunk"] + present, rows)
        self.figure("time_chunk", "Time vs chunk size, log x.")
        self.findings += fd.chunks(self.nums)

    def size(self):
        run = self.run
        self.h2("Problem size")
        programs = [pg for pg in ("nonoptimized", "optimized", "primesieve")
                    if pr.size_points(run, pg)]
        if not programs:
            self.absent("problem-size sweep (primes_size)")
            return
        costs = {pg: fd.Cost(self.nums, pg) for pg in programs}
        limits = sorted({p.limit for pg in programs for p in pr.size_points(run, pg)})
        startup = any(c.startup is not None for c in costs.values())
        rows = []
        for n in limits:
            row = [limit_text(n)]
            for pg in programs:
                hit = [p for p in costs[pg].points if p.limit == n]
                if not hit:
                    row.append("-")
                    continue
                cell = self.nums.time(hit[0])
                if costs[pg].startup is not None and not hit[0].suspect:
                    c = costs[pg].compute.get(n)
                    cell += f"; compute {sec(c)}" if c is not None else "; compute -"
                if n in costs[pg].why:
                    cell += " (suspect)" if hit[0].suspect else " (left out)"
                row.append(cell)
            rows.append(row)
        if startup:
            rows.append([f"start-up (N = {pr.STARTUP_LIMIT})"]
                        + [marked(self.nums.time(costs[pg].startup), costs[pg].startup)
                           if costs[pg].startup else "-" for pg in programs])
        rows.append(["exponent k, " + ("compute" if startup else "whole-process")
                     + " time ~ N^k [95%]"] + [costs[pg].exponent() for pg in programs])
        self.p("Brute force tests every n with up to sqrt(n) divisions, so its time grows about "
               "as N^1.5 / ln N; a sieve grows about as N. primesieve (single thread, counting "
               "without printing) is the state of the art.")
        self.table(["N"] + programs, rows)
        if startup:
            self.p(f"Each cell: the whole-process time (median [95%]), then the compute time, "
                   f"that median less the program's start-up, timed at N = {pr.STARTUP_LIMIT} "
                   "in a comparison of its own. The exponent is fitted (least squares on the "
                   "logarithms, 95% interval from the residuals) to the compute times, leaving "
                   "out a point that is suspect, no longer than start-up, whose interval "
                   "overlaps start-up's (within its noise), or whose time is mostly start-up.")
        else:
            self.p("Start-up: not measured in this run. The exponent is fitted to whole-process "
                   f"times of at least {pr.SLOPE_MIN_TIME_S * 1e3:.0f} ms, which start-up still "
                   "bends towards a flatter line.")
        why = [f"`{c.program}` at N = {limit_text(n)}: {w}" for c in costs.values()
               for n, w in sorted(c.why.items())]
        if why:
            self.p("Left out of the fits: " + "; ".join(why) + ".")
        self.figure("cost_growth", "Time vs N, log-log, with the fitted exponents.")
        self.findings += fd.size(self.nums, costs)

    def python(self):
        pts = self.run.python
        self.h2("C vs the lab's Python solutions")
        if not pts:
            self.absent("C-vs-Python sweep (primes_python)")
            return
        rows = [(marked(p.program, p), str(p.procs), self.nums.time(p)) for p in pts]
        self.p("The lab's two Python programs as one writes them first (bench/python/): plain "
               "brute force, and the same function over multiprocessing.Pool.")
        self.table(["program", "processes", "time (median [95%])"], rows)
        self.figure("c_vs_python", "C vs Python, log scale.")
        self.findings += fd.python(self.nums)

    def counters(self):
        self.h2("Counters")
        if not self.run.metrics:
            self.absent("per-worker counter sweep (primes_metrics)")
            return
        hw = self.run.meta.get("hardware_counters_available")
        self.p("Software-defined events (PAPI SDE) count every trial division exactly; hardware "
               "events (instructions, cycles, cache misses, mispredicted branches) are "
               + ("counted on this machine." if hw else
                  "**not available on this machine** (no performance-monitoring unit is exposed, "
                  "as in most virtual machines), so their cells are empty."))
        self.figure("counters", "Trial divisions per second per worker; IPC where counted.")

    def backends(self):
        report_backends.section(self)

    def server(self):
        report_server.section(self)

    def model(self):
        report_model.section(self)

    def noise(self):
        self.h2("Noise")
        sweeps = [("primes_procs", self.run.procs), ("primes_chunk", self.run.chunk),
                  ("primes_size", self.run.size), ("primes_python", self.run.python),
                  ("primes_backends", self.run.backends)]
        sweeps = [(name, pts) for name, pts in sweeps if pts]
        if not sweeps:
            self.absent("timed primes sweep")
            return
        judged = any(p.judged for _, pts in sweeps for p in pts)
        rows = []
        for name, pts in sweeps:
            cvs = [p.cv for p in pts]
            rows.append((name, str(len(pts)), f"{statistics.median(cvs):.1f}%",
                         f"{max(cvs):.1f}%", str(sum(1 for c in cvs if c > 5.0)),
                         str(sum(1 for p in pts if p.suspect)) if judged else "-"))
        self.p("Coefficient of variation (stddev / mean) of each point's runs; short points "
               "(a few ms) are the noisiest. A point whose CV stays above 5% is suspect only "
               "if it was still so after bench/measure measured its comparison again.")
        self.table(["sweep", "points", "median CV", "max CV", "points with CV > 5%",
                    "suspect points"], rows)
        if not judged:
            self.p("Suspect points: not measured in this run (its sweeps predate the marks).")
            return
        bad = [(name, p) for name, pts in sweeps for p in pts if p.suspect]
        if not bad:
            self.p("No point was marked suspect: every finding uses every point.")
            return
        self.p(f"Every suspect point ({len(bad)}): marked in the tables above, hollow in the "
               "figures, and left out of every fit and finding.")
        self.table(["sweep", "point", "time (median [95%])", "CV", "why suspect"],
                   [(name, fd.point_name(p), self.nums.time(p), f"{p.cv:.1f}%", p.suspect)
                    for name, p in bad])

    def build(self):
        self.provenance()
        self.reading()
        self.headline()
        self.backends()
        self.schedules()
        self.chunks()
        self.size()
        self.python()
        self.counters()
        self.server()
        self.model()
        self.noise()
        self.h2("Reproduce")
        self.p("`make bench` (or `make bench-quick`) measures a new run into results/; "
               "`make report RUN=results/<run>` redraws this report from a run without measuring.")
        # Findings go right after provenance and how to read them.
        at = self.blocks.index(("h2", "Naive vs parallel"))
        self.blocks[at:at] = [("h2", "Findings"),
                              ("ul", self.findings or ["No findings: the run holds too few "
                                                       "points."])]

    # -- rendering -----------------------------------------------------------------------
    def title(self):
        m = self.run.meta
        return f"parlab report: {m.get('sweep', '')} run of {m.get('date_utc', '')}"

    def markdown(self):
        out = [f"# {self.title()}", ""]
        for b in self.blocks:
            if b[0] == "h2":
                out += [f"## {b[1]}", ""]
            elif b[0] == "p":
                out += [b[1], ""]
            elif b[0] == "ul":
                out += [f"- {item}" for item in b[1]] + [""]
            elif b[0] == "table":
                header, rows = b[1], b[2]
                out.append("| " + " | ".join(header) + " |")
                out.append("|" + "|".join(" --- " for _ in header) + "|")
                out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
                out.append("")
            elif b[0] == "pre":
                out += ["```", b[1], "```", ""]
            elif b[0] == "fig":
                out += [f"![{b[2]}]({b[1]})", "", f"*{b[2]}*", ""]
        return "\n".join(out)

    def html(self):
        def inline(text):
            # The small markdown subset the text uses: `code` and **bold**.
            t = html.escape(text)
            parts = t.split("`")
            t = "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))
            parts = t.split("**")
            return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))

        body = [f"<h1>{html.escape(self.title())}</h1>"]
        for b in self.blocks:
            if b[0] == "h2":
                anchor = b[1].lower().replace(" ", "-")
                body.append(f'<h2 id="{html.escape(anchor)}">{html.escape(b[1])}</h2>')
            elif b[0] == "p":
                body.append(f"<p>{inline(b[1])}</p>")
            elif b[0] == "ul":
                body.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in b[1]) + "</ul>")
            elif b[0] == "table":
                head = "".join(f"<th>{inline(h)}</th>" for h in b[1])
                rows = "".join("<tr>" + "".join(f"<td>{inline(str(c))}</td>" for c in row)
                               + "</tr>" for row in b[2])
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
            elif b[0] == "pre":
                body.append(f"<pre>{html.escape(b[1])}</pre>")
            elif b[0] == "fig":
                body.append(f'<figure><img src="{html.escape(b[1])}" alt="{html.escape(b[2])}">'
                            f"<figcaption>{inline(b[2])}</figcaption></figure>")
        return HTML_PAGE.format(title=html.escape(self.title()), body="\n".join(body))


HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.5; }}
h1 {{ font-size: 1.6rem; border-bottom: 2px solid #1f77b4; padding-bottom: .3rem; }}
h2 {{ font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }}
table {{ border-collapse: collapse; margin: .8rem 0; font-size: .92rem; }}
th, td {{ border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }}
th {{ background: #f2f5f9; }}
tbody tr:nth-child(even) {{ background: #fafafa; }}
code {{ background: #f3f3f3; padding: 0 .2rem; border-radius: 3px; }}
pre {{ background: #f3f3f3; padding: .6rem; overflow-x: auto; font-size: .88rem; }}
figure {{ margin: 1rem 0; }}
figure img {{ max-width: 100%; height: auto; border: 1px solid #eee; }}
figcaption {{ font-size: .9rem; color: #555; }}
li {{ margin: .3rem 0; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def drawn_figures(out, run):
    """The figures scripts/plots drew from this very run into out/figures (its figures.json
    carries the run's fingerprint); none when they were drawn from another run or not at all."""
    try:
        with open(os.path.join(out, "figures", "figures.json")) as f:
            stamp = json.load(f)
    except (OSError, ValueError):
        return set()
    if not isinstance(stamp, dict) or stamp.get("run") != run.fingerprint or \
            not isinstance(stamp.get("figures"), list):
        return set()
    return {n for n in stamp["figures"] if isinstance(n, str)}


def main(argv):
    parser = pr.ArgumentParser("report", __doc__)
    parser.add_argument("run", nargs="?", default=os.path.join(ROOT, "results", "latest"))
    parser.add_argument("--out", default=os.path.join(ROOT, "report"))
    args = parser.parse_args(argv[1:])
    if not args.out:
        parser.error("--out needs a folder")
    try:
        report = Report(pr.Run(args.run), args.out)
        report.build()
    except pr.ResultsError as e:
        print(f"report: {e}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    write_atomic(os.path.join(args.out, "report.md"), report.markdown())
    write_atomic(os.path.join(args.out, "report.html"), report.html())
    for missing in report.missing_figures:
        print(f"report: warning: {missing} was not drawn for this run (scripts/plots RUN "
              f"--out {os.path.join(args.out, 'figures')})", file=sys.stderr)
    print(os.path.join(args.out, "report.html"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
