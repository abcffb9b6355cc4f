#!/usr/bin/env python3
"""pyfloat_format() against the repr() of the python3 running this script: every power of
two and its neighbours (where the shortest digits are hardest), decimal boundaries, and
random bit patterns, fed through `test_pyfloat --dump`."""
import math
import random
import struct
import subprocess
import sys


def values():
    out = []
    for e in range(-1074, 1024):
        p = math.ldexp(1.0, e)
        out += [p, math.nextafter(p, 0.0), math.nextafter(p, math.inf), -p]
    for k in range(-325, 309):
        try:
            d = float(f"1e{k}")
        except OverflowError:
            continue
        out += [d, math.nextafter(d, 0.0), math.nextafter(d, math.inf), d * 1.5, d * 9.99]
    rng = random.Random(20250203)
    for _ in range(100000):
        x = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(x):
            out.append(x)
    for _ in range(50000):
        out.append(rng.randint(-10**9, 10**9) / rng.randint(1, 10**4))
    out += [0.0, -0.0, math.inf, -math.inf]
    return out


def main():
    dumper = sys.argv[1]
    vals = values()
    feed = "".join("%016x\n" % struct.unpack("<Q", struct.pack("<d", v))[0] for v in vals)
    run = subprocess.run([dumper, "--dump"], input=feed, capture_output=True, text=True,
                         timeout=120)
    if run.returncode != 0:
        print(f"{dumper} --dump failed with status {run.returncode}: {run.stderr}")
        return 1
    got = run.stdout.split("\n")[:-1]
    if len(got) != len(vals):
        print(f"expected {len(vals)} lines from {dumper}, got {len(got)}")
        return 1
    bad = [(v, repr(v), g) for v, g in zip(vals, got) if repr(v) != g]
    for v, want, g in bad[:20]:
        print(f"{v.hex()}: expected {want!r}, actual {g!r}")
    print(f"{len(vals) - len(bad)} passed, {len(bad)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
