"""checks - the one assertion helper of the Python script tests: a failed check prints what
was checked with both values, and done() prints the tally and gives the exit status."""
import sys

tally = {"passed": 0, "failed": 0}


def record(ok, message):
    """Counts one check; a failure prints message."""
    if ok:
        tally["passed"] += 1
    else:
        tally["failed"] += 1
        print(f"FAIL: {message}", file=sys.stderr)


def check(what, expected, actual):
    record(expected == actual, f"{what}: expected {expected!r}, got {actual!r}")


def done(name="", note=""):
    """Prints "name: N passed, N failed (note)" and returns the exit status: 1 if any failed."""
    head = f"{name}: " if name else ""
    tail = f" ({note})" if note else ""
    print(f"{head}{tally['passed']} passed, {tally['failed']} failed{tail}")
    return 1 if tally["failed"] else 0
