#!/usr/bin/env python3
"""mean_sum_mean() against exact rational arithmetic: for each sequence, Python's
float(sum(map(Fraction, values)) / len(values)) is the correctly rounded mean, computed
independently of the C code. Sequences mix huge, tiny, subnormal and cancelling values,
fed through `test_mean --dump`."""
import math
import random
import struct
import subprocess
import sys
from fractions import Fraction


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def random_double(rng):
    kind = rng.randrange(6)
    if kind == 0:  # any finite bit pattern
        while True:
            x = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
            if math.isfinite(x):
                return x
    if kind == 1:  # subnormal
        return rng.choice((-1, 1)) * math.ldexp(rng.getrandbits(52), -1074)
    if kind == 2:  # near the top of the range
        return rng.choice((-1, 1)) * math.ldexp(1 + rng.random(), rng.randint(1000, 1023))
    if kind == 3:  # whole numbers, as the lab sends
        return float(rng.randint(-10**6, 10**6))
    if kind == 4:  # decimal fractions
        return rng.randint(-10**9, 10**9) / rng.choice((10, 100, 1000, 7))
    return rng.choice((0.0, -0.0, 1e308, -1e308, 1e-300, 5e-324, 0.1))


def sequences():
    rng = random.Random(20261201)
    out = [[1e308, 1e308, 1e-300, -1e308, -1e308], [5e-324, 0.0], [5e-324 * 3, 0.0],
           [1e308] * 7 + [-1e308] * 6 + [1e-320], [0.1] * 1000]
    for _ in range(6000):
        n = rng.choice((1, 2, 3, 5, 8, 30))
        seq = [random_double(rng) for _ in range(n)]
        if rng.random() < 0.3:  # cancel most of it, leave something small
            seq += [-x for x in seq[:-1]]
            rng.shuffle(seq)
        out.append(seq)
    return out


def main():
    dumper = sys.argv[1]
    seqs = sequences()
    feed = "".join(" ".join("%016x" % bits(x) for x in s) + "\n" for s in seqs)
    run = subprocess.run([dumper, "--dump"], input=feed, capture_output=True, text=True,
                         timeout=120)
    if run.returncode != 0:
        print(f"{dumper} --dump failed with status {run.returncode}: {run.stderr}")
        return 1
    got = run.stdout.split("\n")[:-1]
    if len(got) != len(seqs):
        print(f"expected {len(seqs)} lines from {dumper}, got {len(got)}")
        return 1
    bad = []
    for s, g in zip(seqs, got):
        want = float(sum(map(Fraction, s)) / len(s))
        if "%016x" % bits(want) != g:
            bad.append((s, want, g))
    for s, want, g in bad[:10]:
        have = struct.unpack("<d", int(g, 16).to_bytes(8, "little"))[0]
        print(f"{[x.hex() for x in s][:6]}...: expected {want.hex()}, actual {have.hex()}")
    print(f"{len(seqs) - len(bad)} passed, {len(bad)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
