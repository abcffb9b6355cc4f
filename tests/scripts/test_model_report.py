"""The report's "Why: the cost model" section and its findings on a fixture run
(tests/fixtures/scaling with tests/fixtures/models' server files and a made-up
calibration.csv): each prediction, error and verdict, the start-up cap, the static schedule's
share and best speedup, the thread's share of a session, and the server predictions, against
values computed here by hand (the kernel's divisions by a sieve of this file's own). A miss
names its term; a run without calibration.csv says it has nothing to predict from.

usage: /usr/bin/python3 tests/scripts/test_model_report.py"""
import json
import math
import os
import re
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # the scripts are loaded from the source tree
from checks import check, done, record, report_of, write_meta  # noqa: E402
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from parlab import plots, report  # noqa: E402

N = 1_000_000
CORES = 2
# The made-up calibration: (primitive, variant, unit, median).
CAL = [("startup", "bare", "us", 3000.0), ("startup", "cold", "us", 4000.0),
       ("startup", "papi", "us", 9000.0), ("fork", "exit", "us", 600.0),
       ("thread", "8192", "us", 50.0), ("thread", "16-detached", "us", 40.0),
       ("pipe_threads", "1byte", "us", 20.0), ("syscall", "getppid", "ns", 1000.0),
       ("tcp_connect", "session", "us", 40.0), ("atomic", "contended", "ns", 20.0),
       ("div32", "kernel", "ns", 1.9), ("div32", "scan", "ns", 60.0),
       ("write", "file", "us", 200.0), ("write", "primes", "ns", 15.0)]
VALUE = {(p, v): m * (1e-6 if u == "us" else 1e-9) for p, v, u, m in CAL}


def sieve(limit):
    """Divisions of every n <= limit as the kernel counts them: the smallest factor less one
    for a composite, floor(sqrt(n)) - 1 for a prime; and the primes' count."""
    spf = [0] * (limit + 1)
    for p in range(2, math.isqrt(limit) + 1):
        if spf[p] == 0:
            for m in range(p * p, limit + 1, p):
                if spf[m] == 0:
                    spf[m] = p
    divs = [0, 0] + [spf[n] - 1 if spf[n] else max(math.isqrt(n) - 1, 0)
                     for n in range(2, limit + 1)]
    return divs, sum(1 for n in range(2, limit + 1) if spf[n] == 0)


DIVS, PRIMES = sieve(N)
TOTAL = sum(DIVS)
PER_NUMBER = VALUE[("div32", "scan")] - sum(DIVS[:100_000]) / 99_998 \
    * VALUE[("div32", "kernel")]
WRITE = VALUE[("write", "file")] + PRIMES * (VALUE[("write", "primes")]
                                             - VALUE[("write", "file")] / PRIMES)


def make_run(folder, calibration=CAL):
    """The scaling fixture with the models fixture's server files and calibration.csv."""
    shutil.copytree(os.path.join(FIXTURES, "scaling"), folder)
    models = os.path.join(FIXTURES, "models")
    for name in os.listdir(models):
        if name.startswith("server_"):
            shutil.copy(os.path.join(models, name), folder)
    with open(os.path.join(models, "meta.json")) as f:
        server_meta = json.load(f)
    path = os.path.join(folder, "meta.json")
    with open(path) as f:
        m = json.load(f)
    m["sweeps"] = sorted(set(m["sweeps"]) | set(server_meta["sweeps"]))
    for k in ("server_order_seed", "server_cpus", "loadgen_cpus"):
        if k in server_meta:
            m[k] = server_meta[k]
    if calibration is not None:
        with open(os.path.join(folder, "calibration.csv"), "w") as f:
            f.write("primitive,variant,unit,runs,median,ci_lo,ci_hi,min,max,note\n")
            for p, v, u, med in calibration:
                f.write(f"{p},{v},{u},21,{med},{med},{med},{med},{med},made up\n")
        m["calibration"] = "calibration.csv"
    return write_meta(folder, m)


def drawn(run, out):
    return report_of(plots, report, run, out, quiet=True)[0]


def section(md, name):
    return md.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]


def ms(s):
    if s >= 1:
        return f"{s:.3f} s"
    return f"{s * 1e3:.2f} ms" if s < 0.1 else f"{s * 1e3:.1f} ms"


def pct(x):
    return f"{100 * x:+.1f}%"


def row(text, first):
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == first:
            return cells
    record(False, f"no row '{first}' in:\n{text}")
    return None


def measured(program, procs, schedule):
    with open(os.path.join(FIXTURES, "scaling", "primes_procs.csv")) as f:
        head = f.readline().strip().split(",")
        for line in f:
            r = dict(zip(head, line.strip().split(",")))
            if (r["program"], int(r["limit"]), int(r["procs"]), r["schedule"]) == \
                    (program, N, procs, schedule):
                return float(r["median_s"]), r.get("suspect", "")
    raise KeyError(program)


def check_primes(md):
    sec = section(md, "Why: the cost model")
    check("the calibration table has every row", len(CAL),
          sum(1 for line in sec.splitlines() if re.match(r"\| `[a-z_0-9]+` \| `", line)))
    # nonoptimized: cold start-up, every division and number, the file.
    start = VALUE[("startup", "cold")]
    compute = TOTAL * VALUE[("div32", "kernel")] + (N - 1) * PER_NUMBER
    pred = start + compute + WRITE
    t, _ = measured("nonoptimized", 1, "serial")
    cells = row(sec, "`nonoptimized`, N = 10^6")
    if cells:
        check("nonoptimized: predicted", ms(pred), cells[2])
        check("nonoptimized: error", pct(pred / t - 1), cells[3])
        check("nonoptimized: start-up term", ms(start), cells[4])
        check("nonoptimized: compute term", ms(compute), cells[6])
        check("nonoptimized: write term", ms(WRITE), cells[7])
    # static, 2 fork()ed workers: forked at 0.6 and 1.2 ms; blocks [0, 500000), [500000, N].
    fork = VALUE[("fork", "exit")]
    div = VALUE[("div32", "kernel")]
    ends = [fork + sum(DIVS[:500000]) * div + (500000 - 2) * PER_NUMBER,
            2 * fork + sum(DIVS[500000:]) * div + (N + 1 - 500000) * PER_NUMBER]
    pred = start + max(ends) + WRITE
    t, bad = measured("optimized", 2, "static")
    cells = row(sec, "`optimized`, P = 2, static, N = 10^6" + (" (suspect)" if bad else ""))
    if cells:
        check("static P = 2: predicted", ms(pred), cells[2])
        check("static P = 2: workers' start", ms(2 * fork), cells[5])
        within = abs(pred / t - 1) <= 0.10
        record(cells[8].startswith("within 10%") == within,
               f"static P = 2: verdict {cells[8]!r} for an error of {pct(pred / t - 1)}")
    # P > cores is marked, never judged.
    record("(P > cores)" in (row(sec, "`optimized`, P = 4, static, N = 10^6") or ["", ""])[-1],
           "P = 4 is marked P > cores")


def check_findings(md):
    fin = section(md, "Findings")
    # Start-up cap: start-up, two forks and the file do not shrink with workers.
    t1, _ = measured("nonoptimized", 1, "serial")
    t2, _ = measured("optimized", 2, "dynamic")
    start, spawn = VALUE[("startup", "cold")], 2 * VALUE[("fork", "exit")]
    serial = start + spawn + WRITE
    cap = t1 / (serial + (t1 - start - WRITE) / 2)
    m = re.search(r"Start-up is ([0-9.]+ ms) here .*?starting 2 workers ([0-9.]+ ms) .*?"
                  r"writing the file ([0-9.]+ ms): ([0-9.]+ ms) that no number of workers "
                  r"shortens, which caps the 2-process speedup at N = 10\^6 at ([0-9.]+) .*?"
                  r"measured: ([0-9.]+)\.", fin)
    record(m is not None, f"no start-up cap finding in:\n{fin}")
    if m:
        check("cap: the terms", (ms(start), ms(spawn), ms(WRITE), ms(serial)), m.groups()[:4])
        check("cap: the cap", f"{cap:.2f}", m.group(5))
        check("cap: the measured speedup", f"{t1 / t2:.2f}", m.group(6))
    # Static: the last worker's share by the kernel's counts and by the fixture's counters.
    share = sum(DIVS[500000:]) / TOTAL
    m = re.search(r"Static gives its last worker ([0-9.]+)% of the divisions at N = 10\^6 "
                  r"with P = 2 \(the kernel's exact counts; the SDE counters of its "
                  r"`--metrics` run: ([0-9.]+)%\).*?best possible speedup is ([0-9.]+)", fin)
    record(m is not None, f"no static finding in:\n{fin}")
    if m:
        check("static: the exact share", f"{100 * share:.1f}", m.group(1))
        check("static: the counters' share", f"{100 * 42640404 / 67740404:.1f}", m.group(2))
        check("static: best speedup", f"{1 / share:.2f}", m.group(3))
    # The thread's share of the thread model's CPU per session at 64 clients (fixture).
    with open(os.path.join(FIXTURES, "models", "server_cost.csv")) as f:
        head = f.readline().strip().split(",")
        rows = [dict(zip(head, line.strip().split(","))) for line in f]
    r = [x for x in rows if (x["sweep"], x["label"], x["clients"]) ==
         ("server_clients", "thread", "64")][0]
    cpu = (int(r["cpu_user_us"]) + int(r["cpu_sys_us"])) / int(r["sessions"])
    m = re.search(r"Thread create \+ exit is ([0-9.]+) µs here \(`thread 16-detached`\), "
                  r"([0-9]+)% of the thread model's server CPU per session \(([0-9.]+) µs", fin)
    record(m is not None, f"no thread finding in:\n{fin}")
    if m:
        check("thread: the finding's numbers", ("40.0", f"{100 * 40 / cpu:.0f}", f"{cpu:.1f}"),
              m.groups())


def check_server(md):
    sec = section(md, "Why: the cost model").split("**The server model at", 1)[-1]
    rates = {}
    with open(os.path.join(FIXTURES, "models", "server_clients.csv")) as f:
        head = f.readline().strip().split(",")
        for line in f:
            r = dict(zip(head, line.strip().split(",")))
            if r["clients"] == "64":
                rates[r["label"]] = float(r["sessions_per_s"])
    protocol = CORES / rates["floor-epoll"]
    hand = VALUE[("pipe_threads", "1byte")] / 2
    thread = VALUE[("thread", "16-detached")]
    own = {"thread": thread + hand, "pool": 2 * hand, "epoll-1": 0.0, "epoll": hand / 2,
           "uring": hand / 2}
    for label, extra in own.items():
        cells = row(sec, f"`{label}`")
        if not cells:
            continue
        pred = CORES / (protocol + extra)
        check(f"server {label}: predicted", f"{pred:,.0f}", cells[2])
        check(f"server {label}: error", pct(pred / rates[label] - 1), cells[3])
        if abs(pred / rates[label] - 1) > 0.15:
            # the largest term made from primitives; the measured protocol where none adds
            term = {"thread": "thread", "epoll-1": "protocol"}.get(label, "hand-offs")
            check(f"server {label}: the miss names its term", f"missed: suspect {term}",
                  cells[7])


def main(argv):
    tmp = tempfile.mkdtemp(prefix="parlab-model-")
    try:
        run = make_run(os.path.join(tmp, "run"))
        md = drawn(run, os.path.join(tmp, "out"))
        check_primes(md)
        check_findings(md)
        check_server(md)
        record(os.path.exists(os.path.join(tmp, "out", "figures", "model_fit.svg")),
               "the model_fit figure is drawn")
        # A calibration whose division is far too cheap: every clean point misses, and the
        # report lists the misses with compute as the suspect term.
        cheap = {("div32", "kernel"): 1.0, ("div32", "scan"): 30.0}
        fast = [(p, v, u, cheap.get((p, v), m)) for p, v, u, m in CAL]
        md = drawn(make_run(os.path.join(tmp, "fast"), fast), os.path.join(tmp, "fast-out"))
        sec = section(md, "Why: the cost model")
        record(re.search(r"Missed by more than 15% with P <= cores: `nonoptimized`, N = 10\^6 "
                         r"-[0-9.]+%, suspect term compute", sec) is not None,
               f"the misses named with their term:\n{sec}")
        # A run of before calibrate: said, nothing predicted, no figure.
        md = drawn(make_run(os.path.join(tmp, "old"), None), os.path.join(tmp, "old-out"))
        sec = section(md, "Why: the cost model")
        record("Nothing is predicted for this run: this run has no calibration.csv" in sec,
               f"a run without calibration says so:\n{sec}")
        record(not os.path.exists(os.path.join(tmp, "old-out", "figures", "model_fit.svg")),
               "no model_fit figure without a calibration")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return done("scripts_model_report")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
