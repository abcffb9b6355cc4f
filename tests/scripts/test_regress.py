"""Self-tests of scripts/regress on synthetic runs whose verdicts are known."""
import importlib.machinery
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REGRESS = os.path.join(ROOT, "scripts", "regress")
passed = failed = 0


def check(what, expected, actual):
    global passed, failed
    if expected == actual:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}: expected {expected!r}, got {actual!r}", file=sys.stderr)


def load_regress():
    loader = importlib.machinery.SourceFileLoader("regress", REGRESS)
    spec = importlib.util.spec_from_loader("regress", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def times(center, runs, jitter, rng):
    return [center * (1.0 + rng.uniform(-jitter, jitter)) for _ in range(runs)]


LOADGEN_HEADER = ("label,target,mode,clients,threads,rate_per_s,delay_s,duration_s,sessions,"
                  "sessions_per_s,latency_mean_us,latency_p50_us,latency_p90_us,latency_p99_us,"
                  "latency_p999_us,latency_max_us,errors_connect,errors_write,errors_read,"
                  "errors_timeout,errors_reply,errors_unparsable,held")


def make_run(folder, scale=1.0, runs=10, jitter=0.01, seed=1, checksum="ab" * 32,
             instructions=30_000_000, divisions=67740404, reference_scale=1.0, server=None,
             burst=0):
    """A run with a serial point and two optimized points, all times times `scale`, the
    first `burst` runs of each 1.8 times longer (load from elsewhere); with server =
    (parlab sessions/s, epoll sessions/s, pairs), the server's paired repeats."""
    rng = random.Random(seed)
    os.makedirs(folder)
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump({"sweep": "quick", "cores": 2, "cpu_model": "test cpu"}, f)
    points = [("nonoptimized", 1, "serial", 1000001, 0.100),
              ("optimized", 2, "dynamic", 1000, 0.052),
              ("optimized", 2, "static", 1000, 0.064)]
    results = []
    for program, procs, schedule, chunk, t in points:
        params = {"program": program, "limit": "1000000", "procs": str(procs),
                  "schedule": schedule, "chunk": str(chunk)}
        sample = times(t * scale, runs, jitter, rng)
        sample = [v * 1.8 for v in sample[:burst]] + sample[burst:]
        results.append({"command": program, "times": sample, "parameters": params})
    with open(os.path.join(folder, "primes_procs.hyperfine.json"), "w") as f:
        json.dump({"results": results}, f)
    sieve = {"command": "primesieve", "times": times(0.005 * reference_scale, runs, jitter, rng),
             "parameters": {"program": "primesieve", "limit": "1000000", "procs": "1",
                            "schedule": "sieve", "chunk": "1000000"}}
    with open(os.path.join(folder, "primes_size.hyperfine.json"), "w") as f:
        json.dump({"results": [sieve]}, f)
    with open(os.path.join(folder, "primes_checksums.csv"), "w") as f:
        f.write("program,limit,procs,schedule,chunk,sha256,bytes\n")
        f.write(f"optimized,1000000,2,dynamic,1000,{checksum},538467\n")
    with open(os.path.join(folder, "primes_instructions.csv"), "w") as f:
        f.write("program,limit,procs,schedule,chunk,instructions\n")
        f.write(f"optimized,100000,2,dynamic,1000,{instructions}\n")
    with open(os.path.join(folder, "primes_metrics.csv"), "w") as f:
        f.write("program,limit,procs,chunk,schedule,worker,wall_ns,cpu_ns,numbers_tested,"
                "trial_divisions,primes_found\n")
        f.write(f"optimized,1000000,2,1000,dynamic,all,5,5,999999,{divisions},78498\n")
    if server:
        parlab, epoll, pairs = server
        with open(os.path.join(folder, "server_repeat.csv"), "w") as f:
            f.write(LOADGEN_HEADER + "\n")
            for _ in range(pairs):
                for label, rate in (("parlab", parlab), ("epoll", epoll)):
                    r = rate * (1.0 + rng.uniform(-jitter, jitter))
                    f.write(f"{label},127.0.0.1:1,closed,64,2,,0.0,1.0,{r:.0f},{r:.2f},"
                            f"2500,2400,3900,6300,8400,15000,0,0,0,0,0,0,\n")


def gate(base, cur, *extra):
    proc = subprocess.run([sys.executable, REGRESS, *extra, base, cur], capture_output=True,
                          text=True, timeout=60)
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


def verdicts(stdout, word):
    return [line for line in stdout.splitlines() if f"  {word}  " in line or
            line.rstrip().endswith(f"  {word}")]


def main():
    tmp = tempfile.mkdtemp(prefix="parlab-regress-")
    try:
        base = made(tmp, "base")

        # Exact Mann-Whitney p-values, known in closed form: complete separation of two
        # samples of 5 has two-sided p = 2 / C(10, 5) = 2/252; of 2 and 2, 2/6.
        r = load_regress()
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
        check("25% slower: SLOWER rows (3 timings)", 3, len(verdicts(out, "SLOWER")))
        check("25% slower: verdict line", True, "REGRESSION" in out)

        rc, out, _ = gate(made(tmp, "base2", runs=2),
                          made(tmp, "slow2", scale=1.25, runs=2, seed=5))
        check("25% slower with 2 runs passes", 0, rc)
        check("25% slower with 2 runs: said not significant", True, "not significant" in out)

        # A burst of load from elsewhere: 8 of 10 runs 80% slower, the median with them, the
        # U test sure of it, but the best run as fast as ever.
        rc, out, _ = gate(base, made(tmp, "burst", burst=8, seed=19))
        check("8 of 10 runs slowed by a burst passes", 0, rc)
        check("burst: each timing says why", 3,
              len([l for l in out.splitlines() if "some runs slowed, not the program" in l]))

        rc, out, _ = gate(base, made(tmp, "fast", scale=0.7, seed=9))
        check("30% faster passes", 0, rc)
        check("30% faster: reported", 3, len(verdicts(out, "faster")))

        rc, out, _ = gate(base, made(tmp, "ref", reference_scale=1.5))
        check("a slower reference program (primesieve) is reported, not failed", 0, rc)
        check("reference program: said so", True, "reference program" in out)

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
        rc, out, _ = gate(sbase, sbase)
        check("server repeats: identical runs pass", 0, rc)
        judged = [l for l in verdicts(out, "ok") if l.startswith("server_repeat") and "p = " in l]
        check("server repeats: throughput and ratio judged", 2, len(judged))
        check("server repeats: p99 reported", True,
              any("latency_p99_us" in l and "not judged" in l for l in out.splitlines()))
        rc, out, _ = gate(sbase, made(tmp, "sslow", server=(16500, 30000, 6), seed=11))
        check("server 25% fewer sessions/s over 6 pairs fails", 1, rc)
        check("server 25% fewer: throughput and ratio SLOWER", 2,
              len([l for l in verdicts(out, "SLOWER") if l.startswith("server_repeat")]))
        rc, out, _ = gate(sbase, made(tmp, "sbusy", server=(16500, 22500, 6), seed=13))
        check("a machine 25% slower for both servers: the ratio holds", 1,
              len([l for l in verdicts(out, "ok") if l.startswith("server_repeat parlab/epoll")]))
        rc, out, _ = gate(made(tmp, "sbase2", server=(22000, 30000, 2)),
                          made(tmp, "sslow2", server=(16500, 30000, 2), seed=17))
        check("server 25% fewer over 2 pairs passes", 0, rc)
        check("server over 2 pairs: said not significant", True,
              any("not significant" in l for l in out.splitlines() if l.startswith("server_repeat")))
        rc, _, err = corrupted(tmp, sbase, "sbad", "server_repeat.csv",
                               "parlab,127.0.0.1:1,closed,64,2,,0.0,1.0,0,fast,1,1,1,1,1,1,"
                               "0,0,0,0,0,0,\n", mode="a")
        check("server repeats: a bad number exits 2", 2, rc)
        check("server repeats: the file and the value named", True,
              "server_repeat.csv" in err and "'fast'" in err)

        # Malformed and missing inputs: exit 2 with the file named.
        rc, _, err = corrupted(tmp, base, "broken", "primes_procs.hyperfine.json", "{not json")
        check("malformed JSON exits 2", 2, rc)
        check("malformed JSON named", True, "primes_procs.hyperfine.json" in err)

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
    finally:
        shutil.rmtree(tmp)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
