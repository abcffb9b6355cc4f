"""The lab's single-process brute force, as one writes it first: the Python baseline
parlab's C programs are compared with. usage: nonoptimized.py [LIMIT] [OUTPUT]"""
import math
import sys


def is_prime(n):
    if n < 2:
        return False
    for d in range(2, math.isqrt(n) + 1):
        if n % d == 0:
            return False
    return True


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    output = sys.argv[2] if len(sys.argv) > 2 else "primes_nonoptimized.txt"
    primes = [n for n in range(limit + 1) if is_prime(n)]
    with open(output, "w") as f:
        f.write("\n".join(map(str, primes)))


if __name__ == "__main__":
    main()
