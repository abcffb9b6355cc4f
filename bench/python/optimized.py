"""The lab's multiprocessing solution, as one writes it first: the same brute force
mapped over a multiprocessing.Pool. usage: optimized.py [LIMIT] [OUTPUT] [PROCS]"""
import multiprocessing
import os
import sys

from nonoptimized import is_prime


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    output = sys.argv[2] if len(sys.argv) > 2 else "primes_optimized.txt"
    procs = int(sys.argv[3]) if len(sys.argv) > 3 else os.cpu_count()
    numbers = range(limit + 1)
    with multiprocessing.Pool(procs) as pool:
        flags = pool.map(is_prime, numbers, chunksize=10_000)
    primes = [n for n, prime in zip(numbers, flags) if prime]
    with open(output, "w") as f:
        f.write("\n".join(map(str, primes)))


if __name__ == "__main__":
    main()
