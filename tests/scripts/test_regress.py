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


def make_run(folder, scale=1.0, runs=10, jitter=0.01, seed=1, checksum="ab" * 32,
             instructions=30_000_000, divisions=67740404, reference_scale=1.0):
    """A run with a serial point and two optimized points, all times times `scale`."""
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
        results.append({"command": program, "times": times(t * scale, runs, jitter, rng),
                        "parameters": params})
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


def gate(base, cur, *extra):
    proc = subprocess.run([sys.executable, REGRESS, *extra, base, cur], capture_output=True,
                          text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def verdicts(stdout, word):
    return [line for line in stdout.splitlines() if f"  {word}  " in line or
            line.rstrip().endswith(f"  {word}")]


def main():
    tmp = tempfile.mkdtemp(prefix="parlab-regress-")
    try:
        base = os.path.join(tmp, "base")
        make_run(base)

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

        noisy = os.path.join(tmp, "noisy")
        make_run(noisy, scale=1.03, jitter=0.02, seed=7)
        rc, out, _ = gate(base, noisy)
        check("3% slower with noise passes", 0, rc)

        slow = os.path.join(tmp, "slow")
        make_run(slow, scale=1.25, seed=3)
        rc, out, _ = gate(base, slow)
        check("25% slower with 10 runs fails", 1, rc)
        check("25% slower: SLOWER rows (3 timings)", 3, len(verdicts(out, "SLOWER")))
        check("25% slower: verdict line", True, "REGRESSION" in out)

        base2 = os.path.join(tmp, "base2")
        slow2 = os.path.join(tmp, "slow2")
        make_run(base2, runs=2)
        make_run(slow2, scale=1.25, runs=2, seed=5)
        rc, out, _ = gate(base2, slow2)
        check("25% slower with 2 runs passes", 0, rc)
        check("25% slower with 2 runs: said not significant", True, "not significant" in out)

        fast = os.path.join(tmp, "fast")
        make_run(fast, scale=0.7, seed=9)
        rc, out, _ = gate(base, fast)
        check("30% faster passes", 0, rc)
        check("30% faster: reported", 3, len(verdicts(out, "faster")))

        ref = os.path.join(tmp, "ref")
        make_run(ref, reference_scale=1.5)
        rc, out, _ = gate(base, ref)
        check("a slower reference program (primesieve) is reported, not failed", 0, rc)
        check("reference program: said so", True, "reference program" in out)

        changed = os.path.join(tmp, "changed")
        make_run(changed, checksum="cd" * 32)
        rc, out, _ = gate(base, changed)
        check("changed checksum fails", 1, rc)
        check("changed checksum: one changed row", 1, len(verdicts(out, "changed")))

        counts = os.path.join(tmp, "counts")
        make_run(counts, divisions=67740405)
        rc, out, _ = gate(base, counts)
        check("changed trial_divisions fails", 1, rc)

        instr = os.path.join(tmp, "instr")
        make_run(instr, instructions=31_500_000)
        rc, out, _ = gate(base, instr)
        check("5% more instructions fails", 1, rc)
        check("5% more instructions: SLOWER row", 1,
              len([l for l in verdicts(out, "SLOWER") if l.startswith("instructions")]))

        small = os.path.join(tmp, "small")
        make_run(small, instructions=30_300_000)
        check("1% more instructions passes", 0, gate(base, small)[0])

        # Malformed and missing inputs: exit 2 with the file named.
        broken = os.path.join(tmp, "broken")
        shutil.copytree(base, broken)
        with open(os.path.join(broken, "primes_procs.hyperfine.json"), "w") as f:
            f.write("{not json")
        rc, _, err = gate(base, broken)
        check("malformed JSON exits 2", 2, rc)
        check("malformed JSON named", True, "primes_procs.hyperfine.json" in err)

        nocol = os.path.join(tmp, "nocol")
        shutil.copytree(base, nocol)
        with open(os.path.join(nocol, "primes_instructions.csv"), "w") as f:
            f.write("program,limit\noptimized,100000\n")
        rc, _, err = gate(base, nocol)
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
