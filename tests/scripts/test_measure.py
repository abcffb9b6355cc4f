"""Self-tests of bench/measure and scripts/parlab/measure.py on tiny real programs: the shape
of shuffled blocks, rusage, a failing variant, outside load from a CPU hog started here, a
file with other columns, and SIGTERM in the middle of a run. Structure only: no assertion on
how long anything took (the machine may be busy)."""
import contextlib
import csv
import importlib.machinery
import importlib.util
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

# The package is loaded from the source tree: leave no bytecode there.
sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MEASURE = os.path.join(ROOT, "bench", "measure")
PY = sys.executable  # a Python for the hog and the 50 MiB child
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from parlab import measure  # noqa: E402
from checks import check, done  # noqa: E402 (beside this file)


def load_cli():
    """bench/measure in this process, for the usage cases (no interpreter start each)."""
    loader = importlib.machinery.SourceFileLoader("measure_cli", MEASURE)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("measure_cli",
                                                                               loader))
    loader.exec_module(module)
    return module


CLI = load_cli()


def run(*args, timeout=60):
    return subprocess.run([MEASURE, *args], capture_output=True, text=True, timeout=timeout)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def header(path):
    with open(path) as f:
        return f.readline().rstrip("\n").split(",")


def test_blocks(tmp):
    raw, summary = os.path.join(tmp, "b.raw.csv"), os.path.join(tmp, "b.csv")
    base = ["--runs", "6", "--warmup", "1", "--seed", "7",
            "--field", "limit=1000", "--field", "procs=2", "--cv-limit", "1000",
            "--outside-limit", "1000", "--steal-limit", "1000",
            "--variant", "t=/bin/true", "--variant", "s=sh -c 'exit 0'",
            "--variant", "e=/bin/echo 'two words'"]
    out = run(*base, "--raw", raw, "--summary", summary)
    check("blocks: exit", 0, out.returncode)
    check("blocks: raw header", ["limit", "procs"] + measure.RUN_COLUMNS, header(raw))
    check("blocks: summary header", ["limit", "procs"] + measure.SUMMARY_COLUMNS,
          header(summary))
    runs = rows(raw)
    check("blocks: one row per run", 18, len(runs))
    orders = {}
    for r in runs:
        orders.setdefault(r["block"], []).append((int(r["order_in_block"]), r["variant"]))
    check("blocks: blocks", ["1", "2", "3", "4", "5", "6"], sorted(orders))
    check("blocks: each variant once per block", [["e", "s", "t"]] * 6,
          [sorted(v for _, v in o) for o in orders.values()])
    check("blocks: positions 1..3", [[1, 2, 3]] * 6, [sorted(p for p, _ in o) for o in
                                                      orders.values()])
    sequences = {tuple(v for _, v in sorted(o)) for o in orders.values()}
    check("blocks: orders differ across blocks", True, len(sequences) > 1)
    check("blocks: seed recorded", {"7"}, {r["seed"] for r in runs})
    check("blocks: attempt 1", {"1"}, {r["attempt"] for r in runs})
    check("blocks: key fields", {("1000", "2")}, {(r["limit"], r["procs"]) for r in runs})
    check("blocks: exit 0 kept", {"0"}, {r["exit"] for r in runs})
    summ = rows(summary)
    check("blocks: one summary row per variant", ["t", "s", "e"], [r["variant"] for r in summ])
    check("blocks: runs", ["6"] * 3, [r["runs"] for r in summ])
    check("blocks: not suspect under wide limits", [""] * 3, [r["suspect"] for r in summ])
    check("blocks: attempts", ["1"] * 3, [r["attempts"] for r in summ])
    for r in summ:
        t = [float(r[c]) for c in ("min_s", "median_s", "max_s")]
        check(f"blocks: min <= median <= max ({r['variant']})", sorted(t), t)
    check("blocks: a line per variant on stdout", 3, len(out.stdout.splitlines()))

    # The same seed, the same order; another seed, another.
    same = os.path.join(tmp, "b2.raw.csv")
    run(*base, "--raw", same)
    check("blocks: a seed reproduces the order",
          [(r["block"], r["variant"]) for r in runs],
          [(r["block"], r["variant"]) for r in rows(same)])
    a = measure.blocks(4, 10, random.Random(1))
    b = measure.blocks(4, 10, random.Random(1))
    c = measure.blocks(4, 10, random.Random(2))
    check("blocks(): seeded", a, b)
    check("blocks(): seeds differ", True, a != c)
    check("blocks(): permutations", [[0, 1, 2, 3]] * 10, [sorted(o) for o in a])
    check("blocks(): fixed order", [[0, 1, 2]] * 3, measure.blocks(3, 3, random.Random(1),
                                                                   shuffle=False))
    # The summary appends under the same header.
    run(*base, "--summary", summary)
    check("blocks: appended", 6, len(rows(summary)))


def test_rusage(tmp):
    raw = os.path.join(tmp, "r.raw.csv")
    out = run("--runs", "2", "--warmup", "0", "--raw", raw, "--variant",
              f"big={PY} -c 'b = b\"x\" * (50 << 20)'", "--variant", "small=/bin/true")
    check("rusage: exit", 0, out.returncode)
    runs = rows(raw)
    check("rusage: 50 MiB seen", True,
          all(int(r["maxrss_kib"]) >= 50 * 1024 for r in runs if r["variant"] == "big"))
    check("rusage: times are numbers >= 0", True,
          all(float(r[c]) >= 0 for r in runs for c in ("user_s", "sys_s", "outside_cpu_s",
                                                      "steal_s", "loadavg")))
    check("rusage: wall > 0", True, all(float(r["wall_s"]) > 0 for r in runs))


def test_failure(tmp):
    summary = os.path.join(tmp, "f.csv")
    raw = os.path.join(tmp, "f.raw.csv")
    out = run("--runs", "3", "--warmup", "0", "--summary", summary, "--raw", raw,
              "--variant", "good=/bin/true",
              "--variant", "broken=sh -c 'echo boom >&2; echo more >&2; exit 3'")
    check("failure: exit 1", 1, out.returncode)
    lines = out.stderr.splitlines()
    check("failure: one line", 1, len(lines))
    check("failure: names variant, status, stderr", True,
          bool(lines) and all(w in lines[0] for w in ("'broken'", "exit 3", "boom")))
    check("failure: no summary", False, os.path.exists(summary))
    check("failure: no raw runs", False, os.path.exists(raw))
    out = run("--variant", "ghost=/nonexistent/program")
    check("failure: cannot start: exit 1", 1, out.returncode)
    check("failure: cannot start: named", True, "'ghost'" in out.stderr)
    # A failure in a warm-up run counts as well.
    out = run("--warmup", "1", "--variant", "w=/bin/false")
    check("failure: warm-up", (1, True), (out.returncode, "'w' failed: exit 1" in out.stderr))


def test_outside_load(tmp):
    summary = os.path.join(tmp, "o.csv")
    raw = os.path.join(tmp, "o.raw.csv")
    hog = subprocess.Popen([PY, "-c", "while True: pass"])
    try:
        if hasattr(os, "sched_setaffinity") and os.cpu_count() > 1:
            os.sched_setaffinity(hog.pid, {1})
        time.sleep(0.1)
        out = run("--runs", "3", "--warmup", "0", "--max-attempts", "3", "--outside-limit",
                  "0.1", "--summary", summary, "--raw", raw, "--field", "case=hog",
                  "--variant", "nap=/bin/sleep 0.2")
    finally:
        hog.kill()
        hog.wait()
    check("outside: exit", 0, out.returncode)
    summ = rows(summary)
    check("outside: one row", 1, len(summ))
    if summ:
        check("outside: attempts = 1 + 2 retries", "3", summ[0]["attempts"])
        check("outside: reason", True, "outside load" in summ[0]["suspect"])
        check("outside: cores measured", True, float(summ[0]["outside_cores"]) > 0.1)
    runs = rows(raw)
    check("outside: every attempt's runs kept", ["1"] * 3 + ["2"] * 3 + ["3"] * 3,
          [r["attempt"] for r in runs])
    check("outside: re-measuring said so", 2, out.stderr.count("measuring again"))

    # verdict(): every reason, joined.
    s = measure.Summary("v", 5, 1.0, 1.0, 0.123, 12.34, 0.9, 1.2, 0.5, 0.1, 0.61, 0.0, 0.2)
    check("verdict: reasons", "cv 12.3% > 5%; outside load 0.61 cores > 0.25; "
          "steal 0.20 cores > 0.1", measure.verdict(s, measure.Limits()))
    s = measure.Summary("v", 5, 1.0, 1.0, 0.01, 1.0, 0.9, 1.2, 0.5, 0.1, 0.1, 0.0, 0.0)
    check("verdict: clean", "", measure.verdict(s, measure.Limits()))


def test_header(tmp):
    summary = os.path.join(tmp, "h.csv")
    raw = os.path.join(tmp, "h.raw.csv")
    with open(summary, "w") as f:
        f.write("program,limit,runs,median_s\nx,1,1,0.1\n")
    out = run("--summary", summary, "--field", "limit=1", "--variant", "t=/bin/true")
    check("header: refused", 2, out.returncode)
    check("header: one line naming the file", (1, True),
          (len(out.stderr.splitlines()), summary in out.stderr))
    with open(summary) as f:
        check("header: file untouched", "program,limit,runs,median_s\nx,1,1,0.1\n", f.read())
    with open(raw, "w") as f:
        f.write("variant,block\n")
    out = run("--raw", raw, "--variant", "t=/bin/true")
    check("header: raw refused", 2, out.returncode)
    # The writer itself refuses, and leaves no temporary behind.
    try:
        measure.append_rows(summary, ["a", "b"], [[1, 2]])
        check("append_rows: refused", "MeasureError", "nothing")
    except measure.MeasureError:
        check("append_rows: refused", True, True)
    fresh = os.path.join(tmp, "fresh.csv")
    measure.append_rows(fresh, ["a", "b"], [[1, 2]])
    measure.append_rows(fresh, ["a", "b"], [[3, 4], [5, 6]])
    with open(fresh) as f:
        check("append_rows: appends", "a,b\n1,2\n3,4\n5,6\n", f.read())
    check("append_rows: no temporary left", [], [n for n in os.listdir(tmp) if ".tmp" in n])


def children_of(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_signals(tmp):
    for signum, status in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
        summary = os.path.join(tmp, f"sig{signum}.csv")
        raw = os.path.join(tmp, f"sig{signum}.raw.csv")
        proc = subprocess.Popen([MEASURE, "--runs", "3", "--warmup", "0", "--summary", summary,
                                 "--raw", raw, "--variant", "quick=/bin/true",
                                 "--variant", "long=/bin/sleep 30"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        child = None
        deadline = time.monotonic() + 10
        while child is None and time.monotonic() < deadline:
            for pid in children_of(proc.pid):
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        if f.read().startswith(b"/bin/sleep\0"):
                            child = pid
                except OSError:
                    pass
            time.sleep(0.02)
        check(f"{signum.name}: the sleep started", True, child is not None)
        proc.send_signal(signum)
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        check(f"{signum.name}: exit status", status, proc.returncode)
        check(f"{signum.name}: no summary", False, os.path.exists(summary))
        check(f"{signum.name}: no raw runs", False, os.path.exists(raw))
        check(f"{signum.name}: said so", True, "nothing written" in err)
        if child is not None:
            check(f"{signum.name}: the child killed", False, alive(child))


def test_usage():
    for args, word in [(["--variant", "noequals"], "noequals"),
                       (["--variant", "a b=/bin/true"], "a b=/bin/true"),
                       (["--variant", "x="], "x="),
                       (["--variant", "x=/bin/true", "--variant", "x=/bin/true"], "'x'"),
                       (["--variant", "x=/bin/true", "--runs", "0"], "'0'"),
                       (["--variant", "x=/bin/true", "--warmup", "-1"], "'-1'"),
                       (["--variant", "x=/bin/true", "--field", "limit"], "'limit'"),
                       (["--variant", "x=/bin/true", "--field", "limit=1,2"], "'limit=1,2'"),
                       (["--variant", "x=/bin/true", "--field", "variant=a"], "'variant=a'"),
                       (["--variant", "x=/bin/true", "--cv-limit", "nan"], "'nan'"),
                       (["--variant", "x=/bin/true", "--cwd", "/nonexistent"], "/nonexistent"),
                       (["--variant", "x=/bin/true", "--summary", "/nonexistent/a.csv"],
                        "/nonexistent/a.csv"),
                       (["--variant", "x=/bin/true", "--bogus"], "--bogus"),
                       ([], "--variant")]:
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                status = CLI.main(args)
        except SystemExit as e:
            status = e.code
        check(f"usage {args}: exit 2, one line naming it", (2, 1, True),
              (status, len(err.getvalue().splitlines()), word in err.getvalue()))
    out = run("--help")
    check("--help", (0, True, True, True), (out.returncode, "shuffled blocks" in out.stdout,
                                            "--outside-limit" in out.stdout,
                                            "--max-attempts" in out.stdout))
    # No value reaches a shell: the words are the argument vector.
    check("parse_variant: shlex words", ("sh", "-c", "echo $HOME; true"),
          measure.parse_variant("v=sh -c 'echo $HOME; true'").argv)


def main():
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="parlab-test-measure.") as tmp:
        test_usage()
        test_blocks(tmp)
        test_rusage(tmp)
        test_failure(tmp)
        test_header(tmp)
        test_outside_load(tmp)
        test_signals(tmp)
    return done("test_measure", f"{time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
