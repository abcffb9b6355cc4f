#!/usr/bin/env python3
"""Writes the reference primes.txt by a sieve of Eratosthenes, a method independent of
the trial division under test. usage: make_reference.py LIMIT > primes.txt"""
import sys


def primes_upto(limit):
    if limit < 2:
        return []
    composite = bytearray(limit + 1)
    for p in range(2, int(limit**0.5) + 1):
        if not composite[p]:
            composite[p * p :: p] = b"\x01" * len(range(p * p, limit + 1, p))
    return [n for n in range(2, limit + 1) if not composite[n]]


if __name__ == "__main__":
    sys.stdout.write("\n".join(map(str, primes_upto(int(sys.argv[1])))))
