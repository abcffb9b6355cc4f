"""checks - the one assertion helper of the Python script tests: a failed check prints what
was checked with both values, and done() prints the tally and gives the exit status;
run_tool() runs a script's main() in the test's own interpreter; report_of() draws and
writes a run's report through it, write_meta() writes a fixture run's meta.json."""
import contextlib
import io
import json
import os
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


def write_meta(folder, meta):
    """A fixture run's meta.json, its manifest ("files") listing every file beside it."""
    meta["files"] = sorted(n for n in os.listdir(folder) if n != "meta.json")
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    return folder


def report_of(plots, report, run, out, quiet=False):
    """plots then report of `run` into `out`, both checked to exit 0 (and the report to warn
    of nothing, with `quiet`): (report.md, report.html) as written."""
    rc, _, err = run_tool(plots, run, "--out", os.path.join(out, "figures"))
    check(f"{run}: plots exit ({err.strip()})", 0, rc)
    rc, _, err = run_tool(report, run, "--out", out)
    check(f"{run}: report exit ({err.strip()})", 0, rc)
    if quiet:
        check(f"{run}: report warns of nothing", "", err)
    with open(os.path.join(out, "report.md")) as f, open(os.path.join(out, "report.html")) as g:
        return f.read(), g.read()
