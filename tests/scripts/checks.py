"""checks - the one assertion helper of the Python script tests: a failed check prints what
was checked with both values, and done() prints the tally and gives the exit status;
run_tool() runs a script's main() in the test's own interpreter."""
import contextlib
import io
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


def run_tool(tool, *args):
    """(exit status, stdout, stderr) of a script module's main() (parlab.plots, ...) run as
    its command line would run it, in this process: one start of the imports for all."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = tool.main(["tool", *args])
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()
