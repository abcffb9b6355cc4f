"""Writes parlab's report, report.md and report.html, from one results run. Every number
and every finding is computed from the run's files; figures come from scripts/plots.

usage: scripts/report [RUN] [--out DIR]
  RUN   a results folder (default results/latest)
  DIR   where report.md and report.html go (default report/); figures are expected in
        DIR/figures (scripts/plots RUN --out DIR/figures)

A figure is embedded only if scripts/plots drew it from this very run (DIR/figures/figures.json
holds the run's fingerprint); any other is named as not drawn, never shown. A sweep the run
did not measure is said to be missing.

Exit 2 on a missing, incomplete or malformed run, naming the file, row and column."""
import html
import json
import os
import statistics
import sys

from . import results as pr

try:  # the speedups' intervals need scipy (Debian's python3-scipy, /usr/bin/python3)
    from . import stats
except ImportError:
    stats = None

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEDULES = ["dynamic", "static", "cyclic"]


def limit_text(n):
    exp = len(str(n)) - 1
    return f"10^{exp}" if n == 10 ** exp else f"{n:,}"


def sec(t):
    if t is None:
        return "-"
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.3f} s"


def num(v, digits=2):
    return "-" if v is None else f"{v:.{digits}f}"


def ms(us):
    """A latency in ms; '-' where loadgen measured none (no session ended with a mean)."""
    return "-" if us is None else f"{us / 1e3:.2f}"


def pct(a, b):
    """How much a exceeds b, in percent."""
    return 100.0 * (a / b - 1.0)


class Report:
    def __init__(self, run, out):
        self.run = run
        self.out = out
        self.blocks = []
        self.findings = []
        self.missing_figures = []
        self.drawn = drawn_figures(out, run)

    # -- building blocks -------------------------------------------------------------
    def h2(self, text):
        self.blocks.append(("h2", text))

    def p(self, text):
        self.blocks.append(("p", text))

    def table(self, header, rows):
        self.blocks.append(("table", header, rows))

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

    def headline(self):
        run = self.run
        self.h2("Naive vs parallel")
        if not run.procs:
            self.absent("process sweep (primes_procs)")
            return
        self.p("`nonoptimized` (one process) against `optimized` (P fork()ed workers, dynamic "
               "schedule, chunk 1000). Speedup S = T1 / TP with T1 the single-process time; "
               "efficiency S / P; Karp-Flatt e(P) = (1/S - 1/P) / (1 - 1/P), the serial fraction "
               "the measurement implies.")
        limits = sorted({p.limit for p in pr.find(run.procs, program="optimized")})
        for limit in limits:
            t1 = pr.serial_time(run.procs, limit)
            if t1 is None:
                continue
            base = pr.find(run.procs, program="nonoptimized", limit=limit)[0]
            bad = pr.suspect_procs(run, limit, "dynamic")
            rows = [("1 (nonoptimized)" + (" (suspect)" if base.suspect else ""), sec(t1),
                     "1.00", "1.00", "-")]
            paired = unpaired = 0
            for procs, med, _, _, s, e, kf in pr.scaling_table(run, limit, "dynamic"):
                point = pr.find(run.procs, program="optimized", limit=limit, procs=procs,
                                schedule="dynamic")[0]
                speedup = num(s)
                a, b, pairs = pr.paired_runs(run, "primes_procs", base, point)
                if stats is not None and len(a) >= 2 and len(b) >= 2:
                    speedup = str(stats.ratio_ci(a, b, paired=pairs))
                    paired, unpaired = paired + pairs, unpaired + (not pairs)
                rows.append((f"{procs}" + (" (suspect)" if procs in bad else ""), sec(med),
                             speedup, num(e), num(kf, 3)))
            self.p(f"**N = {limit_text(limit)}**")
            self.table(["P", "time (median)", "speedup", "efficiency", "Karp-Flatt e(P)"], rows)
            self.p(self.speedup_note(base, t1, paired, unpaired, bad))
            self.figure(f"time_procs_{limit}", f"Time vs processes at N = {limit_text(limit)}: "
                        "median with min-max band, ideal T1/P dashed.")
            self.figure(f"speedup_procs_{limit}", f"Speedup and efficiency at N = "
                        f"{limit_text(limit)}, with the Amdahl fit and Karp-Flatt per point.")
            self.scaling_findings(limit, t1)

    def speedup_note(self, base, t1, paired, unpaired, bad):
        """What the speedup column is: its base, its intervals, the points left out."""
        text = (f"Speedup against `nonoptimized`'s median, {sec(t1)} over {base.runs} runs. ")
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
        if bad:
            text += ("Marked suspect (disturbed by load from elsewhere, and left out of the "
                     "Amdahl fit): " + "; ".join(f"P = {p}: {why}" for p, why in
                                                 sorted(bad.items())) + ".")
        return text.strip()

    def scaling_findings(self, limit, t1):
        run = self.run
        at = {s: {r[0]: r for r in pr.scaling_table(run, limit, s)} for s in SCHEDULES}
        cores = run.cores
        dyn = at["dynamic"].get(cores)
        if dyn and dyn[4]:
            self.findings.append(
                f"At N = {limit_text(limit)}, {cores} processes on {cores} cores take "
                f"{sec(dyn[1])} against {sec(t1)} in one process: speedup {dyn[4]:.2f}, "
                f"efficiency {dyn[5]:.0%}.")
        f = pr.fitted_serial_fraction(run, limit, "dynamic")
        left_out = sorted(p for p in pr.suspect_procs(run, limit, "dynamic") if 1 < p <= cores)
        if f is None and left_out:
            self.findings.append(
                f"No Amdahl fit at N = {limit_text(limit)}: every point with 1 < P <= {cores} "
                "was disturbed by load from elsewhere (suspect).")
        if f is not None:
            if f > 0:
                bound = f"so at most {1 / f:.0f}x on any number of cores"
            else:
                # Speedups at or above P within the noise fit a fraction at or below zero.
                bound = "no serial part measurable: the speedup is at the ideal within the noise"
            self.findings.append(
                f"Amdahl fit at N = {limit_text(limit)} (dynamic, P <= {cores}"
                + (f", leaving out the suspect P = {', '.join(map(str, left_out))}"
                   if left_out else "") + f"): serial fraction f = {f:.3f}, {bound}.")
        over = [r for p, r in at["dynamic"].items() if p > cores and r[6] is not None]
        if over and dyn and dyn[6] is not None:
            worst = max(over, key=lambda r: r[6])
            self.findings.append(
                f"Karp-Flatt e(P) rises from {dyn[6]:.3f} at P = {cores} to {worst[6]:.3f} at "
                f"P = {worst[0]}: processes beyond the {cores} cores add no processor, only "
                "switching, so the 'serial fraction' they imply grows.")
        here = {s: at[s].get(cores) for s in SCHEDULES if at[s].get(cores)}
        if len(here) >= 2:
            best = min(here, key=lambda s: here[s][1])
            worst = max(here, key=lambda s: here[s][1])
            self.findings.append(
                f"With P = {cores} at N = {limit_text(limit)}, `{best}` wins ({sec(here[best][1])}); "
                f"`{worst}` is {pct(here[worst][1], here[best][1]):.0f}% slower "
                f"({sec(here[worst][1])}).")

    def schedules(self):
        run = self.run
        cores = run.cores
        self.h2("Schedules and load balance")
        if not run.procs:
            self.absent("process sweep (primes_procs)")
            return
        limit = min(p.limit for p in run.procs)
        t1 = pr.serial_time(run.procs, limit)
        rows = []
        for s in SCHEDULES:
            for procs, med, lo, hi, sp, e, kf in pr.scaling_table(run, limit, s):
                if procs == cores:
                    rows.append((s, sec(med), f"{sec(lo)} - {sec(hi)}", num(sp), num(e)))
        self.p(f"All three schedules with P = {cores} at N = {limit_text(limit)} "
               f"(single process: {sec(t1)}). `static` gives each worker one contiguous block; "
               "testing n costs up to sqrt(n) divisions, so the last block is the dearest. "
               "`cyclic` deals chunks round-robin; `dynamic` hands out the next chunk to "
               "whichever worker is free.")
        self.table(["schedule", "time (median)", "min - max", "speedup", "efficiency"], rows)
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
            mine = [r for r in rows if r["schedule"] == s and r["worker"] != "all"
                    and r["procs"] == cores and (s == "static" or r["chunk"] == 1000)]
            if not mine:
                continue
            divs = [r["trial_divisions"] for r in mine[-cores:]]
            busy = [r["wall_ns"] for r in mine[-cores:]]
            if min(divs) <= 0 or min(busy) <= 0:
                continue
            table.append((s, f"{max(divs) / min(divs):.2f}", f"{max(busy) / min(busy):.2f}",
                          f"{sum(divs) / len(divs) / (sum(busy) / len(busy)) * 1e3:.0f}"))
            if s == "static":
                self.findings.append(
                    f"`static` is unbalanced by construction: its busiest worker did "
                    f"{max(divs) / min(divs):.2f}x the trial divisions of its least busy one; "
                    "the last block holds the largest, dearest numbers.")
        if table:
            self.p("Imbalance = busiest worker / least busy worker (1.00 is perfect).")
            self.table(["schedule", "trial-division imbalance", "busy-time imbalance",
                        "trial divisions per second per worker (millions)"], table)

    def chunks(self):
        pts = self.run.chunk
        self.h2("Chunk size")
        if not pts:
            self.absent("chunk-size sweep (primes_chunk)")
            return
        rows = []
        for s in ("dynamic", "cyclic"):
            mine = pr.find(pts, schedule=s)
            if not mine:
                continue
            best = min(mine, key=lambda p: p.median)
            worst = max(mine, key=lambda p: p.median)
            rows.append((s, str(best.chunk), sec(best.median), str(worst.chunk), sec(worst.median)))
            self.findings.append(
                f"Best chunk for `{s}`: {best.chunk} ({sec(best.median)}); the worst, {worst.chunk}, "
                f"is {pct(worst.median, best.median):.0f}% slower.")
        self.p(f"P = {pts[0].procs}, N = {limit_text(pts[0].limit)}. Tiny chunks pay for the "
               "shared counter (dynamic) or deal the even numbers to one worker (cyclic with "
               "chunk 1 and even P); huge chunks leave a worker alone with the last one.")
        self.table(["schedule", "best chunk", "time", "worst chunk", "time"], rows)
        self.figure("time_chunk", "Time vs chunk size, log x.")

    def size(self):
        pts = self.run.size
        self.h2("Problem size")
        if not pts:
            self.absent("problem-size sweep (primes_size)")
            return
        limits = sorted({p.limit for p in pts})
        programs = [pg for pg in ("nonoptimized", "optimized", "primesieve")
                    if pr.find(pts, program=pg)]
        rows = []
        for n in limits:
            row = [limit_text(n)]
            for pg in programs:
                hit = pr.find(pts, program=pg, limit=n)
                row.append(sec(hit[0].median) if hit else "-")
            rows.append(row)
        slopes = {pg: pr.loglog_slope([(p.limit, p.median) for p in pr.find(pts, program=pg)])
                  for pg in programs}
        rows.append(["fitted exponent k (time ~ N^k)"] + [num(slopes[pg]) for pg in programs])
        self.p("Brute force tests every n with up to sqrt(n) divisions, so time grows about as "
               "N^1.5 / ln N; a sieve grows about as N. primesieve (single thread) is the state "
               "of the art.")
        self.table(["N"] + programs, rows)
        self.figure("cost_growth", "Time vs N, log-log, with the fitted exponents.")
        big = limits[-1]
        non = pr.find(pts, program="nonoptimized", limit=big)
        sieve = pr.find(pts, program="primesieve", limit=big)
        if slopes.get("nonoptimized") is not None:
            self.findings.append(
                f"Brute-force cost grows as N^{slopes['nonoptimized']:.2f}"
                + (f", primesieve's as N^{slopes['primesieve']:.2f}" if slopes.get("primesieve") else "")
                + (f"; at N = {limit_text(big)} primesieve is {non[0].median / sieve[0].median:.0f}x "
                   "faster than one brute-force process" if non and sieve else "") + ".")

    def python(self):
        pts = self.run.python
        self.h2("C vs the lab's Python solutions")
        if not pts:
            self.absent("C-vs-Python sweep (primes_python)")
            return
        by = {p.program: p for p in pts}
        rows = [(p.program, str(p.procs), sec(p.median)) for p in pts]
        self.p("The lab's two Python programs as one writes them first (bench/python/): plain "
               "brute force, and the same function over multiprocessing.Pool.")
        self.table(["program", "processes", "time (median)"], rows)
        self.figure("c_vs_python", "C vs Python, log scale.")
        pairs = [("nonoptimized", "python_nonoptimized"), ("optimized", "python_optimized")]
        for c, py in pairs:
            if c in by and py in by:
                self.findings.append(
                    f"C `{c}` is {by[py].median / by[c].median:.0f}x faster than the Python "
                    f"{'brute force' if c == 'nonoptimized' else 'Pool version'} "
                    f"({sec(by[c].median)} vs {sec(by[py].median)}).")

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

    def server(self):
        self.h2("Server")
        rows = self.run.server
        if not rows:
            self.absent("server sweep (server_clients)")
            return
        labels = pr.labels_in_order(rows)
        table = []
        peak = {}
        for label in labels:
            mine = sorted((r for r in rows if r["label"] == label), key=lambda r: r["clients"])
            for r in mine:
                table.append((label, str(r["clients"]), f"{r['sessions_per_s']:,.0f}",
                              ms(r["latency_p50_us"]), ms(r["latency_p99_us"])))
            series = [(r["clients"], r["sessions_per_s"]) for r in mine]
            best = max(series, key=lambda x: x[1])
            peak[label] = best
            sat = saturation(series)
            self.findings.append(
                f"Server `{label}` peaks at {best[1]:,.0f} sessions/s with {best[0]} clients"
                + (f"; throughput saturates from {sat} clients on" if sat else "") + ".")
        if len(peak) >= 2:
            first = labels[0]
            for other in labels[1:]:
                if peak[other][1] <= 0:
                    continue
                self.findings.append(
                    f"At their peaks `{first}` does {peak[first][1] / peak[other][1]:.2f}x the "
                    f"sessions/s of `{other}`.")
        self.p("Closed loop, no pause: each client runs connect, number, `ready`, read the mean, "
               "close, and starts again (loadgen).")
        self.table(["server", "clients", "sessions/s", "p50 (ms)", "p99 (ms)"], table)
        self.figure("server", "Sessions per second and latency vs concurrent clients.")
        self.server_pairs()

    def server_pairs(self):
        pairs = pr.server_pairs(self.run.server_repeat)
        if not pairs["ratio"]:
            return
        n = len(pairs["ratio"])

        def spread(xs, shown):
            return (f"{shown(statistics.median(xs))} ({shown(min(xs))} to {shown(max(xs))})")

        whole = lambda v: f"{v:,.0f}"  # noqa: E731
        times = lambda v: f"{v:.2f}x"  # noqa: E731
        self.p(f"Paired runs: {n} times over, a fresh parlab server and then a fresh epoll "
               "server, each under 64 closed-loop clients. Median (min to max) over the runs; "
               "the regression gate judges parlab's throughput and the ratio.")
        self.table(["64 clients", "parlab", "epoll", "parlab / epoll"],
                   [("sessions/s", spread(pairs["sessions"], whole),
                     spread(pairs["epoll"], whole), spread(pairs["ratio"], times))])
        self.findings.append(
            f"Over {n} paired runs at 64 clients `parlab` does "
            f"{statistics.median(pairs['ratio']):.2f}x the sessions/s of `epoll` "
            f"({min(pairs['ratio']):.2f}x to {max(pairs['ratio']):.2f}x).")

    def noise(self):
        self.h2("Noise")
        rows = []
        for name, pts in (("primes_procs", self.run.procs), ("primes_chunk", self.run.chunk),
                          ("primes_size", self.run.size), ("primes_python", self.run.python)):
            if not pts:
                continue
            cvs = [p.cv for p in pts]
            noisy = sum(1 for c in cvs if c > 5.0)
            rows.append((name, str(len(pts)), f"{statistics.median(cvs):.1f}%", f"{max(cvs):.1f}%",
                         str(noisy)))
        if not rows:
            self.absent("timed primes sweep")
            return
        self.p("Coefficient of variation (stddev / mean) of each point's runs. Points above 5% "
               "are flagged while they run; short points (a few ms) are the noisiest.")
        self.table(["sweep", "points", "median CV", "max CV", "points with CV > 5%"], rows)

    def build(self):
        self.provenance()
        self.headline()
        self.schedules()
        self.chunks()
        self.size()
        self.python()
        self.counters()
        self.server()
        self.noise()
        self.h2("Reproduce")
        self.p("`make bench` (or `make bench-quick`) measures a new run into results/; "
               "`make report RUN=results/<run>` redraws this report from a run without measuring.")
        # Findings go right after provenance.
        self.blocks.insert(2, ("h2", "Findings"))
        self.blocks.insert(3, ("ul", self.findings or ["No findings: the run holds too few points."]))

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
            elif b[0] == "fig":
                body.append(f'<figure><img src="{html.escape(b[1])}" alt="{html.escape(b[2])}">'
                            f"<figcaption>{inline(b[2])}</figcaption></figure>")
        return HTML_PAGE.format(title=html.escape(self.title()), body="\n".join(body))


def saturation(series):
    """The smallest client count after which adding clients gains less than 5% throughput."""
    series = sorted(series)
    for i in range(len(series) - 1):
        if series[i + 1][1] < series[i][1] * 1.05:
            return series[i][0]
    return None


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
