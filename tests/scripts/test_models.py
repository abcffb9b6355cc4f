"""The server's concurrency models through scripts/plots, scripts/report and scripts/regress,
on tests/fixtures/models (tests/fixtures/make-models.py: round values, so every finding is
computed here by hand) and on runs of before the models:

- the findings' numbers against hand-computed values, intervals around their values and
  within what the data allow; the tables and the figures' data;
- each finding left out cleanly when its file is missing, and without scipy;
- a run of before the models (tests/fixtures/run: no server_cost, parlab and epoll) still
  renders, its labels as it wrote them;
- the gate reads a baseline of before the models in today's names: parlab is thread, its
  epoll the single loop (epoll-1), never the loop per CPU.

Run with Debian's interpreter (scipy): /usr/bin/python3 tests/scripts/test_models.py"""
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # the scripts are loaded from the source tree
from checks import check, done, record, report_of, run_tool  # noqa: E402 (beside this file)
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from parlab import plots, regress, report  # noqa: E402

FIGURES = ("server", "server_cpu", "server_stack", "server_rate")


def drawn(run, out):
    """plots then report of `run` into `out`; the report's markdown."""
    return report_of(plots, report, run, out)[0]


def findings(md):
    return md.split("## Findings", 1)[1].split("\n## ", 1)[0]


def section(md, name="Server"):
    return md.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]


def has(what, text, pattern):
    """A check that `pattern` (a regex) is in text; its match groups (floats where numbers)."""
    m = re.search(pattern, text)
    record(m is not None, f"{what}: /{pattern}/ not found in:\n{text}")
    if m is None:
        return [None] * re.compile(pattern).groups
    return [float(g.replace(",", "")) for g in m.groups()]


def data_rows(path):
    """A figure's data file as blocks of rows (cells as text), # lines and headers left out."""
    with open(path) as f:
        text = "\n".join(x for x in f.read().splitlines() if not x.startswith("#"))
    return [[line.split() for line in chunk.splitlines() if line and
             not line.startswith('"')] for chunk in text.strip("\n").split("\n\n\n")]


def without(tmp, name, files):
    """A copy of the models fixture without `files`, its manifest amended."""
    folder = os.path.join(tmp, name)
    shutil.copytree(os.path.join(FIXTURES, "models"), folder)
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    for n in files:
        os.remove(os.path.join(folder, n))
        meta["files"].remove(n)
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump(meta, f)
    return folder


def relabel(folder, mapping, extra=""):
    """Renames labels in every server_*.csv of folder; `extra` rows appended to
    server_clients.csv."""
    for n in os.listdir(folder):
        if n.startswith("server_") and n.endswith(".csv"):
            path = os.path.join(folder, n)
            with open(path) as f:
                lines = f.read().splitlines()
            for i, line in enumerate(lines[1:], 1):
                label, rest = line.split(",", 1)
                lines[i] = f"{mapping.get(label, label)},{rest}"
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n" + (extra if n == "server_clients.csv" else ""))


def check_fixture(tmp):
    """tests/fixtures/models is what its generator writes."""
    fresh = os.path.join(tmp, "regenerated")
    subprocess.run([sys.executable, os.path.join(FIXTURES, "make-models.py"), fresh],
                   check=True)
    cmp = filecmp.dircmp(fresh, os.path.join(FIXTURES, "models"))
    check("tests/fixtures/models is make-models.py's", ([], [], []),
          (cmp.diff_files, cmp.left_only, cmp.right_only))


def check_models(tmp):
    out = os.path.join(tmp, "models-out")
    md = drawn(os.path.join(FIXTURES, "models"), out)
    f, s = findings(md), section(md)
    # Thread against one loop, over the 6 paired blocks: medians 80.5 and 40.0 us, each
    # interval the lowest to the highest of 6 blocks (order statistics), the difference's
    # bootstrap interval around 40.5 and within what resamples of the blocks can give.
    lo, hi = has("thread vs one loop", f,
                 r"A thread per connection costs 40\.5 µs \[([0-9.]+), ([0-9.]+)\] more CPU "
                 r"per session than one event loop here \(`thread` 80\.5 µs \[78\.0, 84\.0\] "
                 r"vs `epoll-1` 40\.0 µs \[39\.0, 42\.0\] CPU per session, median of 6 paired "
                 r"blocks at 64 clients\)")
    if lo is not None and hi is not None:
        record(84 - 39 >= hi >= 40.5 >= lo >= 78 - 42,
               f"difference interval [{lo}, {hi}] around 40.5 within [36, 45]")
    has("thread - pool", f, r"Creating and ending a thread costs about 25\.0 µs of CPU per "
        r"session here: `thread` 80\.0 µs less `pool` 55\.0 µs per session at 64 clients "
        r"\(one run each, no interval; `thread` started 1\.00 threads per session, `pool` "
        r"0\.0001\)")
    has("floors", f, r"parlab's `thread` 0\.50x `floor-thread` \(20,000 vs 40,000 sessions/s\); "
        r"`epoll-1` 0\.40x `floor-epoll` \(25,000 vs 62,500 sessions/s\)")
    # The knee: 256 -> 1024 KiB, 15,000 / 19,800 = 0.7576, a drop of 24.2%; the interval
    # within the blocks' extremes, 1 - 15,300/19,600 = 21.9% to 1 - 14,700/20,100 = 26.9%.
    lo, hi = has("stack knee", f,
                 r"From 1024 KiB the stacks outgrow glibc's 40 MiB cache of ended threads' "
                 r"stacks \(it keeps 40 of them at 1024 KiB, for 64 clients\): sessions/s drops "
                 r"24\.2% \[([0-9.]+), ([0-9.]+)\] from 256 KiB \(19,800\) to 1024 KiB \(15,000 "
                 r"sessions/s; medians of 3 blocks\), and CPU per session rises from 82\.0 µs to "
                 r"120\.0 µs; memory per held connection 31\.0 KiB at 256 KiB, 33\.0 KiB at 1024 "
                 r"KiB")
    if lo is not None and hi is not None:
        record(21.9 <= lo <= 24.2 <= hi <= 26.9, f"drop interval [{lo}, {hi}] within the blocks'")
    has("memory per connection", f, r"over 8,000 held; one run each, no interval\): `thread` "
        r"36\.0 KiB, `pool` 12\.0 KiB, `epoll-1` 4\.0 KiB, `epoll` 5\.0 KiB, `uring` 6\.0 KiB\.")
    # Ratios per block 0.800, 0.808, 0.792, 0.804, 0.813, 0.815: median 0.806.
    has("paired throughput", f, r"Over 6 paired runs at 64 clients `thread` does 0\.81x the "
        r"sessions/s of `epoll-1` \(0\.79x to 0\.81x")
    has("peaks", f, r"`thread` 20,000 at 64 clients \(saturated from 64\); `pool` 24,000")
    for what, row in (
            ("cost row of a model", r"\| `thread` \| 30\.0 \| 50\.0 \| 80\.0 \| 4\.00 \| 0\.10 \| "
                                    r"1\.000 \| metrics \|"),
            ("cost row of a yardstick", r"\| `floor-epoll` \| 6\.0 \| 12\.0 \| 18\.0 \| - \| - "
                                        r"\| - \| proc \|"),
            ("memory row", r"\| `pool` \| 8,000 \| 98,100 \| 2,100 \| 12\.0 \|"),
            ("stack row", r"\| 1024 \| 15,000 \(14,700 to 15,300\) \| 120\.0 \(118\.0 to 122\.0\) "
                          r"\| 33\.0 \|"),
            ("open-loop row", r"\| `thread` \| 40,000 \| 20,000 \| 0\.60 \| 120\.00 \|"),
            ("repeats' CPU", r"`thread` 80\.5 µs \[78\.0, 84\.0\], `epoll-1` 40\.0 µs "
                             r"\[39\.0, 42\.0\]")):
        has(what, s, row)
    with open(os.path.join(out, "report.html")) as fh:
        page = fh.read()
    for name in FIGURES:
        for ext in ("svg", "png"):
            path = os.path.join(out, "figures", f"{name}.{ext}")
            record(os.path.isfile(path) and os.path.getsize(path) > 0, f"{path} drawn")
        check(f"report.html embeds {name}", True, f'src="figures/{name}.svg"' in page)
    data = os.path.join(out, "figures", "data")
    cpu = data_rows(os.path.join(data, "server_cpu.dat"))[0]
    check("CPU bars: every server, user and system per session",
          [['"thread"', "30", "50"], ['"pool"', "20", "35"], ['"epoll-1"', "15", "25"],
           ['"epoll"', "16", "28"], ['"uring"', "14", "22"], ['"python-threaded"', "300", "100"],
           ['"floor-thread"', "10", "30"], ['"floor-epoll"', "6", "12"]],
          [r[1:] for r in cpu])
    stack = data_rows(os.path.join(data, "server_stack.dat"))
    check("stack figure: sessions/s median min max by size",
          [["16", "20000", "19800", "20400"], ["64", "19900", "19700", "20300"],
           ["256", "19800", "19600", "20100"], ["1024", "15000", "14700", "15300"],
           ["8192", "12000", "11800", "12300"]], stack[0])
    check("stack figure: KiB per connection by size",
          [["16", "28"], ["64", "30"], ["256", "31"], ["1024", "33"], ["8192", "40"]], stack[2])
    rate = data_rows(os.path.join(data, "server_rate.dat"))
    check("rate figure: one line per model, along the rates",
          (5, [5000.0, 10000.0, 20000.0, 40000.0]),
          (len(rate), [float(r[0]) for r in rate[0]]))
    check("rate figure: thread's p99 at 40,000/s, as measured (ms)", "120", rate[0][3][1])


def check_missing(tmp):
    """Each part left out cleanly when its file is missing."""
    md = drawn(without(tmp, "nocost", ["server_cost.csv"]), os.path.join(tmp, "nocost-out"))
    f = findings(md)
    check("no server_cost: said missing", True,
          "The cost per session (server_cost.csv) was not part of this run" in md)
    check("no server_cost: no CPU finding", [],
          re.findall(r"costs [0-9.]+ µs|Creating and ending", f))
    has("no server_cost: the knee without CPU", f,
        r"to 1024 KiB \(15,000 sessions/s; medians of 3 blocks\); memory per held")
    md = drawn(without(tmp, "nostack", ["server_stack.csv", "server_memory.csv"]),
               os.path.join(tmp, "nostack-out"))
    check("no stack sweep, no memory: no knee, no memory finding", [],
          re.findall(r"stacks outgrow|Memory per held", findings(md)))
    check("no stack figure", False,
          os.path.exists(os.path.join(tmp, "nostack-out", "figures", "server_stack.svg")))


def check_no_scipy(tmp):
    """Without scipy: the findings without intervals, no knee named (it needs one)."""
    out = os.path.join(tmp, "noscipy")
    code = ("import sys; sys.dont_write_bytecode = True; "
            "sys.modules['scipy'] = sys.modules['numpy'] = None; "
            f"sys.path.insert(0, {os.path.join(ROOT, 'scripts')!r}); "
            "from parlab import report; "
            f"sys.exit(report.main(['report', {os.path.join(FIXTURES, 'models')!r}, "
            f"'--out', {out!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    check(f"no scipy: report exit ({proc.stderr.strip()[-300:]})", 0, proc.returncode)
    with open(os.path.join(out, "report.md")) as f:
        f = findings(f.read())
    has("no scipy: the difference alone", f, r"costs 40\.5 µs more CPU per session than one "
        r"event loop here \(`thread` 80\.5 µs vs `epoll-1` 40\.0 µs")
    check("no scipy: no knee claimed", [], re.findall("stacks outgrow", f))


def check_old_run(tmp):
    """A run of before the models renders as it did, in its own labels."""
    md = drawn(os.path.join(FIXTURES, "run"), os.path.join(tmp, "old-out"))
    s = section(md)
    has("old run: its paired table", s, r"\| 64 clients \| parlab \| epoll \| parlab / epoll \|")
    has("old run: its finding", findings(md), r"Over 3 paired runs at 64 clients `parlab` does "
        r"0\.80x the sessions/s of `epoll`")
    check("old run: no cost, stack or memory part", [],
          re.findall(r"CPU µs|stack KiB|KiB per connection", s))
    check("old run: no thread-vs-loop finding", [], re.findall("thread per connection",
                                                               findings(md)))
    for what in ("cost per session (server_cost.csv)", "stack-size sweep (server_stack.csv)"):
        check(f"old run: the {what} said missing", True,
              f"The {what} was not part of this run" in s)


def gate(base, cur):
    return run_tool(regress, "--all", base, cur)


def metrics(out, prefix):
    return sorted(line.split("  ")[0] for line in out.splitlines() if line.startswith(prefix))


def check_gate(tmp):
    """A baseline of before the models gates a run of them, and the other way round."""
    old = os.path.join(tmp, "gate-old")
    new = os.path.join(tmp, "gate-new")
    shutil.copytree(os.path.join(FIXTURES, "run"), old)
    shutil.copytree(os.path.join(FIXTURES, "run"), new)
    # The new run also has the loop per CPU, `epoll`, far faster: the baseline's `epoll`
    # (one loop) must be compared with `epoll-1`, never with it.
    relabel(new, {"parlab": "thread", "epoll": "epoll-1"},
            extra="epoll,127.0.0.1:41005,closed,64,2,,0,1.0,99999,99999,900,800,1000,1200,"
                  "1500,2000,0,0,0,0,0,0,\n")
    rc, out, err = gate(old, new)
    check(f"old baseline, new run: exit ({err.strip()})", 0, rc)
    check("no metric missing", [], [x for x in out.splitlines() if "MISSING" in x])
    check("no metric by an old name", [], [x for x in out.splitlines() if "parlab" in x])
    check("the repeats by today's names",
          ["server_repeat thread clients=64 latency_p99_us",
           "server_repeat thread clients=64 sessions_per_s",
           "server_repeat thread/epoll-1 sessions_per_s"], metrics(out, "server_repeat"))
    has("the baseline's epoll is the single loop", out,
        r"server_clients epoll-1 closed clients=64 sessions_per_s +42,800 +42,800 ")
    check("the rate and hold rows by today's names",
          ["server_hold thread hold clients=50 latency_p99_us",
           "server_hold thread hold clients=50 sessions_per_s",
           "server_rate thread open clients=64 rate=1000 latency_p99_us",
           "server_rate thread open clients=64 rate=1000 sessions_per_s"],
          metrics(out, "server_hold") + metrics(out, "server_rate"))
    # The other way round only the loop per CPU is missing: the old run's `epoll` is not
    # taken for it.
    rc, out, _ = gate(new, old)
    check("new baseline, old run: fails on what the old run lacks", 1, rc)
    check("new baseline, old run: missing only the loop per CPU",
          ["server_clients epoll closed clients=64 latency_p99_us",
           "server_clients epoll closed clients=64 sessions_per_s"],
          sorted(x.split("  ")[0] for x in out.splitlines() if "MISSING" in x))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        check_fixture(tmp)
        check_models(tmp)
        check_missing(tmp)
        check_no_scipy(tmp)
        check_old_run(tmp)
        check_gate(tmp)
    return done("test_models")


if __name__ == "__main__":
    sys.exit(main())
