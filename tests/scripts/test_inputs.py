"""scripts/plots, scripts/report and scripts/regress on crafted and malformed copies of the
fixture run (tests/fixtures/run): cells written as gnuplot or shell syntax are refused and
never run; text, nan, inf, negative or zero times, fractional counts, header-only CSVs, a
non-numeric `cores` and torn runs all give exit 2 and one line naming file, row and column,
with nothing printed and nothing written. The three scripts run in this process (hundreds
of cases: no interpreter start each)."""
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile


# The scripts are loaded from the source tree: leave no bytecode there.
sys.dont_write_bytecode = True
from checks import check, done  # noqa: E402 (beside this file, after the line above)
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "run")


sys.path.insert(0, os.path.join(ROOT, "scripts"))
from parlab import plots, regress, report  # noqa: E402

TOOLS = {"plots": plots, "report": report, "regress": regress}


def run_tool(tool, folder, out):
    """(exit status, stdout, stderr) of one script on `folder`; regress compares it with
    the fixture as baseline."""
    args = ["fixture", folder] if tool == "regress" else [folder, "--out", out]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            rc = TOOLS[tool].main([tool] + args)
        except SystemExit as e:
            rc = e.code
    return rc, stdout.getvalue(), stderr.getvalue()


def set_cell(folder, file, line, column, value):
    path = os.path.join(folder, file)
    with open(path) as f:
        lines = f.read().splitlines()
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def edit_meta(folder, **changes):
    path = os.path.join(folder, "meta.json")
    with open(path) as f:
        meta = json.load(f)
    for key, value in changes.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    with open(path, "w") as f:
        json.dump(meta, f, indent=2)


def refused(name, folder, message):
    """Every script refuses `folder`: exit 2, `message` as its one line, nothing else."""
    for tool in TOOLS:
        out = os.path.join("out", folder, tool)
        rc, stdout, stderr = run_tool(tool, folder, out)
        check(f"{tool}, {name}: exit", 2, rc)
        check(f"{tool}, {name}: one line", f"{tool}: {message}\n", stderr)
        check(f"{tool}, {name}: nothing printed", "", stdout)
        check(f"{tool}, {name}: nothing written", False, os.path.exists(out))


def case(name):
    shutil.rmtree(name, ignore_errors=True)
    shutil.copytree("fixture", name)
    return name


PAYLOADS = ["epoll'.system('touch PWNED').'", 'epoll".system("touch PWNED")."',
            "epoll`touch PWNED`", "epoll$(touch PWNED)", "epoll;touch PWNED", "a b"]
NAME_COLUMNS = [("server_clients.csv", 3, "label"), ("server_repeat.csv", 2, "label"),
                ("primes_python.csv", 2, "program"), ("primes_procs.csv", 3, "schedule"),
                ("primes_metrics.csv", 2, "schedule"), ("primes_checksums.csv", 2, "program")]
MALFORMED = [
    ("primes_procs.csv", 2, "median_s", "abc", "is not a number"),
    ("primes_procs.csv", 3, "median_s", "nan", "is not a finite number"),
    ("primes_procs.csv", 3, "max_s", "inf", "is not a finite number"),
    ("primes_procs.csv", 4, "median_s", "-inf", "is not a finite number"),
    ("primes_chunk.csv", 2, "min_s", "-0.003", "is negative"),
    ("primes_python.csv", 3, "stddev_s", "-1e-6", "is negative"),
    ("primes_procs.csv", 2, "median_s", "0", "is zero (must be positive)"),
    ("primes_size.csv", 2, "median_s", "0.0", "is zero (must be positive)"),
    ("primes_procs.csv", 2, "limit", "1e4", "is not a whole number"),
    ("primes_procs.csv", 3, "procs", "0", "must be at least 1"),
    ("primes_metrics.csv", 2, "worker", "w0", "is not a number"),
    ("primes_metrics.csv", 3, "procs", "two", "is not a number"),
    ("primes_metrics.csv", 3, "trial_divisions", "1e5", "is not a whole number"),
    ("primes_metrics.csv", 3, "wall_ns", "-5", "is negative"),
    ("primes_instructions.csv", 2, "instructions", "lots", "is not a number"),
    ("primes_checksums.csv", 2, "sha256", "xyz", "is not a sha256 (64 lower-case hex digits)"),
    ("server_clients.csv", 2, "sessions_per_s", "NaN", "is not a finite number"),
    ("server_clients.csv", 2, "clients", "many", "is not a number"),
    ("server_repeat.csv", 3, "latency_p99_us", "fast", "is not a number"),
    ("server_rate.csv", 2, "mode", "sideways", "is not one of closed, open, hold"),
]


def main():
    tmp = tempfile.mkdtemp(prefix="parlab-inputs-")
    try:
        os.chdir(tmp)
        shutil.copytree(FIXTURE, "fixture")
        for tool in TOOLS:
            rc, _, stderr = run_tool(tool, "fixture", os.path.join("good", tool))
            if tool == "regress":
                check("the fixture passes the gate against itself", (0, ""), (rc, stderr))

        for file, line, column in NAME_COLUMNS:
            for i, payload in enumerate(PAYLOADS):
                folder = case(f"inj_{column}_{i}")
                set_cell(folder, file, line, column, payload)
                refused(f"{column} {payload!r}", folder,
                        f"{folder}/{file}:{line}: column '{column}': '{payload}' is not a "
                        "name (letters, digits and _ . + - only)")
        found = [os.path.join(d, f) for d, _, fs in os.walk(tmp) for f in fs if "PWNED" in f]
        check("no injected command ran", [], found)

        for file, line, column, value, reason in MALFORMED:
            folder = case(f"bad_{file[:-4]}_{column}")
            set_cell(folder, file, line, column, value)
            refused(f"{file} {column} {value!r}", folder,
                    f"{folder}/{file}:{line}: column '{column}': '{value}' {reason}")

        folder = case("ragged")
        with open(os.path.join(folder, "primes_size.csv")) as f:
            line = len(f.read().splitlines()) + 1
        with open(os.path.join(folder, "primes_size.csv"), "a") as f:
            f.write("optimized,1000,2\n")
        refused("a short row", folder,
                f"{folder}/primes_size.csv:{line}: wrong number of cells (the header has 19)")
        folder = case("header_only")
        with open(os.path.join(folder, "primes_chunk.csv")) as f:
            header = f.readline()
        with open(os.path.join(folder, "primes_chunk.csv"), "w") as f:
            f.write(header)
        refused("a header-only CSV", folder,
                f"{folder}/primes_chunk.csv:1: no data rows (header only)")
        folder = case("empty")
        open(os.path.join(folder, "server_clients.csv"), "w").close()
        refused("an empty CSV", folder, f"{folder}/server_clients.csv: empty file (no header)")
        for value, reason in (("two", "is not a number"), (0, "must be at least 1"),
                              (2.5, "is not a whole number"), (None, "is not a number")):
            folder = case(f"cores_{value}")
            edit_meta(folder, cores=value)
            refused(f"cores {value!r}", folder,
                    f"{folder}/meta.json: key 'cores': '{value}' {reason}")
        for value, reason in (("NaN", "'NaN' is not a finite number"),
                              ("-0.1", "'-0.1' is negative"), ("0", "'0' is zero (must be "
                                                                     "positive)"),
                              ("0.1s", "'0.1s' is not a number")):
            folder = case(f"runs_{value}")
            set_cell(folder, "primes_procs.runs.csv", 2, "wall_s", value)
            refused(f"a time {value} in runs.csv", folder,
                    f"{folder}/primes_procs.runs.csv:2: column 'wall_s': {reason}")
        for payload in PAYLOADS[:4]:
            folder = case("suspect_" + str(PAYLOADS.index(payload)))
            set_cell(folder, "primes_procs.csv", 2, "suspect", payload)
            refused(f"suspect {payload}", folder,
                    f"{folder}/primes_procs.csv:2: column 'suspect': '{payload}' is not a "
                    "reason (letters, digits, spaces and _ . + % < > = ; : , - only)")
        folder = case("legacy_fixture")
        for sweep in ("primes_procs", "primes_chunk", "primes_size", "primes_python"):
            os.remove(os.path.join(folder, f"{sweep}.runs.csv"))
        refused("no runs.csv", folder, f"{folder}: incomplete run: primes_chunk.runs.csv is "
                "listed in meta.json but missing")

        # Torn runs: refused by all three, whatever is left of them.
        folder = case("no_mark")
        edit_meta(folder, complete=None)
        refused("no completion mark", folder, f"{folder}: incomplete run: meta.json is not "
                "marked complete (bench/run was cut short or failed)")
        folder = case("only_meta")
        for n in os.listdir(folder):
            if n != "meta.json":
                os.remove(os.path.join(folder, n))
        refused("only meta.json", folder, f"{folder}: incomplete run: primes_checksums.csv is "
                "listed in meta.json but missing")
        folder = case("no_checksums")
        os.remove(os.path.join(folder, "primes_checksums.csv"))
        refused("no checksums", folder, f"{folder}: incomplete run: primes_checksums.csv is "
                "listed in meta.json but missing")
        with open(os.path.join(folder, "meta.json")) as f:
            files = [n for n in json.load(f)["files"] if n != "primes_checksums.csv"]
        edit_meta(folder, files=files)
        refused("no checksums, nor in the manifest", folder, f"{folder}: incomplete run: the "
                "primes sweeps ran but primes_checksums.csv is not there")
        folder = case("climbing")
        edit_meta(folder, files=["../fixture/meta.json"])
        refused("a manifest climbing out of the run", folder,
                f"{folder}/meta.json: key 'files': '['../fixture/meta.json']' is not a list of "
                "file names")
    finally:
        os.chdir("/")
        shutil.rmtree(tmp)
    return done()


if __name__ == "__main__":
    sys.exit(main())
