"""parlab's regression gate: compares a results run with a baseline run.

usage: scripts/regress [OPTIONS] BASELINE_RUN CURRENT_RUN
       scripts/regress [OPTIONS] --baselines DIR CURRENT_RUN
       scripts/regress --check-run RUN
       scripts/regress --machine-id RUN

  --threshold PCT     a timing or speedup regression must be worse by more than this, in
                      the median and in the best run (default 10)
  --alpha P           ... and, for timings, significant by a two-sided Mann-Whitney U test on
                      the per-run times at this level (default 0.01)
  --instructions PCT  instruction counts (callgrind) may grow by at most this (default 2)
  --all               print every metric; by default only those not ok, then the verdict
  --baselines DIR     the baseline is DIR/<machine_id of CURRENT_RUN>/ if there is one, else
                      the one of DIR/*/ built by the same compiler with the most metrics in
                      common with CURRENT_RUN (make regress: DIR = results/baselines)
  --check-run RUN     only check that RUN is a complete, well-formed run (make baseline)
  --machine-id RUN    print the machine_id of RUN, a complete run (exit 2 if it has none)

Both runs must be complete (marked so by bench/run's last step) and well formed; a torn or
malformed run is refused, naming the file, row and column.

Runs of the same machine (the same machine_id in meta.json): judged are every timed point
(the per-run times of <sweep>.runs.csv), the speedup at each process count, output checksums and exact
counts (must match), instruction counts, and at the server's paired repeat point
(server_repeat.csv) the thread model's throughput and its ratio to one event loop's
(`epoll-1`; a baseline of before the models names them `parlab` and `epoll`, and is read in
today's names, as are its other server rows). Reported only:
the other server points (one run each) and tail latency. Runs of two machines: only what
travels is judged, checksums, exact counts and instruction counts (these when both runs'
binaries come from the same compiler), and one line says timings need a baseline of this
machine. A baseline of before bench/measure (hyperfine's JSON, no runs.csv) serves only what
travels too. Improvements are reported, never failed. A metric of the baseline that the current
run lacks fails: a run that measured less cannot vouch for what it did not measure; where
the machines' core counts differ, a baseline row at a process count the current run did not
measure is listed as not comparable here (the sweeps follow the cores), not failed.

Exit 0 no regression, 1 regression (or missing metrics), 2 usage, or a missing, incomplete
or malformed run."""
import argparse
import math
import os
import re
import statistics
import sys

from . import models as md
from . import results as pr
from . import stats


# The statistics are parlab.stats' (Mann-Whitney through scipy): one implementation for the
# gate, the comparison and the report.
median = statistics.median


def mann_whitney_p(a, b):
    """Two-sided Mann-Whitney p of two samples; 1.0 when one is empty (nothing to judge)."""
    return stats.mann_whitney(a, b) if a and b else 1.0


# -- reading runs ------------------------------------------------------------------------

KEY_FIELDS = tuple(pr.KEY)
JUDGED_PROGRAMS = ("nonoptimized", "optimized", "optimized-threads", "optimized-openmp")
# Reported, not judged, and why: the yardsticks say the machine changed, not parlab's code;
# primes_mpi's time is mostly mpirun's start-up (Open MPI's), and its ranks' TCP traffic.
NOT_JUDGED = {"primes_mpi": "MPI program: mostly mpirun's start-up; reported, not judged"}


def key_text(fields):
    return " ".join(f"{k}={fields[k]}" for k in KEY_FIELDS if k in fields)


def unbuilt_programs(run):
    """{program: why} for the backends the run's build or machine lacked, as its meta.json
    records them: a baseline's rows of those are not comparable here, rather than missing."""
    backends = run.meta.get("primes_backends")
    if not isinstance(backends, str):
        return {}  # a run of before the backend sweep: nothing recorded
    out = {}
    if "openmp" not in backends.split():
        out["optimized-openmp"] = "built without OpenMP here"
    if "mpi" not in run.meta:
        out["primes_mpi"] = "no primes_mpi or mpirun here"
    return out


def key_program(key):
    """The program a key_text() names (its first field)."""
    first = key.split(" ", 1)[0]
    return first.split("=", 1)[1] if first.startswith("program=") else None


def timed_points(run):
    """{(sweep, key): (fields, per-run seconds)} from every runs.csv of a run (the last
    attempt of each comparison)."""
    return {(sweep, key): point for sweep, rows in run.runs.items()
            for key, point in pr.timed_runs(rows).items()}


def keyed_rows(rows, value_columns, row_filter=None):
    """{key: (procs, {column: value})} of a table's rows."""
    return {key_text(row): (row["procs"], {c: row[c] for c in value_columns})
            for row in rows or [] if not row_filter or row_filter(row)}


MACHINE_ID_RE = re.compile(r"[0-9a-f]{12}")


def machine_id(run):
    """The run's machine_id (bench/collect.py fingerprint()), or None: a run from before
    fingerprints, or one whose id is not 12 hex digits, is of no known machine."""
    mid = run.meta.get("machine_id")
    return mid if isinstance(mid, str) and MACHINE_ID_RE.fullmatch(mid) else None


def same_machine(base, cur):
    return machine_id(base) is not None and machine_id(base) == machine_id(cur)


def same_compiler(base, cur):
    """Instruction counts travel between machines only with the binaries' compiler."""
    return all(base.meta.get(k) and base.meta.get(k) == cur.meta.get(k)
               for k in ("compiler", "machine"))


def server_key(row):
    key = f"{row['label']} {row['mode']} clients={row['clients']}"
    # The open-loop sweep runs the same clients at several rates: the rate tells them apart.
    return key + (f" rate={row['rate_per_s']:g}" if row["rate_per_s"] is not None else "")


# -- comparison ------------------------------------------------------------------------

FAILING = ("SLOWER", "changed", "MISSING")
NOT_COMPARABLE = "n/a"


class Gate:
    def __init__(self, threshold, alpha, instr_threshold):
        self.threshold = threshold
        self.alpha = alpha
        self.instr_threshold = instr_threshold
        self.rows = []  # (metric, baseline, current, change, verdict, note)
        self.base_cores = self.cur_cores = None
        self.unbuilt = {}  # {program: why} the current run could not have measured
        self.lines = []  # said once, before the verdict

    def absent(self, metric, base, procs, measured):
        """A baseline row the current run lacks. Where the two machines' core counts differ,
        the sweeps' process counts differ too: a row at a process count the current run
        measured nowhere in that table is not comparable here (listed, not failed); any
        other absent row is MISSING, but for a program the current run could not measure."""
        if self.not_here(metric, base, key_program(metric.split(": ", 1)[1])):
            return
        if self.base_cores != self.cur_cores and procs not in measured:
            why = (f"procs={procs} exceeds this machine's {self.cur_cores} cores"
                   if procs > self.cur_cores else f"procs={procs} not measured here")
            self.add(metric, base, "-", None, NOT_COMPARABLE,
                     f"{why}: not comparable here (the sweeps follow the cores: "
                     f"{self.base_cores} there, {self.cur_cores} here)")
        else:
            self.missing(metric, base)

    def add(self, metric, base, cur, change, verdict, note=""):
        ch = "" if change is None else f"{change:+.1f}%"
        self.rows.append((metric, base, cur, ch, verdict, note))

    def not_here(self, metric, base, program):
        """A baseline row of a program the current run's build lacks: listed, not failed."""
        if program not in self.unbuilt:
            return False
        self.add(metric, base, "-", None, NOT_COMPARABLE,
                 f"{self.unbuilt[program]}: not comparable here")
        return True

    def missing(self, metric, base):
        """A baseline metric the current run lacks: a failure, not a skip, or a torn or
        narrower run would pass for a clean one."""
        self.add(metric, base, "-", None, "MISSING", "not in the current run")

    def count(self, verdict):
        return sum(1 for r in self.rows if r[4] == verdict)

    @property
    def failed(self):
        return sum(self.count(v) for v in FAILING)

    def timings(self, base, cur):
        for key in sorted(base):
            sweep, point = key
            metric = f"{sweep}: {point} (s)"
            fields, b = base[key]
            if key not in cur:
                if not self.not_here(metric, f"{median(b):.4f}", fields["program"]):
                    self.missing(metric, f"{median(b):.4f}")
                continue
            # primesieve and the Python solutions are the yardsticks, not parlab's code: a
            # change in them says the machine changed.
            judged = fields["program"] in JUDGED_PROGRAMS
            note = "" if judged else NOT_JUDGED.get(fields["program"], "reference program: "
                                                    "reported, not judged")
            self.samples(metric, b, cur[key][1], lambda v: f"{v:.4f}", False,
                         judged=judged, note=note)

    def samples(self, metric, b, c, shown, higher_is_better, judged=True, note=""):
        """Judges two samples of one metric. Worse fails when the median is worse by more than
        the threshold, the U test finds the samples apart, and the best run is worse by more
        than the threshold too: a burst of load from elsewhere slows some runs, a slower
        program slows all of them. Better by as much, and significant, is reported as faster."""
        mb, mc = median(b), median(c)
        change = 100.0 * (mc / mb - 1.0) if mb > 0 else 0.0
        best_b, best_c = (max(b), max(c)) if higher_is_better else (min(b), min(c))
        best_change = 100.0 * (best_c / best_b - 1.0) if best_b > 0 else 0.0
        sign = -1.0 if higher_is_better else 1.0
        worse, best_worse = sign * change, sign * best_change
        p = mann_whitney_p(b, c)
        notes = [f"p = {p:.3g}, runs {len(b)}/{len(c)}"]
        verdict = "ok"
        if worse > self.threshold:
            if p >= self.alpha:
                notes.append("not significant")
            elif best_worse <= self.threshold:
                notes.append(f"best run {best_change:+.1f}%: some runs slowed, not the program")
            elif judged:
                verdict = "SLOWER"
        elif worse < -self.threshold and p < self.alpha and best_worse < -self.threshold:
            verdict = "faster" if judged else "ok"
        if note:
            notes.append(note)
        self.add(metric, shown(mb), shown(mc), change, verdict, ", ".join(notes))

    def speedups(self, base, cur):
        """Speedup S = median(T1) / TP, judged like a timing: worse by more than the
        threshold and significant over the per-run samples median(T1) / t_i."""
        def table(points):
            serial, out = {}, {}
            for (sweep, _), (f, times) in points.items():
                if sweep == "primes_procs" and f["program"] == "nonoptimized":
                    serial[f["limit"]] = median(times)
            for (sweep, _), (f, times) in points.items():
                if sweep == "primes_procs" and f["program"] == "optimized" \
                        and f["limit"] in serial:
                    key = f"N={f['limit']} P={f['procs']} {f['schedule']}"
                    out[key] = [serial[f["limit"]] / t for t in times]
            return out

        b, c = table(base), table(cur)
        for key in sorted(b):
            if key not in c:
                self.missing(f"speedup {key}", f"{median(b[key]):.2f}")
                continue
            self.samples(f"speedup {key}", b[key], c[key], lambda v: f"{v:.2f}", True)

    def exact(self, label, base, cur):
        def cut(v):
            v = str(v)
            return v[:12] + "..." if len(v) > 16 else v

        measured = {procs for procs, _ in cur.values()}
        for key in sorted(base):
            procs, values = base[key]
            for col, bv in values.items():
                metric = f"{label} {col}: {key}"
                if key not in cur:
                    self.absent(metric, cut(bv), procs, measured)
                    continue
                cv = cur[key][1][col]
                self.add(metric, cut(bv), cut(cv), None,
                         "ok" if bv == cv else "changed", "" if bv == cv else "must match exactly")

    def instructions(self, base, cur, comparable=""):
        """comparable: empty, or why the counts do not compare (another compiler)."""
        measured = {procs for procs, _ in cur.values()}
        for key in sorted(base):
            procs, b = base[key][0], base[key][1]["instructions"]
            if comparable:
                c = f"{cur[key][1]['instructions']:,.0f}" if key in cur else "-"
                self.add(f"instructions: {key}", f"{b:,.0f}", c, None, NOT_COMPARABLE,
                         comparable)
                continue
            if key not in cur:
                self.absent(f"instructions: {key}", f"{b:,.0f}", procs, measured)
                continue
            c = cur[key][1]["instructions"]
            change = 100.0 * (c / b - 1.0) if b > 0 else 0.0
            verdict = "SLOWER" if change > self.instr_threshold else (
                "faster" if change < -self.instr_threshold else "ok")
            self.add(f"instructions: {key}", f"{b:,.0f}", f"{c:,.0f}", change, verdict, "callgrind")

    def server_repeats(self, base_run, cur_run):
        """The thread model's throughput over the paired runs, and per pair its ratio to one
        event loop's (`epoll-1`); the p99 beside them is reported (at a closed loop's
        saturation it follows from the throughput, and its tail is the noisiest figure of a
        run). Named by today's labels: a baseline of before the models (`parlab` against
        `epoll`, the same two servers) is read through models.Pairs and gates a newer run."""
        b, c = md.Pairs(base_run), md.Pairs(cur_run)
        whole = lambda v: f"{v:,.0f}"  # noqa: E731
        sessions = f"server_repeat thread clients={md.CLIENTS} sessions_per_s"
        ratio = "server_repeat thread/epoll-1 sessions_per_s"
        p99 = f"server_repeat thread clients={md.CLIENTS} latency_p99_us"
        if b.sessions:
            if c.sessions:
                self.samples(sessions, b.sessions, c.sessions, whole, True)
            else:
                self.missing(sessions, whole(median(b.sessions)))
        if b.ratio:
            if c.ratio:
                self.samples(ratio, b.ratio, c.ratio, lambda v: f"{v:.3f}", True)
            else:
                self.missing(ratio, f"{median(b.ratio):.3f}")
        if b.p99:
            bp = median(b.p99)
            if not c.p99:
                self.missing(p99, whole(bp))
            elif bp > 0:
                cp = median(c.p99)
                self.add(p99, whole(bp), whole(cp), 100.0 * (cp / bp - 1.0), "ok",
                         "tail latency: reported, not judged")

    def server(self, base_run, cur_run):
        """The single runs of the server sweeps, keyed by today's labels (models.model_names:
        a baseline's `parlab` is `thread`, its `epoll` the single loop, `epoll-1`)."""
        for name in ("server_clients.csv", "server_rate.csv", "server_hold.csv"):
            cols = ("sessions_per_s", "latency_p99_us")
            b = {server_key(r): r for r in md.model_names(base_run, name)}
            c = {server_key(r): r for r in md.model_names(cur_run, name)}
            for key in sorted(b):
                for col in cols:
                    metric = f"{name[:-4]} {key} {col}"
                    bv = b[key][col]
                    if bv is None:  # no latency measured in the baseline: nothing to compare
                        continue
                    cv = c[key][col] if key in c else None
                    if cv is None:
                        self.missing(metric, f"{bv:,.0f}")
                        continue
                    if bv <= 0:
                        continue
                    change = 100.0 * (cv / bv - 1.0)
                    worse = -change if col == "sessions_per_s" else change
                    note = "one run each: reported, not judged" if worse > self.threshold else ""
                    self.add(metric, f"{bv:,.0f}", f"{cv:,.0f}", change, "ok", note)

    def print(self, out=None, every_row=False):
        """The rows not ok (every row with every_row), the lines to say once, and the
        verdict, one line."""
        out = out or sys.stdout
        header = ("metric", "baseline", "current", "change", "verdict", "note")
        shown_rows = [r for r in self.rows if every_row or r[4] != "ok"]
        if shown_rows:
            rows = [header] + shown_rows
            widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
            for r in rows:
                out.write("  ".join(str(v).ljust(widths[i])
                                    for i, v in enumerate(r)).rstrip() + "\n")
        for line in self.lines:
            out.write(f"regress: {line}\n")
        faster, missing = self.count("faster"), self.count("MISSING")
        others = [f"{faster} faster"] if faster else []
        if self.count(NOT_COMPARABLE):
            others.append(f"{self.count(NOT_COMPARABLE)} not comparable here")
        judged = len(self.rows) - self.count(NOT_COMPARABLE)
        if self.failed:
            worse = self.failed - missing
            parts = ([f"{worse} worse"] if worse else []) + \
                ([f"{missing} missing from the current run"] if missing else [])
            out.write(f"regress: REGRESSION: {' and '.join(parts)}, of {judged} metrics "
                      f"(threshold {self.threshold:g}%, alpha {self.alpha:g})"
                      + (f"; {', '.join(others)}" if others else "") + "\n")
        else:
            out.write(f"regress: no regression in {judged} metrics"
                      + (f" ({', '.join(others)})" if others else "") + "\n")


def compare(gate, base, cur):
    """Judges cur against base: everything when both come from the same machine, only what
    travels (checksums, exact counts, instruction counts) otherwise."""
    gate.base_cores, gate.cur_cores = base.cores, cur.cores
    gate.unbuilt = unbuilt_programs(cur)
    local = same_machine(base, cur)
    if local:
        kb, kc = base.meta.get("fingerprint", {}), cur.meta.get("fingerprint", {})
        if isinstance(kb, dict) and isinstance(kc, dict) and kb.get("kernel") != kc.get("kernel"):
            print(f"regress: note: the kernel changed ({pr.shown(kb.get('kernel'))} vs "
                  f"{pr.shown(kc.get('kernel'))}): timings that moved may owe it",
                  file=sys.stderr)
        if base.legacy:
            # A run of before bench/measure: hyperfine's JSON, no per-run rows to test.
            gate.lines.append(f"timings not judged: the baseline {base.folder} holds no "
                              f"per-run times ({', '.join(base.legacy)}: hyperfine's JSON, "
                              "no runs.csv); make baseline")
        else:
            bt, ct = timed_points(base), timed_points(cur)
            gate.timings(bt, ct)
            gate.speedups(bt, ct)
    else:
        def which(run):
            mid = machine_id(run)
            return f"machine {mid}" if mid else "no known machine"
        gate.lines.append(f"timings not judged: the baseline {base.folder} is from "
                          f"{which(base)}, this run from {which(cur)}; they need a baseline "
                          "of this machine (make baseline)")
    gate.exact("checksum", *(keyed_rows(r.checksums, ["sha256"]) for r in (base, cur)))
    gate.exact("count", *(keyed_rows(r.metrics, ["trial_divisions", "primes_found"],
                                     lambda row: row["worker"] == "all") for r in (base, cur)))
    why = "" if local or same_compiler(base, cur) else \
        f"built by {pr.shown(base.meta.get('compiler'))} there: not comparable here"
    gate.instructions(*(keyed_rows(r.instructions, ["instructions"]) for r in (base, cur)),
                      comparable=why)
    if local:
        gate.server_repeats(base, cur)
        gate.server(base, cur)


def portable_keys(run):
    """The keys of a run's portable rows, to find the baseline that shares most of them."""
    keys = set()
    for label, rows in (("checksum", run.checksums), ("count", run.metrics),
                        ("instructions", run.instructions)):
        keys |= {(label, key_text(r)) for r in rows or []}
    return keys


def choose_baseline(folder, cur):
    """DIR/<machine_id of cur>/ when there is one; else, of DIR's baselines, one built by the
    same compiler if any, sharing the most portable rows with cur, the newest of equals."""
    if not os.path.isdir(folder):
        raise pr.ResultsError(f"{folder}: no such folder of baselines")
    mid = machine_id(cur)
    if mid and os.path.isdir(os.path.join(folder, mid)):
        return pr.Run(os.path.join(folder, mid))
    runs = [pr.Run(os.path.join(folder, n)) for n in sorted(os.listdir(folder))
            if not n.startswith(".") and os.path.isdir(os.path.join(folder, n))]
    if not runs:
        raise pr.ResultsError(f"{folder}: no baseline in it (make baseline)")
    mine = portable_keys(cur)
    return max(runs, key=lambda b: (same_compiler(b, cur), len(portable_keys(b) & mine),
                                    str(b.meta.get("date_utc", ""))))


def positive_number(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"'{text}' must be a positive number")
    return value


def parse_args(argv):
    parser = pr.ArgumentParser("regress", __doc__)
    parser.add_argument("--threshold", type=positive_number, default=10.0, metavar="PCT")
    parser.add_argument("--alpha", type=positive_number, default=0.01, metavar="P")
    parser.add_argument("--instructions", type=positive_number, default=2.0, metavar="PCT")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--baselines", metavar="DIR")
    parser.add_argument("--check-run", metavar="RUN")
    parser.add_argument("--machine-id", metavar="RUN")
    parser.add_argument("runs", nargs="*", metavar="RUN")
    args = parser.parse_args(argv)
    if args.check_run is not None or args.machine_id is not None:
        if args.runs or args.baselines is not None or \
                (args.check_run is not None and args.machine_id is not None):
            parser.error("--check-run and --machine-id take one run and no other")
    elif args.baselines is not None:
        if len(args.runs) != 1:
            parser.error("--baselines DIR takes CURRENT_RUN alone (see --help)")
    elif len(args.runs) != 2:
        parser.error("expected BASELINE_RUN and CURRENT_RUN (see --help)")
    return args


def main(argv):
    args = parse_args(argv[1:])
    try:
        if args.check_run is not None:
            run = pr.Run(args.check_run)
            print(f"regress: {args.check_run}: a complete run ({', '.join(run.sweeps)} sweeps, "
                  f"{len(run.files)} files)")
            return 0
        if args.machine_id is not None:
            mid = machine_id(pr.Run(args.machine_id))
            if mid is None:
                raise pr.ResultsError(f"{args.machine_id}: meta.json has no machine_id (a run "
                                      "from before machine fingerprints): of no known machine")
            print(mid)
            return 0
        if args.baselines is not None:
            cur = pr.Run(args.runs[0])
            base = choose_baseline(args.baselines, cur)
        else:
            base, cur = pr.Run(args.runs[0]), pr.Run(args.runs[1])
        gate = Gate(args.threshold, args.alpha, args.instructions)
        compare(gate, base, cur)
    except pr.ResultsError as e:
        print(f"regress: {e}", file=sys.stderr)
        return 2
    gate.print(every_row=args.all)
    return 1 if gate.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
