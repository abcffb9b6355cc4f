"""The verdicts of a pairwise comparison, revision A (the reference) against revision B (the
candidate), measured in one session: scripts/compare's rules, the same as the regression
gate's (scripts/regress), with no stored baseline.

A timing row (per-run wall times of A and of B, the i-th of each from the same shuffled
block) is SLOWER when all three hold:

- B is slower than A by more than the threshold (default 10%, the gate's): the median of the
  per-block ratios b_i / a_i, or, for runs not paired by block, the ratio of the medians;
- a two-sided test says p < alpha (default 0.01): the Wilcoxon signed-rank test on the
  per-block log ratios, where load from elsewhere cancels (Mann-Whitney U when unpaired);
- B's fastest run is slower than A's fastest by more than the threshold too: a burst of load
  from elsewhere slows some runs, a slower program slows all of them.

A slowdown that misses the test is reported as not significant, one that spares the fastest
run as some runs slowed; both pass. Faster by as much, significantly, is "faster" and never
fails. Beside the verdict a row carries P(faster), the share of the (run of A, run of B) pairs
where B's run was the faster (U / (n1 n2): 0.5 is no difference), and B/A, the ratio of the
medians with its percentile bootstrap interval, resampled by block (stats.ratio_ci, paired):
what a block shared, the machine's state at that moment, stays shared in every resample.

An exact row (output checksum, trial divisions, primes found) must be equal: "changed"
otherwise, a failure. An instruction count (callgrind, exact and repeatable) fails when B's
exceeds A's by more than its own threshold (default 2%, the gate's).

Pure functions over numbers and strings: no files, no processes."""
import statistics
import sys
from dataclasses import dataclass

from . import stats

THRESHOLD_PCT = 10.0       # scripts/regress --threshold
ALPHA = 0.01               # scripts/regress --alpha
INSTRUCTIONS_PCT = 2.0     # scripts/regress --instructions

OK, SLOWER, FASTER, CHANGED = "ok", "SLOWER", "faster", "changed"
FAILING = (SLOWER, CHANGED)

HEADER = ("metric", "A", "B", "change", "verdict", "P(B faster)", "B/A [95% CI]", "note")


@dataclass
class Row:
    metric: str
    a: str
    b: str
    change_pct: object      # float, or None where a change means nothing (exact rows)
    verdict: str
    p_faster: object = None  # float or None
    ratio: object = None     # stats.Ratio (B's median over A's) or None
    p_value: object = None   # float or None
    note: str = ""

    @property
    def failed(self):
        return self.verdict in FAILING

    def cells(self):
        return (self.metric, self.a, self.b,
                "" if self.change_pct is None else f"{self.change_pct:+.1f}%",
                self.verdict,
                "" if self.p_faster is None else f"{self.p_faster:.2f}",
                "" if self.ratio is None else str(self.ratio),
                self.note)


def _pct(a, b):
    return 100.0 * (b / a - 1.0) if a > 0 else 0.0


def timing(metric, a, b, threshold=THRESHOLD_PCT, alpha=ALPHA, paired=True):
    """Judges the wall times a (revision A) and b (revision B) of one point. paired: the i-th
    run of each came from the same block (equal counts), as scripts/compare measures them.

    Paired, the change is the median of the per-block ratios b_i / a_i and the test is the
    Wilcoxon signed-rank test on their logs: load that falls on a block falls on both of its
    runs and cancels in the ratio, so a busy machine neither hides a slowdown nor fakes one.
    Unpaired, the change is the ratio of the medians and the test Mann-Whitney's."""
    a = [float(x) for x in a]
    b = [float(x) for x in b]
    if not a or not b:
        raise ValueError(f"{metric}: no runs to judge ({len(a)} of A, {len(b)} of B)")
    paired = paired and len(a) == len(b)
    ma, mb = statistics.median(a), statistics.median(b)
    best_change = _pct(min(a), min(b))
    if paired:
        change = 100.0 * (statistics.median(stats.block_ratios(a, b)) - 1.0)
        p = stats.signed_rank(a, b)
        test, floor = "signed-rank", stats.min_blocks_for(alpha)
    else:
        change = _pct(ma, mb)
        p = stats.mann_whitney(a, b)
        test, floor = "U test", stats.min_runs_for(alpha)
    pf = stats.p_faster(a, b)
    ratio = stats.ratio_ci(b, a, paired=paired)
    notes = [f"{test} p = {p:.3g}, runs {len(a)}/{len(b)}"]
    verdict = OK
    if change > threshold:
        if p >= alpha:
            notes.append("not significant")
        elif best_change <= threshold:
            notes.append(f"best run {best_change:+.1f}%: some runs slowed, not the program")
        else:
            verdict = SLOWER
    elif change < -threshold and p < alpha and best_change < -threshold:
        verdict = FASTER
    if min(len(a), len(b)) < floor:
        notes.append(f"too few runs to reach p < {alpha:g}")
    return Row(metric, f"{ma:.4f}", f"{mb:.4f}", change, verdict, pf, ratio, p,
               ", ".join(notes))


def exact(metric, a, b):
    """Two values that must be equal (a checksum, a count)."""
    def cut(v):
        v = str(v)
        return v[:12] + "..." if len(v) > 16 else v

    same = str(a) == str(b)
    return Row(metric, cut(a), cut(b), None, OK if same else CHANGED,
               note="" if same else "must match exactly")


def instructions(metric, a, b, threshold=INSTRUCTIONS_PCT):
    """Instruction counts (callgrind): B may exceed A by at most `threshold` percent."""
    change = _pct(float(a), float(b))
    verdict = SLOWER if change > threshold else (FASTER if change < -threshold else OK)
    return Row(metric, f"{a:,.0f}", f"{b:,.0f}", change, verdict,
               note=f"callgrind, limit {threshold:g}%")


def failed(rows):
    return sum(1 for r in rows if r.failed)


def table(rows, every_row=False):
    """The rows not ok (every row with every_row) as aligned text lines, header first; no
    lines when there is nothing to show."""
    shown = [r.cells() for r in rows if every_row or r.verdict != OK]
    if not shown:
        return []
    lines = [HEADER] + shown
    widths = [max(len(str(r[i])) for r in lines) for i in range(len(HEADER))]
    return ["  ".join(str(v).ljust(widths[i]) for i, v in enumerate(r)).rstrip()
            for r in lines]


def summary(rows, threshold=THRESHOLD_PCT, alpha=ALPHA, prog="compare"):
    """The one-line verdict."""
    worse = failed(rows)
    faster = sum(1 for r in rows if r.verdict == FASTER)
    extra = f"; {faster} faster" if faster and worse else (f" ({faster} faster)" if faster
                                                            else "")
    if worse:
        return (f"{prog}: REGRESSION: {worse} worse, of {len(rows)} metrics "
                f"(threshold {threshold:g}%, alpha {alpha:g}){extra}")
    return f"{prog}: no regression in {len(rows)} metrics{extra}"


def report(rows, out=None, every_row=False, threshold=THRESHOLD_PCT, alpha=ALPHA,
           prog="compare"):
    out = out or sys.stdout
    for line in table(rows, every_row):
        out.write(line + "\n")
    out.write(summary(rows, threshold, alpha, prog) + "\n")
