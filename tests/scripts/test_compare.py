"""Self-tests of scripts/compare and scripts/parlab/judge.py: the pairwise rules on made-up
samples (a clearly slower B fails, identical samples never do, a slowdown the test cannot
vouch for or that spares the fastest run passes, an exact mismatch fails), the usage errors,
and two --tiny sessions on given bin folders (no build): the same programs on both sides
pass and write their files; a B whose output differs fails. No assertion on how long
anything took (the machine may be busy).

usage: test_compare.py [BIN]   (BIN: the programs' folder, default $PARLAB_BIN or build/bin)"""
import csv
import json
import math
import os
import random
import stat
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # the package is loaded from the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COMPARE = os.path.join(ROOT, "scripts", "compare")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from parlab import judge  # noqa: E402
from checks import check, done  # noqa: E402 (beside this file)


BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.environ.get("PARLAB_BIN", os.path.join(ROOT, "build", "bin")))


def noisy(rng, center, n, cv=0.02):
    return [center * math.exp(rng.gauss(0.0, cv)) for _ in range(n)]


def test_rules():
    rng = random.Random(7)
    a = noisy(rng, 1.0, 15)

    slow = judge.timing("t", a, noisy(rng, 1.3, 15))
    check("clearly slower B", judge.SLOWER, slow.verdict)
    check("clearly slower B fails", True, slow.failed)
    check("P(faster) of a clearly slower B", 0.0, slow.p_faster)
    check("B/A of a clearly slower B", True, 1.2 < slow.ratio.value < 1.4)
    check("its interval holds the ratio", True, slow.ratio.lo <= slow.ratio.value <= slow.ratio.hi)

    same = judge.timing("t", a, list(a))
    check("identical samples", judge.OK, same.verdict)
    check("identical samples: P(faster)", 0.5, same.p_faster)
    # Draws from one distribution never fail, whatever their noise within the threshold.
    verdicts = {judge.timing("t", noisy(rng, 1.0, 15, 0.03), noisy(rng, 1.0, 15, 0.03)).verdict
                for _ in range(40)}
    check("A/A draws never fail", set(), verdicts & set(judge.FAILING))

    few = judge.timing("t", [1.0, 1.01, 0.99], [1.3, 1.31, 1.29])
    check("slower in too few runs", judge.OK, few.verdict)
    check("... said so", True, "not significant" in few.note and "too few runs" in few.note)

    wide = judge.timing("t", noisy(rng, 1.0, 15, 0.3), noisy(rng, 1.15, 15, 0.3))
    check("slower within wide noise: not failed", False, wide.failed)

    # Half of B's runs slowed by a burst of load: the median moves, the fastest run does not.
    burst = judge.timing("t", [1.0 + 0.001 * i for i in range(20)],
                         [1.0 + 0.001 * i for i in range(3)] + [1.5 + 0.01 * i for i in range(17)])
    check("some runs slowed", judge.OK, burst.verdict)
    check("... said so", True, "some runs slowed" in burst.note)

    # Load from elsewhere that slows whole blocks (both runs of a block alike, by up to
    # 2.5x, in a random half of them): the paired test sees through it, both ways.
    def loaded(slowdown, seed):
        r = random.Random(seed)
        xs, ys = [], []
        for _ in range(15):
            load = 1.0 + (r.uniform(0.2, 1.5) if r.random() < 0.5 else 0.0)
            xs.append(load * math.exp(r.gauss(0.0, 0.02)))
            ys.append(load * slowdown * math.exp(r.gauss(0.0, 0.02)))
        return xs, ys

    caught = sum(judge.timing("t", *loaded(1.25, s)).failed for s in range(20))
    check("a 25% slowdown under block load: caught 20 of 20", 20, caught)
    missed = sum(judge.timing("t", *loaded(1.25, s), paired=False).failed for s in range(20))
    check("... which the unpaired U test misses in some", True, missed < 20)
    false = sum(judge.timing("t", *loaded(1.0, s)).failed for s in range(20))
    check("A/A under block load: never fails", 0, false)
    check("the note names the test", True, "signed-rank" in slow.note)

    fast = judge.timing("t", a, noisy(rng, 0.7, 15))
    check("clearly faster B", judge.FASTER, fast.verdict)
    check("faster never fails", False, fast.failed)

    check("equal exact values", judge.OK, judge.exact("x", "abc", "abc").verdict)
    check("an exact mismatch", judge.CHANGED, judge.exact("x", "117527", "117528").verdict)
    check("an exact mismatch fails", True, judge.exact("x", 1, 2).failed)
    check("instructions +1%", judge.OK, judge.instructions("i", 1000, 1010).verdict)
    check("instructions +3%", judge.SLOWER, judge.instructions("i", 1000, 1030).verdict)
    check("instructions -3%", judge.FASTER, judge.instructions("i", 1000, 970).verdict)

    rows = [same, judge.exact("x", 1, 1)]
    check("summary, nothing failed", "compare: no regression in 2 metrics",
          judge.summary(rows))
    check("only rows not ok are shown", [], judge.table(rows))
    check("--all shows every row", 3, len(judge.table(rows, every_row=True)))
    check("summary, a failure", True,
          judge.summary(rows + [slow]).startswith("compare: REGRESSION: 1 worse, of 3"))


def run(*args, timeout=120):
    return subprocess.run([COMPARE, *args], capture_output=True, text=True, timeout=timeout)


def test_usage():
    r = run("no-such-revision-xyz")
    check("a bad revision: exit", 2, r.returncode)
    lines = r.stderr.strip().splitlines()
    check("... one line", 1, len(lines))
    check("... naming it", True, bool(lines) and "'no-such-revision-xyz'" in lines[0])
    check("... nothing on stdout", "", r.stdout)
    r = run("HEAD", "HEAD~100000")
    check("a bad B: exit", 2, r.returncode)
    check("... naming it", True, "'HEAD~100000'" in r.stderr)
    r = run("--bin-a", BIN)
    check("--bin-a alone", 2, r.returncode)
    r = run("--bin-a", BIN, "--bin-b", BIN, "HEAD")
    check("bin folders and a revision", 2, r.returncode)
    r = run("--runs", "0")
    check("--runs 0", 2, r.returncode)
    r = run("--bin-a", "/nonexistent", "--bin-b", BIN, "--tiny")
    check("a bin folder without the programs", 2, r.returncode)
    check("... named", True, "/nonexistent/nonoptimized" in r.stderr)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_session(tmp):
    out = os.path.join(tmp, "same")
    r = run("--tiny", "--bin-a", BIN, "--bin-b", BIN, "--out", out, "--seed", "1")
    check("same programs both sides: exit", 0, r.returncode)
    if r.returncode != 0:
        print(r.stdout + r.stderr, file=sys.stderr)
        return
    check("the verdict line", True, "compare: no regression in" in r.stdout)
    check("the folder named", True, out in r.stdout or os.path.relpath(out) in r.stdout)
    for name in ("meta.json", "runs.csv", "summary.csv", "exact.csv", "verdict.csv"):
        check(f"{name} written", True, os.path.isfile(os.path.join(out, name)))
    with open(os.path.join(out, "meta.json")) as f:
        meta = json.load(f)
    check("meta.json complete", True, meta.get("complete"))
    check("meta.json: both sides", ["A", "B"], sorted(meta.get("sides", {})))
    runs = rows(os.path.join(out, "runs.csv"))
    points = {(r["program"], r["procs"]) for r in runs}
    check("runs: every point has A and B alike", True,
          all(sum(1 for r in runs if (r["program"], r["procs"]) == p and r["variant"] == "A")
              == sum(1 for r in runs if (r["program"], r["procs"]) == p and r["variant"] == "B")
              == meta["runs"] for p in points))
    verdict = rows(os.path.join(out, "verdict.csv"))
    check("verdict: no failure", [], [v["metric"] for v in verdict
                                      if v["verdict"] in judge.FAILING])
    check("verdict: exact rows", True,
          any(v["metric"].startswith("trial_divisions") for v in verdict))

    # A B whose output has one line more: its checksums change, so the session fails.
    fake = os.path.join(tmp, "fake")
    os.mkdir(fake)
    for prog in ("nonoptimized", "optimized"):
        path = os.path.join(fake, prog)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n"
                    f"'{BIN}/{prog}' \"$@\" || exit\n"
                    "case \" $* \" in *' --output out.txt '*) printf '\\n2' >>out.txt;; esac\n")
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    out = os.path.join(tmp, "changed")
    r = run("--tiny", "--bin-a", BIN, "--bin-b", fake, "--out", out, "--seed", "1")
    check("B's output changed: exit", 1, r.returncode)
    check("... a changed checksum shown", True, "sha256 nonoptimized" in r.stdout
          and "changed" in r.stdout)
    check("... the verdict line", True, "compare: REGRESSION:" in r.stdout)


def main():
    test_rules()
    test_usage()
    with tempfile.TemporaryDirectory(prefix="parlab-test-compare.") as tmp:
        test_session(tmp)
    return done("test_compare")


if __name__ == "__main__":
    sys.exit(main())
