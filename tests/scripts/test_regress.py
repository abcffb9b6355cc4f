"""Self-tests of scripts/regress on synthetic runs whose verdicts are known, and on torn and
malformed runs, which it must refuse (exit 2) naming the file, row and column."""
import contextlib
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile


# The scripts are loaded from the source tree: leave no bytecode there.
sys.dont_write_bytecode = True
from checks import check, done  # noqa: E402 (beside this file, after the line above)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REGRESS = os.path.join(ROOT, "scripts", "regress")


def load_regress():
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    from parlab import regress
    return regress


def times(center, runs, jitter, rng):
    return [center * (1.0 + rng.uniform(-jitter, jitter)) for _ in range(runs)]


LOADGEN_HEADER = ("label,target,mode,clients,threads,rate_per_s,delay_s,duration_s,sessions,"
                  "sessions_per_s,latency_mean_us,latency_p50_us,latency_p90_us,latency_p99_us,"
                  "latency_p999_us,latency_max_us,errors_connect,errors_write,errors_read,"
                  "errors_timeout,errors_reply,errors_unparsable,held")


TIMING_HEADER = ("program,limit,procs,schedule,chunk,runs,median_s,mean_s,stddev_s,cv_pct,"
                 "min_s,max_s,user_s,system_s,outside_cores,steal_s,attempts,suspect,comparison")
RUNS_HEADER = ("program,limit,procs,schedule,chunk,comparison,variant,block,order_in_block,"
               "attempt,seed,wall_s,user_s,sys_s,maxrss_kib,exit,outside_cpu_s,steal_s,loadavg")


def timed_sweep(folder, sweep, points, attempts=1):
    """A timed sweep as bench/run writes it: the sweep's CSV and its runs.csv, every point of
    it one comparison in blocks, from [(program, procs, schedule, chunk, per-run times)] at
    N = 10^6. With attempts > 1, earlier attempts' runs are there too, 3 times slower (the
    gate must judge the last attempt only)."""
    with open(os.path.join(folder, f"{sweep}.csv"), "w") as f:
        f.write(TIMING_HEADER + "\n")
        for program, procs, schedule, chunk, sample in points:
            med, mean = statistics.median(sample), statistics.fmean(sample)
            sd = statistics.stdev(sample) if len(sample) > 1 else 0.0
            f.write(f"{program},1000000,{procs},{schedule},{chunk},{len(sample)},{med:.6f},"
                    f"{mean:.6f},{sd:.6f},{100 * sd / mean:.2f},{min(sample):.6f},"
                    f"{max(sample):.6f},{mean:.6f},0.000100,0.010,0.000,{attempts},,1\n")
    with open(os.path.join(folder, f"{sweep}.runs.csv"), "w") as f:
        f.write(RUNS_HEADER + "\n")
        for attempt in range(1, attempts + 1):
            slow = 3.0 if attempt < attempts else 1.0
            for block in range(max(len(p[4]) for p in points)):
                for order, (program, procs, schedule, chunk, sample) in enumerate(points, 1):
                    if block < len(sample):
                        f.write(f"{program},1000000,{procs},{schedule},{chunk},1,"
                                f"{program}.p{procs},{block + 1},{order},{attempt},7,"
                                f"{sample[block] * slow:.6f},0.01,0.001,2000,0,0.000,0.000,"
                                "0.10\n")


MACHINE = "0123456789ab"


def seal(folder, complete=True, machine=MACHINE, cores=2, compiler="cc 12.2.0", **extra):
    """meta.json as bench/run's last step leaves it: complete, with its sweeps and files, and
    the `extra` keys."""
    files = sorted(n for n in os.listdir(folder) if n != "meta.json")
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump({"sweep": "quick", "cores": cores, "cpu_model": "test cpu",
                   "machine": "x86_64", "machine_id": machine, "compiler": compiler,
                   "fingerprint": {"kernel": "6.1.0"}, "complete": complete,
                   "sweeps": ["primes"], "files": files, **extra}, f)


def make_run(folder, scale=1.0, runs=10, jitter=0.01, seed=1, checksum="ab" * 32,
             instructions=30_000_000, divisions=67740404, reference_scale=1.0, server=None,
             burst=0, check_procs=2, labels=("parlab", "epoll"), backends=None, **meta):
    """A complete run: a serial point and two optimized points (procs sweep) and one chunk
    point, all times times `scale`, the first `burst` runs of each 1.8 times longer (load
    from elsewhere), and primesieve and Python as reference programs; with server =
    (thread sessions/s, epoll-1 sessions/s, pairs), the server's paired repeats, labelled
    `labels` (a run of before the concurrency models names them parlab and epoll); with
    backends = (threads scale, primes_mpi scale), the backend sweep's threads and MPI points,
    their times times those too (no MPI point where its scale is None)."""
    rng = random.Random(seed)
    os.makedirs(folder)

    def sample(t):
        s = times(t * scale, runs, jitter, rng)
        return [v * 1.8 for v in s[:burst]] + s[burst:]

    timed_sweep(folder, "primes_procs", [("nonoptimized", 1, "serial", 1000001, sample(0.100)),
                                         ("optimized", 2, "dynamic", 1000, sample(0.052)),
                                         ("optimized", 2, "static", 1000, sample(0.064))])
    timed_sweep(folder, "primes_chunk", [("optimized", 2, "cyclic", 100, sample(0.055))])
    timed_sweep(folder, "primes_size", [("primesieve", 1, "sieve", 1000000,
                                         times(0.005 * reference_scale, runs, jitter, rng))])
    timed_sweep(folder, "primes_python", [("python_nonoptimized", 1, "serial", 1000001,
                                           times(2.5 * reference_scale, runs, jitter, rng))])
    if backends:
        timed_sweep(folder, "primes_backends",
                    [("optimized-threads", 2, "dynamic", 1000, sample(0.050 * backends[0]))]
                    + ([("primes_mpi", 2, "dynamic", 1000, sample(0.600 * backends[1]))]
                       if backends[1] is not None else []))
    with open(os.path.join(folder, "primes_checksums.csv"), "w") as f:
        f.write("program,limit,procs,schedule,chunk,sha256,bytes\n")
        f.write(f"optimized,1000000,{check_procs},dynamic,1000,{checksum},538467\n")
    with open(os.path.join(folder, "primes_instructions.csv"), "w") as f:
        f.write("program,limit,procs,schedule,chunk,instructions\n")
        f.write(f"optimized,100000,{check_procs},dynamic,1000,{instructions}\n")
    with open(os.path.join(folder, "primes_metrics.csv"), "w") as f:
        f.write("program,limit,procs,chunk,schedule,worker,wall_ns,cpu_ns,numbers_tested,"
                "trial_divisions,primes_found\n")
        f.write(f"optimized,1000000,{check_procs},1000,dynamic,all,5,5,999999,{divisions},"
                "78498\n")
    if server:
        parlab, epoll, pairs = server
        with open(os.path.join(folder, "server_repeat.csv"), "w") as f:
            f.write(LOADGEN_HEADER + "\n")
            for _ in range(pairs):
                for label, rate in zip(labels, (parlab, epoll)):
                    r = rate * (1.0 + rng.uniform(-jitter, jitter))
                    f.write(f"{label},127.0.0.1:1,closed,64,2,,0.0,1.0,{r:.0f},{r:.2f},"
                            f"2500,2400,3900,6300,8400,15000,0,0,0,0,0,0,\n")
    seal(folder, **meta)


REG = load_regress()


def gate(base, cur, *extra):
    """scripts/regress run in this process (dozens of cases: no interpreter start each);
    its exit status, stdout and stderr. A few cases below run it as a program too."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = REG.main(["regress", *extra, base, cur])
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


def gate_program(*args):
    proc = subprocess.run([sys.executable, REGRESS, *args], capture_output=True, text=True,
                          timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def made(tmp, name, **kwargs):
    """A synthetic run in tmp/name (see make_run); its folder."""
    folder = os.path.join(tmp, name)
    make_run(folder, **kwargs)
    return folder


def corrupted(tmp, base, name, file, text, mode="w"):
    """Gates a copy of `base` in which `file` was overwritten (or appended to) with `text`."""
    folder = os.path.join(tmp, name)
    shutil.copytree(base, folder)
    with open(os.path.join(folder, file), mode) as f:
        f.write(text)
    return gate(base, folder)


def edited(tmp, base, name, file, line, column, value):
    """Gates a copy of `base` whose CSV `file` has `value` in `column` on line `line`."""
    folder = os.path.join(tmp, name)
    shutil.copytree(base, folder)
    path = os.path.join(folder, file)
    with open(path) as f:
        lines = f.read().splitlines()
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return gate(base, folder)


def torn(tmp, base, name, keep, complete):
    """A copy of `base` holding only meta.json and the files in `keep`, meta.json marked
    complete or not: what a run cut short, or a half copy, leaves."""
    folder = os.path.join(tmp, name)
    shutil.copytree(base, folder)
    for n in os.listdir(folder):
        if n != "meta.json" and n not in keep:
            os.remove(os.path.join(folder, n))
    meta_path = os.path.join(folder, "meta.json")
    with open(meta_path) as f:
        meta = json.load(f)
    meta["complete"] = complete
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    return folder


def verdicts(stdout, word):
    return [line for line in stdout.splitlines() if f"  {word}  " in line or
            line.rstrip().endswith(f"  {word}")]


def timing_line(out):
    return [line for line in out.splitlines() if line.startswith("regress: timings not judged")]


def other_machine(tmp, base, slow):
    """A baseline of another machine: only what travels is judged (checksums, exact counts,
    instruction counts), and one line says timings need a baseline of this machine."""
    other = made(tmp, "other", machine="fedcba987654")
    rc, out, err = gate(other, slow)
    check("another machine's baseline, 25% slower timings: exit 0", 0, rc)
    check("another machine's baseline: one line says timings need a local baseline", 1,
          len(timing_line(out)))
    check("another machine's baseline: the line names make baseline", True,
          "make baseline" in "".join(timing_line(out)))
    check("another machine's baseline: no timing, speedup or server row", [],
          [l for l in out.splitlines() if l.startswith(("primes_", "speedup", "server"))])
    rc, out, _ = gate(other, slow, "--all")
    check("another machine's baseline, --all: the portable rows alone", 4,
          len([l for l in verdicts(out, "ok")]))
    check("another machine's baseline: a changed checksum fails", 1,
          gate(other, made(tmp, "o_sum", checksum="cd" * 32))[0])
    check("another machine's baseline: a changed trial_divisions fails", 1,
          gate(other, made(tmp, "o_div", divisions=67740405))[0])
    rc, out, _ = gate(other, made(tmp, "o_instr", instructions=31_500_000))
    check("another machine's baseline, same compiler: 5% more instructions fails", 1, rc)
    check("... and it still says timings were not judged", 1, len(timing_line(out)))
    rc, out, _ = gate(made(tmp, "o_cc", machine="fedcba987654", compiler="cc 14.1.0"),
                      made(tmp, "o_cc_instr", instructions=31_500_000))
    check("another compiler: instruction counts not comparable, exit 0", 0, rc)
    check("another compiler: the instruction row listed as such", 1,
          len([l for l in verdicts(out, "n/a") if l.startswith("instructions")]))
    rc, out, _ = gate(made(tmp, "o_legacy", machine=None), base)
    check("a baseline from before fingerprints (no machine_id) is another machine's", (0, 1),
          (rc, len(timing_line(out))))

    # Core counts differ: a baseline row at a process count this run did not measure is
    # listed as not comparable, never dropped; one it did measure and lacks still fails.
    four = made(tmp, "o_four", machine="fedcba987654", cores=4, check_procs=4)
    rc, out, _ = gate(four, base)
    rows = verdicts(out, "n/a")
    check("a 4-core baseline on 2 cores: exit 0", 0, rc)
    check("a 4-core baseline on 2 cores: checksum, 2 counts, instructions listed", 4, len(rows))
    check("a 4-core baseline on 2 cores: each says why", 4,
          len([l for l in rows if "procs=4 exceeds this machine's 2 cores" in l]))
    check("a 4-core baseline on 2 cores: counted in the verdict", True,
          "4 not comparable here" in out.splitlines()[-1])
    one = made(tmp, "o_one", machine="fedcba987654", cores=1, check_procs=1)
    rc, out, _ = gate(one, base)
    check("a 1-core baseline on 2 cores: exit 0, rows not measured here listed", (0, 4),
          (rc, len([l for l in verdicts(out, "n/a") if "procs=1 not measured here" in l])))
    same_cores = made(tmp, "o_same", machine="fedcba987654", check_procs=1)
    check("same core count, another machine: an absent row still fails", 1,
          gate(same_cores, base)[0])

    # --baselines DIR: this machine's own baseline (timings judged), else another's.
    shelf = os.path.join(tmp, "shelf")
    os.makedirs(shelf)
    shutil.copytree(other, os.path.join(shelf, "fedcba987654"))
    rc, out, _ = gate_dir(shelf, slow)
    check("--baselines without this machine's: exit 0, the one line", (0, 1),
          (rc, len(timing_line(out))))
    shutil.copytree(base, os.path.join(shelf, MACHINE))
    rc, out, _ = gate_dir(shelf, slow)
    check("--baselines with this machine's: timings judged, exit 1", 1, rc)
    check("--baselines with this machine's: no timing line", [], timing_line(out))
    check("--baselines with this machine's: SLOWER timings", 4,
          len([l for l in verdicts(out, "SLOWER") if l.startswith("primes_")]))
    shelf2 = os.path.join(tmp, "shelf2")
    os.makedirs(shelf2)
    shutil.copytree(made(tmp, "p_cc", machine="aaaaaaaaaaaa", compiler="cc 9", instructions=1),
                    os.path.join(shelf2, "aaaaaaaaaaaa"))
    shutil.copytree(other, os.path.join(shelf2, "fedcba987654"))
    rc, out, _ = gate_dir(shelf2, base)
    check("--baselines: the one built by the same compiler is chosen", (0, True),
          (rc, "fedcba987654" in "".join(timing_line(out))))
    rc, _, err = gate_dir(os.path.join(tmp, "noshelf"), base)
    check("--baselines: a missing folder exits 2", (2, True), (rc, "noshelf" in err))


def legacy(tmp, base, slow):
    """Runs of before bench/measure: hyperfine's JSON where runs.csv is now. The committed
    baseline of that format serves the portable checks on any machine; a run of that format
    on this very machine has no per-run times, so its timings are not judged (one line)."""
    committed = os.path.join(ROOT, "results", "baselines", "unfingerprinted-kvm-2core")
    check("the committed legacy baseline is a complete run", 0,
          gate_program("--check-run", committed)[0])
    run = REG.pr.Run(committed)
    check("the legacy baseline: no per-run times, its sweeps named", ([], 4),
          (sorted(run.runs), len(run.legacy)))
    rc, out, err = gate(committed, base, "--all")
    check("legacy baseline against a new run: no crash, a verdict", (True, ""),
          (rc in (0, 1) and "regress: " in out, err))
    check("legacy baseline: checksums, counts and instructions judged", True,
          all(any(l.startswith(w) for l in out.splitlines())
              for w in ("checksum ", "count ", "instructions: ")))
    check("legacy baseline: timings not judged, one line", 1, len(timing_line(out)))
    rc, out, _ = gate(base, committed)
    check("a legacy run as the current one: read, judged on what travels", True,
          rc in (0, 1) and "timings not judged" in out)
    shelf = os.path.join(tmp, "legacy_shelf")
    os.makedirs(shelf)
    shutil.copytree(committed, os.path.join(shelf, "unfingerprinted-kvm-2core"))
    rc, out, err = gate_dir(shelf, base)
    check("--baselines with only the legacy one: chosen, no crash", (True, ""),
          (rc in (0, 1), err))
    # The same machine, a baseline in the old format: timings cannot be judged.
    old = os.path.join(tmp, "old_format")
    shutil.copytree(slow, old)
    for sweep in REG.pr.OLDER_SWEEPS:
        os.remove(os.path.join(old, f"{sweep}.runs.csv"))
        with open(os.path.join(old, f"{sweep}.hyperfine.json"), "w") as f:
            json.dump({"results": []}, f)
    seal(old)
    rc, out, _ = gate(old, base, "--all")
    check("same machine, old-format baseline: exit 0", 0, rc)
    check("same machine, old-format baseline: says why timings are not judged", True,
          "holds no per-run times" in out)
    check("same machine, old-format baseline: no timing rows", [],
          [l for l in out.splitlines() if l.startswith(("primes_", "speedup"))])
    # Earlier attempts of a comparison (disturbed, measured again) are not judged.
    again = os.path.join(tmp, "attempts")
    shutil.copytree(base, again)
    rng = random.Random(3)
    timed_sweep(again, "primes_procs",
                [("nonoptimized", 1, "serial", 1000001, times(0.100, 10, 0.01, rng)),
                 ("optimized", 2, "dynamic", 1000, times(0.052, 10, 0.01, rng)),
                 ("optimized", 2, "static", 1000, times(0.064, 10, 0.01, rng))], attempts=2)
    seal(again)
    rc, out, _ = gate(base, again)
    check("a re-measured comparison: judged on its last attempt, exit 0", 0, rc)


def gate_dir(folder, cur):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = REG.main(["regress", "--baselines", folder, cur])
    return rc, out.getvalue(), err.getvalue()


def output_rows(tmp, base, slow):
    """By default only the rows not ok, then the verdict; --all prints every row."""
    rc, out, _ = gate(base, base)
    check("identical runs: the verdict line alone", ["regress: no regression in 12 metrics"],
          out.splitlines())
    rc, out, _ = gate(base, base, "--all")
    check("identical runs, --all: a header, every metric and the verdict", 14,
          len(out.splitlines()))
    rc, out, _ = gate(base, slow)
    lines = out.splitlines()
    check("a regression: the header, the 4 slower timings and speedups, the verdict",
          True, lines[0].startswith("metric ") and lines[-1].startswith("regress: REGRESSION"))
    check("a regression: no ok row printed", [], verdicts(out, "ok"))
    check("--all is a program option", 0, gate_program("--all", base, base)[0])


def main():
    tmp = tempfile.mkdtemp(prefix="parlab-regress-")
    try:
        base = made(tmp, "base")

        # Exact Mann-Whitney p-values, known in closed form: complete separation of two
        # samples of 5 has two-sided p = 2 / C(10, 5) = 2/252; of 2 and 2, 2/6.
        r = REG
        check("U test, 5 vs 5 separated", round(2 / 252, 9),
              round(r.mann_whitney_p([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]), 9))
        check("U test, 2 vs 2 separated", round(2 / 6, 9), round(r.mann_whitney_p([1, 2], [3, 4]), 9))
        check("U test, identical samples", 1.0, r.mann_whitney_p([1, 2, 3], [1, 2, 3]))

        rc, out, err = gate(base, base)
        check("identical runs pass", 0, rc)
        check("identical runs: verdict line", True, "regress: no regression" in out)

        rc, out, _ = gate(base, made(tmp, "noisy", scale=1.03, jitter=0.02, seed=7))
        check("3% slower with noise passes", 0, rc)

        slow = made(tmp, "slow", scale=1.25, seed=3)
        rc, out, _ = gate(base, slow)
        check("25% slower with 10 runs fails", 1, rc)
        check("25% slower: SLOWER rows (4 timings)", 4,
              len([l for l in verdicts(out, "SLOWER") if l.startswith("primes_")]))
        check("25% slower: verdict line", True, "REGRESSION" in out)

        # --all: the rows judged ok are printed too, with why they are.
        rc, out, _ = gate(made(tmp, "base2", runs=2),
                          made(tmp, "slow2", scale=1.25, runs=2, seed=5), "--all")
        check("25% slower with 2 runs passes", 0, rc)
        check("25% slower with 2 runs: said not significant", True, "not significant" in out)

        # A burst of load from elsewhere: 8 of 10 runs 80% slower, the median with them, the
        # U test sure of it, but the best run as fast as ever.
        rc, out, _ = gate(base, made(tmp, "burst", burst=8, seed=19), "--all")
        check("8 of 10 runs slowed by a burst passes", 0, rc)
        check("burst: each timing says why", 4,
              len([l for l in out.splitlines() if "some runs slowed, not the program" in l]))

        rc, out, _ = gate(base, made(tmp, "fast", scale=0.7, seed=9))
        check("30% faster passes", 0, rc)
        check("30% faster: reported", 4,
              len([l for l in verdicts(out, "faster") if l.startswith("primes_")]))

        rc, out, _ = gate(base, made(tmp, "ref", reference_scale=1.5), "--all")
        check("a slower reference program (primesieve) is reported, not failed", 0, rc)
        check("reference program: said so", True, "reference program" in out)

        # The backends: threads are parlab's code, judged; primes_mpi's time is mostly
        # mpirun's, reported only.
        rc, out, _ = gate(made(tmp, "bk", backends=(1.0, 1.0)),
                          made(tmp, "bk_slow", backends=(1.3, 1.0)))
        check("threads backend 30% slower fails", 1, rc)
        check("threads backend 30% slower: its row", ["optimized-threads"],
              [l.split()[1].split("=")[1] for l in verdicts(out, "SLOWER")])
        rc, out, _ = gate(made(tmp, "bk2", backends=(1.0, 1.0)),
                          made(tmp, "bk2_mpi", backends=(1.0, 1.5)), "--all")
        check("primes_mpi 50% slower passes", 0, rc)
        check("primes_mpi 50% slower: said why it is not judged", True,
              "mostly mpirun's start-up" in out)

        # A baseline's MPI rows against a run whose meta.json says it had no MPI: not
        # comparable, not missing; against one that had MPI and lost the rows: missing.
        bk3 = made(tmp, "bk3", backends=(1.0, 1.0))
        rc, out, _ = gate(bk3, made(tmp, "bk3_nompi", backends=(1.0, None),
                                    primes_backends="fork threads openmp"), "--all")
        check("no MPI here: passes", 0, rc)
        check("no MPI here: the MPI row says why", True,
              "no primes_mpi or mpirun here: not comparable here" in out)
        rc, out, _ = gate(bk3, made(tmp, "bk3_lost", backends=(1.0, None),
                                    primes_backends="fork threads openmp",
                                    mpi="mpirun (Open MPI) 4.1.4"))
        check("MPI here but its rows gone: fails", 1, rc)
        check("MPI here but its rows gone: one missing row", 1, len(verdicts(out, "MISSING")))

        rc, out, _ = gate(base, made(tmp, "changed", checksum="cd" * 32))
        check("changed checksum fails", 1, rc)
        check("changed checksum: one changed row", 1, len(verdicts(out, "changed")))

        rc, out, _ = gate(base, made(tmp, "counts", divisions=67740405))
        check("changed trial_divisions fails", 1, rc)

        rc, out, _ = gate(base, made(tmp, "instr", instructions=31_500_000))
        check("5% more instructions fails", 1, rc)
        check("5% more instructions: SLOWER row", 1,
              len([l for l in verdicts(out, "SLOWER") if l.startswith("instructions")]))

        check("1% more instructions passes", 0,
              gate(base, made(tmp, "small", instructions=30_300_000))[0])

        # The server's paired repeats: parlab's throughput and its ratio to epoll's.
        sbase = made(tmp, "sbase", server=(22000, 30000, 6))
        rc, out, _ = gate(sbase, sbase, "--all")
        check("server repeats: identical runs pass", 0, rc)
        judged = [l for l in verdicts(out, "ok") if l.startswith("server_repeat") and "p = " in l]
        check("server repeats: throughput and ratio judged", 2, len(judged))
        check("server repeats: p99 reported", True,
              any("latency_p99_us" in l and "not judged" in l for l in out.splitlines()))
        rc, out, _ = gate(sbase, made(tmp, "sslow", server=(16500, 30000, 6), seed=11))
        check("server 25% fewer sessions/s over 6 pairs fails", 1, rc)
        check("server 25% fewer: throughput and ratio SLOWER", 2,
              len([l for l in verdicts(out, "SLOWER") if l.startswith("server_repeat")]))
        rc, out, _ = gate(sbase, made(tmp, "sbusy", server=(16500, 22500, 6), seed=13), "--all")
        check("a machine 25% slower for both servers: the ratio holds", 1,
              len([l for l in verdicts(out, "ok") if l.startswith("server_repeat thread/epoll-1")]))
        rc, out, _ = gate(made(tmp, "sbase2", server=(22000, 30000, 2)),
                          made(tmp, "sslow2", server=(16500, 30000, 2), seed=17), "--all")
        check("server 25% fewer over 2 pairs passes", 0, rc)
        check("server over 2 pairs: said not significant", True,
              any("not significant" in l for l in out.splitlines() if l.startswith("server_repeat")))
        # A baseline of before the concurrency models (parlab, epoll) judges a run of them
        # (thread, epoll-1): the same metrics in today's names, a slowdown still caught.
        snew = made(tmp, "snew", server=(22000, 30000, 6), labels=("thread", "epoll-1"))
        rc, out, _ = gate(sbase, snew, "--all")
        check("old-label baseline, new-label run: passes", 0, rc)
        check("old-label baseline: the repeats judged by today's names",
              ["server_repeat thread clients=64 sessions_per_s",
               "server_repeat thread/epoll-1 sessions_per_s"],
              sorted(l.split("  ")[0] for l in verdicts(out, "ok")
                     if l.startswith("server_repeat") and "p = " in l))
        rc, out, _ = gate(sbase, made(tmp, "snewslow", server=(16500, 30000, 6), seed=11,
                                      labels=("thread", "epoll-1")))
        check("old-label baseline: 25% fewer sessions/s of the thread model fails", 1, rc)
        check("old-label baseline: throughput and ratio SLOWER", 2,
              len([l for l in verdicts(out, "SLOWER") if l.startswith("server_repeat")]))
        check("new-label baseline, old-label run: passes", 0, gate(snew, sbase)[0])
        rc, _, err = corrupted(tmp, sbase, "sbad", "server_repeat.csv",
                               "parlab,127.0.0.1:1,closed,64,2,,0.0,1.0,0,fast,1,1,1,1,1,1,"
                               "0,0,0,0,0,0,\n", mode="a")
        check("server repeats: a bad number exits 2", 2, rc)
        check("server repeats: the file, row, column and value named",
              f"regress: {os.path.join(tmp, 'sbad', 'server_repeat.csv')}:14: column "
              "'sessions_per_s': 'fast' is not a number\n", err)

        # Torn runs are refused, as the current run or as the baseline.
        for name, keep, complete in (
                ("meta only", [], False),
                ("meta only, marked complete", [], True),
                ("meta and one runs.csv", ["primes_procs.runs.csv"], True),
                ("runs.csv missing", set(os.listdir(base)) - {"primes_size.runs.csv"}, True),
                ("meta and one CSV", ["primes_procs.csv"], False),
                ("all but the completion mark", os.listdir(base), False),
                ("checksums missing", set(os.listdir(base)) - {"primes_checksums.csv"}, True)):
            t = torn(tmp, base, name.replace(" ", "_").replace(",", ""), keep, complete)
            rc, out, err = gate(base, t)
            check(f"torn run ({name}) exits 2", 2, rc)
            check(f"torn run ({name}): one line says it is incomplete", True,
                  err.startswith(f"regress: {t}: incomplete run: ") and err.count("\n") == 1)
            check(f"torn run ({name}): no verdict printed", "", out)
            check(f"torn baseline ({name}) exits 2", 2, gate(t, base)[0])
        # The manifest itself cut: the sweep's own files are still required.
        nosum = torn(tmp, base, "nosum", set(os.listdir(base)) - {"primes_checksums.csv"}, True)
        with open(os.path.join(nosum, "meta.json")) as f:
            meta = json.load(f)
        meta["files"].remove("primes_checksums.csv")
        with open(os.path.join(nosum, "meta.json"), "w") as f:
            json.dump(meta, f)
        rc, _, err = gate(base, nosum)
        check("checksums absent from the manifest too: exit 2", 2, rc)
        check("checksums absent from the manifest too: named", True,
              "incomplete run: the primes sweeps ran but primes_checksums.csv is not there" in err)
        check("--check-run: a complete run passes", 0, gate_program("--check-run", base)[0])
        rc, out, err = gate_program("--check-run", nosum)
        check("--check-run: a torn run exits 2", 2, rc)
        check("--check-run: one line, nothing on stdout", (1, ""), (err.count("\n"), out))
        rc, out, err = gate_program(base, made(tmp, "slow3", scale=1.25, seed=3))
        check("as a program: a regression exits 1", 1, rc)
        rc, out, err = gate_program("--threshold", "abc", base, base)
        check("as a program: a bad option exits 2, one line", (2, 1), (rc, err.count("\n")))

        # A metric of the baseline that the current run lacks fails, named.
        short = os.path.join(tmp, "short")
        shutil.copytree(base, short)
        with open(os.path.join(short, "primes_instructions.csv"), "w") as f:
            f.write("program,limit,procs,schedule,chunk,instructions\n"
                    "optimized,100000,2,static,1000,31000000\n")
        rc, out, _ = gate(base, short)
        check("a missing metric fails", 1, rc)
        check("a missing metric: named", 1, len([
            l for l in verdicts(out, "MISSING")
            if l.startswith("instructions: program=optimized limit=100000 procs=2 "
                            "schedule=dynamic chunk=1000")]))
        check("a missing metric: counted", True, "1 missing from the current run" in out)

        # Malformed cells: exit 2, one line naming file, row and column, never a verdict.
        for what, file, line, column, value, reason in (
                ("text in a number column", "primes_instructions.csv", 2, "instructions",
                 "lots", "is not a number"),
                ("nan", "primes_procs.csv", 3, "median_s", "nan", "is not a finite number"),
                ("inf", "primes_procs.csv", 2, "max_s", "inf", "is not a finite number"),
                ("a negative time", "primes_chunk.csv", 2, "min_s", "-0.05", "is negative"),
                ("a zero median", "primes_procs.csv", 2, "median_s", "0", "is zero"),
                ("text count", "primes_metrics.csv", 2, "trial_divisions", "many",
                 "is not a number"),
                ("a non-numeric worker", "primes_metrics.csv", 2, "worker", "w0",
                 "is not a number"),
                ("a fractional procs", "primes_checksums.csv", 2, "procs", "1.5",
                 "is not a whole number"),
                ("an injected schedule", "primes_checksums.csv", 2, "schedule",
                 "dynamic'.system('touch PWNED').'", "is not a name")):
            name = "bad_" + what.replace(" ", "_")
            rc, out, err = edited(tmp, base, name, file, line, column, value)
            path = os.path.join(tmp, name, file)
            check(f"{what}: exit 2", 2, rc)
            check(f"{what}: one line naming file, row and column", True,
                  err.startswith(f"regress: {path}:{line}: column '{column}': '{value}' {reason}")
                  and err.count("\n") == 1)
            check(f"{what}: no verdict", "", out)
        for what, line, column, value, reason in (
                ("NaN", 3, "wall_s", "NaN", "is not a finite number"),
                ("negative", 2, "wall_s", "-0.1", "is negative"),
                ("text", 4, "wall_s", "fast", "is not a number"),
                ("a failed run's exit", 2, "exit", "1", "is not one of 0"),
                ("a zero block", 2, "block", "0", "must be at least 1"),
                ("an injected variant", 2, "variant", "a;rm -rf", "is not a name")):
            name = "runs_" + what.replace(" ", "_").replace("'", "")
            rc, out, err = edited(tmp, base, name, "primes_size.runs.csv", line, column, value)
            path = os.path.join(tmp, name, "primes_size.runs.csv")
            check(f"{what} in runs.csv: exit 2", 2, rc)
            check(f"{what} in runs.csv: one line naming file, row and column", True,
                  err.startswith(f"regress: {path}:{line}: column '{column}': '{value}' {reason}")
                  and err.count("\n") == 1)
        rc, _, err = edited(tmp, base, "bad_suspect", "primes_procs.csv", 2, "suspect",
                            "cv 9% > 5%$(touch PWNED)")
        check("a suspect cell with shell syntax: exit 2", 2, rc)
        check("a suspect cell with shell syntax: named", True, "column 'suspect'" in err)
        rc, _, err = edited(tmp, base, "bad_attempts", "primes_procs.csv", 2, "attempts", "0")
        check("zero attempts: exit 2", 2, rc)
        rc, _, err = corrupted(tmp, base, "nocores", "meta.json",
                               '{"complete": true, "sweeps": ["primes"], "cores": "two", '
                               '"files": %s}' % json.dumps(sorted(set(os.listdir(base))
                                                                  - {"meta.json"})))
        check("non-numeric cores: exit 2", 2, rc)
        check("non-numeric cores: named", True, "meta.json: key 'cores': 'two' is not a number" in err)
        rc, _, err = corrupted(tmp, base, "headeronly", "primes_chunk.csv", TIMING_HEADER + "\n")
        check("header-only CSV: exit 2", 2, rc)
        check("header-only CSV: named", True, "primes_chunk.csv:1: no data rows" in err)

        # Malformed and missing inputs: exit 2 with the file named.
        rc, _, err = corrupted(tmp, base, "broken", "primes_procs.runs.csv", "program,limit\n1\n")
        check("malformed runs.csv exits 2", 2, rc)
        check("malformed runs.csv named", True, "primes_procs.runs.csv" in err)

        rc, _, err = corrupted(tmp, base, "nocol", "primes_instructions.csv",
                               "program,limit\noptimized,100000\n")
        check("CSV without its columns exits 2", 2, rc)
        check("CSV without its columns named", True, "primes_instructions.csv" in err)

        rc, _, err = gate(base, os.path.join(tmp, "nowhere"))
        check("missing run exits 2", 2, rc)
        check("missing run named", True, "nowhere" in err)
        rc, _, err = gate(base, base, "--threshold", "abc")
        check("bad threshold exits 2", 2, rc)
        check("bad threshold named", True, "'abc'" in err)
        rc, _, _ = gate(base, base, "--threshold", "30")
        check("a threshold option is taken", 0, rc)
        rc, out, _ = gate(base, slow, "--threshold", "30")
        check("25% slower under a 30% threshold passes", 0, rc)

        other_machine(tmp, base, slow)
        legacy(tmp, base, slow)
        output_rows(tmp, base, slow)
    finally:
        shutil.rmtree(tmp)
    return done()


if __name__ == "__main__":
    sys.exit(main())
