"""Self-tests of bench/measure and scripts/parlab/measure.py on tiny real programs: the shape
of shuffled blocks, rusage and the launcher (runone) that starts the runs, a failing variant,
outside load from a CPU hog started here (on one comparison, and on the points of a sweep it
runs through only in part), a file with other columns, and SIGTERM in the middle of a run.
Structure only: no assertion on how long anything took (the machine may be busy); the cases
that need the rest of the machine quiet are skipped, with a line, when it is not.

usage: test_measure.py [BIN_DIR]   (default: build/bin; runone is looked for there, and the
launcher cases are skipped, with a line, when it is not built)"""
import contextlib
import csv
import errno
import importlib.machinery
import importlib.util
import io
import os
import random
import signal
import statistics
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
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "bin")
RUNONE = os.path.join(os.path.abspath(BIN), "runone")
if not os.access(RUNONE, os.X_OK):
    RUNONE = ""
# bench/measure and measure() start every run through this launcher ("": from Python), not
# through whatever build/bin happens to hold.
os.environ["PARLAB_RUNONE"] = RUNONE
LAUNCHER = "runone" if RUNONE else "python"
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from parlab import measure  # noqa: E402
from checks import check, done  # noqa: E402 (beside this file)

SKIPPED = []


def skip(what):
    SKIPPED.append(what)
    print(f"test_measure: skipped: {what}")


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
    check("blocks: raw header", ["limit", "procs"] + measure.RAW_COLUMNS, header(raw))
    check("blocks: raw header: the run, then the launcher", measure.RUN_COLUMNS + ["launcher"],
          measure.RAW_COLUMNS)
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
    check("blocks: the launcher recorded", {LAUNCHER}, {r["launcher"] for r in runs})
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


def sanitized(path):
    """A program built with a sanitizer, whose runtime alone maps megabytes."""
    with open(path, "rb") as f:
        data = f.read()
    return b"__asan_init" in data or b"__tsan_init" in data


def test_rusage(tmp):
    raw = os.path.join(tmp, "r.raw.csv")
    out = run("--runs", "2", "--warmup", "0", "--max-attempts", "1", "--raw", raw, "--variant",
              f"big={PY} -c 'b = b\"x\" * (50 << 20)'", "--variant", "small=/bin/true")
    check("rusage: exit", 0, out.returncode)
    runs = rows(raw)
    check("rusage: 50 MiB seen", True,
          all(int(r["maxrss_kib"]) >= 50 * 1024 for r in runs if r["variant"] == "big"))
    check("rusage: times are numbers >= 0", True,
          all(float(r[c]) >= 0 for r in runs for c in ("user_s", "sys_s", "outside_cpu_s",
                                                      "steal_s", "loadavg")))
    check("rusage: wall > 0", True, all(float(r["wall_s"]) > 0 for r in runs))
    check("rusage: the launcher recorded", {LAUNCHER}, {r["launcher"] for r in runs})

    # The floor of maxrss is what started the run: from Python, this Python's own
    # megabytes; through runone, runone's one or so.
    python = os.path.join(tmp, "floor-python.raw.csv")
    out = run("--runs", "3", "--warmup", "0", "--max-attempts", "1", "--no-launcher", "--raw",
              python, "--variant", "small=/bin/true")
    check("floor: --no-launcher: exit", 0, out.returncode)
    check("floor: --no-launcher: recorded", {"python"}, {r["launcher"] for r in rows(python)})
    high = statistics.median(int(r["maxrss_kib"]) for r in rows(python))
    if not RUNONE:
        skip("the maxrss floor through runone (not built)")
        return
    low = statistics.median(int(r["maxrss_kib"]) for r in runs if r["variant"] == "small")
    check(f"floor: /bin/true through runone ({low} KiB) below Python's ({high} KiB)", True,
          low < high)
    if sanitized(RUNONE):
        skip("the 4 MiB bound on runone's floor (runone built with a sanitizer)")
    else:
        check(f"floor: /bin/true through runone under 4 MiB ({low} KiB)", True, low < 4096)


def runone(*args, pass_fds=(), timeout=30):
    return subprocess.run([RUNONE, *args], capture_output=True, text=True, timeout=timeout,
                          pass_fds=pass_fds)


def runone_report(*command):
    """runone --fd on a pipe: (its exit status, the report as text, its stdout, its stderr)."""
    r, w = os.pipe()
    try:
        out = runone("--fd", str(w), "--", *command, pass_fds=(w,))
    finally:
        os.close(w)
    with os.fdopen(r, "rb") as f:
        text = f.read().decode()
    return out.returncode, text, out.stdout, out.stderr


def fields(text, *names):
    """Fields of runone's report, or None when the text is not one."""
    try:
        report = measure.parse_report(text)
    except ValueError:
        return None
    return tuple(getattr(report, n) for n in names)


def test_runone():
    if not RUNONE:
        skip("runone itself (not built)")
        return
    code, text, _, _ = runone_report("sh", "-c", "exit 3")
    check(f"runone: a report of format 1 ({text!r}), exit 0 whatever the command did",
          (0, ("exit", 3)), (code, fields(text, "kind", "value")))
    code, text, _, _ = runone_report("sh", "-c", "kill -TERM $$")
    check("runone: killed by a signal", (0, ("signal", signal.SIGTERM)),
          (code, fields(text, "kind", "value")))
    code, text, _, err = runone_report("/nonexistent/program")
    check("runone: cannot start: errno", (0, ("exec", errno.ENOENT), ""),
          (code, fields(text, "kind", "value"), err))
    code, text, _, _ = runone_report("sleep", "0.05")
    wall, kind = fields(text, "wall_ns", "kind") or (0, "")
    check("runone: wall time, the command searched in PATH", (0, True, "exit"),
          (code, wall >= 50_000_000, kind))
    _, text, _, _ = runone_report(PY, "-c", "b = b'x' * (50 << 20)")
    check("runone: peak memory", True, (fields(text, "maxrss_kib") or (0,))[0] >= 50 * 1024)
    _, text, _, _ = runone_report("sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done")
    check("runone: CPU time", True, sum(fields(text, "user_us", "sys_us") or (0,)) > 0)
    # Without "--" the command's options are its own; the report's fd is closed in it.
    r, w = os.pipe()
    try:
        out = runone("--fd", str(w), "sh", "-c", f"[ -e /proc/self/fd/{w} ] && echo open || "
                     "echo closed", pass_fds=(w,))
    finally:
        os.close(w)
    with os.fdopen(r, "rb") as f:
        text = f.read().decode()
    check("runone: without --, the report's fd closed in the command",
          ("closed\n", ("exit", 0)), (out.stdout, fields(text, "kind", "value")))
    out = runone("sh", "-c", "echo to-stderr >&2")
    lines = out.stderr.splitlines()
    check("runone: the report on stderr by default, last", (0, 2, "to-stderr", True),
          (out.returncode, len(lines), lines[0] if lines else "",
           bool(lines) and lines[-1].startswith("runone 1 ")))
    for args, word in [(["--fd", "x", "true"], "'x'"), (["--fd", "-1", "true"], "'-1'"),
                       (["--fd", "987", "true"], "'987'"), (["--fd"], "--fd"),
                       (["--bogus", "true"], "--bogus"), ([], "no command")]:
        out = runone(*args)
        check(f"runone {args}: exit 2, one line naming it", (2, 1, True),
              (out.returncode, len(out.stderr.splitlines()), word in out.stderr))
    out = runone("--help")
    check("runone --help", (0, True), (out.returncode, "runone 1 wall_ns=" in out.stdout))
    out = runone("--version")
    check("runone --version", (0, True), (out.returncode, out.stdout.startswith("runone ")))


def with_env(changes, fn, *args):
    """fn(*args) with os.environ changed (a value None: unset), then restored."""
    old = {k: os.environ.get(k) for k in changes}
    try:
        for k, v in changes.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        return fn(*args)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_launcher(tmp):
    line = "runone 1 wall_ns=12 user_us=3 sys_us=4 maxrss_kib=900 status=exit:0\n"
    check("parse_report", measure.Report(12, 3, 4, 900, "exit", 0), measure.parse_report(line))
    for bad in (line[:-1], line + "x", line.replace("runone 1", "runone 2"),
                line.replace("=12", "=-12"), line.replace("exit:0", "exit:"),
                line.replace("exit:0", "stop:0"), " " + line, line.replace(" user", "  user"),
                ""):
        try:
            measure.parse_report(bad)
            check(f"parse_report refuses {bad!r}", "ValueError", "nothing")
        except ValueError:
            check(f"parse_report refuses {bad!r}", True, True)
    # A launcher named but not there is refused before anything runs; only the default may be
    # missing, and then Python starts the runs.
    for args, env in (([], "/nonexistent/runone"), (["--launcher", "/nonexistent/runone"], None)):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = with_env({"PARLAB_RUNONE": env}, cli_status,
                              args + ["--variant", "t=/bin/true"])
        check(f"launcher: {args or '$PARLAB_RUNONE'} missing: exit 2, one line naming it",
              (2, 1, True), (status, len(err.getvalue().splitlines()),
                             "/nonexistent/runone" in err.getvalue()))
    check("find_launcher: none", ("", ""), (measure.find_launcher(""),
                                            measure.find_launcher(None)))
    check("find_launcher: $PARLAB_RUNONE empty: none", "",
          with_env({"PARLAB_RUNONE": ""}, measure.find_launcher))
    default = measure.DEFAULT_LAUNCHER if os.access(measure.DEFAULT_LAUNCHER, os.X_OK) else ""
    check("find_launcher: the default when built, else none", default,
          with_env({"PARLAB_RUNONE": None}, measure.find_launcher))
    # A launcher that speaks another format (a stale build) is named, never misread; one that
    # fails says why.
    stale = os.path.join(tmp, "stale-runone")
    with open(stale, "w") as f:
        f.write(f"#!{PY}\nimport os, subprocess, sys\n"
                "subprocess.call(sys.argv[4:])\n"
                "os.write(int(sys.argv[2]), b'runone 2 wall_ns=1\\n')\n")
    broken = os.path.join(tmp, "broken-runone")
    with open(broken, "w") as f:
        f.write("#!/bin/sh\necho 'runone: fork: Resource temporarily unavailable' >&2\nexit 1\n")
    for path, words in ((stale, (stale, "'runone 2 wall_ns=1\\n'", "rebuild")),
                        (broken, (broken, "exit 1", "fork: Resource temporarily unavailable"))):
        os.chmod(path, 0o755)
        try:
            measure.measure([measure.Variant("t", ("/bin/true",))], 1, warmup=0,
                            launcher=path)
            check(f"launcher {os.path.basename(path)}: refused", "MeasureError", "nothing")
        except measure.MeasureError as e:
            check(f"launcher {os.path.basename(path)}: one line naming it ({e})", True,
                  "\n" not in str(e) and all(w in str(e) for w in words))


def cli_status(args):
    """bench/measure's exit status on args, run in this process."""
    try:
        return CLI.main(args)
    except SystemExit as e:
        return e.code


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
    # The same words whichever started the run.
    for launcher in sorted({RUNONE, ""}):
        said = []
        for argv in (("sh", "-c", "echo boom >&2; kill -TERM $$"), ("/nonexistent/program",)):
            try:
                measure.measure([measure.Variant("v", argv)], 1, warmup=0, launcher=launcher)
            except measure.MeasureError as e:
                said.append(str(e))
        check(f"failure: through {launcher or 'Python'}",
              ["variant 'v' failed: killed by SIGTERM: boom",
               "variant 'v' cannot start '/nonexistent/program': No such file or directory"],
              said)


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


# -- a CPU hog through part of a sweep ------------------------------------------------------

# A point's program: a shell's busy loop of some 40 ms of CPU, the same everywhere.
BUSY = measure.Variant("busy", ("sh", "-c", "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); "
                                "done"))
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
# One hog per core, so that the hogs and the program together want more than the machine:
# with 2 cores, 2 hogs and the program share them, about 1.3 cores of outside load on every
# run. The limit sits far below that and far above the noise of /proc/stat's 10 ms jiffies
# over a point's runs; only outside load is judged (CV and steal are not the question here).
INTERFERENCE = measure.Limits(cv_pct=1e9, outside_cores=0.5 if CORES > 1 else 0.25,
                              steal_cores=1e9)
# The rest of the machine counts as quiet below this many cores of work.
QUIET = 0.15


def other_work(seconds=0.25):
    """Cores busy with work other than this process's, over `seconds` of sleep here."""
    busy0, _ = measure.machine_cpu()
    self0, t0 = time.process_time(), time.monotonic()
    time.sleep(seconds)
    busy1, _ = measure.machine_cpu()
    self1, t1 = time.process_time(), time.monotonic()
    return max(0.0, busy1 - busy0 - (self1 - self0)) / (t1 - t0)


class Hogs:
    """A busy loop on every core, from start() to stop() (either any number of times)."""

    def __init__(self):
        self.procs = []

    def start(self):
        self.procs = [subprocess.Popen(["sh", "-c", "while :; do :; done"])
                      for _ in range(CORES)]
        time.sleep(0.05)  # spinning before the next run starts

    def stop(self):
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()
        self.procs = []


def on_a_quiet_machine(case, body, tries):
    """body() returns its checks as (what, expected, actual) and is run only while the rest of
    the machine is quiet: a try counts when it was quiet just before and just after it. A
    counted try whose checks fail is tried again, up to `tries` in all (outside load that came
    and went in between looks the same); the checks of the first counted try that passes,
    else of the last counted one, are recorded; with no counted try, the case is skipped."""
    counted, busy = None, []
    for _ in range(tries):
        before = other_work()
        if before > QUIET:
            busy.append(before)
            time.sleep(0.3)
            continue
        checks = body()
        after = other_work()
        if after > QUIET:
            busy.append(after)
            continue
        counted = checks
        if all(expected == actual for _, expected, actual in checks):
            break
    if counted is None:
        skip(f"{case}: the machine is busy with other work ({max(busy):.2f} cores > {QUIET} "
             f"at each of {tries} tries)")
        return
    for what, expected, actual in counted:
        check(f"{case}: {what}", expected, actual)


def sweep_with_hog(points, first, last):
    """Measures `points` points of BUSY one after another, as a sweep does, one attempt each,
    the hogs running from before point `first` to after point `last` (0-based); the checks
    that exactly those are suspect, for outside load."""
    hogs = Hogs()
    reasons = []
    try:
        for k in range(points):
            if k == first:
                hogs.start()
            result = measure.measure([BUSY], runs=4, warmup=0, seed=k, limits=INTERFERENCE,
                                     max_attempts=1, launcher=RUNONE)
            s = result.summaries[0]
            reasons.append((s.suspect, f"{s.outside_cores:.2f}"))
            if k == last:
                hogs.stop()
    finally:
        hogs.stop()
    return [(f"point {k + 1} of {points} (outside cores {cores}) "
             + ("disturbed: suspect for outside load" if first <= k <= last
                else "undisturbed: not suspect"),
             True, "outside load" in reason if first <= k <= last else reason == "")
            for k, (reason, cores) in enumerate(reasons)]


def remeasured_after_hog():
    """One point, the hogs running through its first attempt only: measured again, clean."""
    hogs = Hogs()
    said = []

    def on_attempt(attempt):
        if attempt == 2:
            hogs.stop()

    hogs.start()
    try:
        result = measure.measure([BUSY], runs=4, warmup=0, seed=1, limits=INTERFERENCE,
                                 max_attempts=3, log=said.append, launcher=RUNONE,
                                 on_attempt=on_attempt)
    finally:
        hogs.stop()
    first = measure.summarize("busy", [r for r in result.runs if r.attempt == 1])
    return [("the first attempt suspect for outside load", True,
             "outside load" in measure.verdict(first, INTERFERENCE)),
            ("measured again, once, and said so", (1, True),
             (len(said), bool(said) and "measuring again (attempt 2 of 3)" in said[0])),
            ("attempts", 2, result.attempts),
            ("the kept attempt clean", "", result.summaries[0].suspect),
            ("every attempt's runs kept", [1] * 4 + [2] * 4, [r.attempt for r in result.runs])]


def test_interference():
    on_a_quiet_machine("sweep with a hog through points 3 to 5 of 8",
                       lambda: sweep_with_hog(8, 2, 4), tries=3)
    on_a_quiet_machine("a point re-measured once the hog stopped", remeasured_after_hog,
                       tries=2)


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


def descendants_of(pid):
    """Every process below pid (the runs' launcher, and the command below it)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            parent[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        below = [p for p, pp in parent.items() if pp == todo[-1]]
        todo.pop()
        found += below
        todo += below
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_signals(tmp):
    cases = [(signal.SIGTERM, 143, []), (signal.SIGINT, 130, []),
             (signal.SIGTERM, 143, ["--no-launcher"])]
    for signum, status, options in cases:
        name = f"{signum.name}{' ' + ' '.join(options) if options else ''}"
        summary = os.path.join(tmp, f"sig{signum}{len(options)}.csv")
        raw = os.path.join(tmp, f"sig{signum}{len(options)}.raw.csv")
        proc = subprocess.Popen([MEASURE, *options, "--runs", "3", "--warmup", "0",
                                 "--summary", summary, "--raw", raw,
                                 "--variant", "quick=/bin/true",
                                 "--variant", "long=/bin/sleep 30"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        child, below = None, []
        deadline = time.monotonic() + 10
        while child is None and time.monotonic() < deadline:
            below = descendants_of(proc.pid)
            for pid in below:
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        if f.read().startswith(b"/bin/sleep\0"):
                            child = pid
                except OSError:
                    pass
            time.sleep(0.02)
        check(f"{name}: the sleep started", True, child is not None)
        proc.send_signal(signum)
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        check(f"{name}: exit status", status, proc.returncode)
        check(f"{name}: no summary", False, os.path.exists(summary))
        check(f"{name}: no raw runs", False, os.path.exists(raw))
        check(f"{name}: said so", True, "nothing written" in err)
        if child is not None:
            check(f"{name}: the child and its launcher killed", [], [p for p in below
                                                                     if alive(p)])


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
        test_runone()
        test_launcher(tmp)
        test_blocks(tmp)
        test_rusage(tmp)
        test_failure(tmp)
        test_header(tmp)
        test_outside_load(tmp)
        test_interference()
        test_signals(tmp)
    note = f"{time.monotonic() - started:.1f} s, launcher {RUNONE or 'none: Python'}"
    return done("test_measure", note + (f", {len(SKIPPED)} skipped" if SKIPPED else ""))


if __name__ == "__main__":
    sys.exit(main())
