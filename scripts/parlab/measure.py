"""Timing of programs that are compared with one another: the variants of one comparison
(naive against parallel, one schedule against another, program A against program B) are run
in shuffled blocks, every run's interference from the rest of the machine is recorded, and a
comparison disturbed by outside load is measured again or marked suspect.

Shuffled blocks. Each block runs every variant once, in an order shuffled afresh for each
block (random.Random(seed), the seed recorded with every run); warm-up blocks are run the
same way first and discarded. A few seconds of outside load thus fall on all the variants
alike instead of on whichever one happened to be running, as when each is timed back to back.

One run. A run is started by runone (src/bench/runone.c, built into build/bin) when there is
one, else by this process itself; each run records which (`launcher`: runone or python).
Either way the command is an argument vector, never a shell's, stdin and stdout on
/dev/null, stderr into a scratch file, in --cwd, in a process group of its own. runone forks
and execs it, reaps it with wait4 and reports one line on a pipe, in a versioned format read
strictly (parse_report): wall time (CLOCK_MONOTONIC from before the fork to after the reap,
so the fork itself is in every variant's time alike), user and system CPU time and peak
resident memory from the command's rusage (wait4 gives the command's own plus that of the
descendants it waited for; maxrss is the largest of them, in KiB), and how it ended. Linux
keeps the peak of the memory a process had before its exec, and a child starts as a copy of
its parent: through runone, maxrss never reads below runone's own (about 1 MB); without it,
the command is forked from this process (subprocess, os.wait4, wall time by
time.perf_counter_ns from before the spawn to after the reap) and maxrss never reads below
this Python's own (about 15 MB), so it tells the memory of larger programs only. Which
runone: find_launcher (a given path, else $PARLAB_RUNONE, empty for none, else this source
tree's build/bin/runone when built). A run that exits non-zero, is killed or cannot start
fails the whole measurement (MeasureError, one line: variant, status, first line of its
stderr); it is never kept.

Interference. /proc/stat is read before and after each run: busy = user + nice + system + irq
+ softirq + steal jiffies over all CPUs, and steal alone, in CPU-seconds (os.sysconf
SC_CLK_TCK). A run's outside CPU is busy - (the child's user + system) - (runone's own CPU
time) - (this process's own CPU time over the run), at least 0; loadavg is the 1-minute load
when the run starts.
Resolution: /proc/stat counts in jiffies of 10 ms (USER_HZ = 100), sampled at the scheduler
tick, so for a run of a few milliseconds the per-run figure is coarse, mostly 0 or 10 ms.
The verdict therefore takes each variant's runs together: outside_cores = sum(busy - child -
runone - self) / sum(window), the sum taken before clipping at 0 (clipping each run's noise
first would turn it into a fake load), and likewise steal cores; a run's window is the span
/proc/stat was read over, spawn to reap as seen from here (its wall time without runone, a
little more than it with).

Verdict. A variant's runs are suspect when their CV exceeds cv_pct, or their outside load
exceeds outside_cores, or their steal exceeds steal_cores (Limits). A comparison with a
suspect variant is measured again, all its variants in fresh blocks (without warm-up), up to
max_attempts in all (on_attempt, when given, is called before each); the last attempt is
the result, and a variant still suspect keeps the reason ("cv 12.3% > 5%; outside load 0.61
cores > 0.25"), so that a figure can draw it hollow and a fit leave it out. The raw runs of
every attempt are kept, tagged by attempt.

Output. write_point appends one row per run to the raw CSV and one summary row per variant
to the sweep CSV (median, spread and CV of the wall times, computed in summarize() only;
user_s, system_s and steal_s are means per run), both through append_rows (a header that
differs from the file's is refused; an append is a whole new file renamed over the old, so a
file is never half-written), and only once the comparison is done. interruptible(): SIGINT
or SIGTERM kills the running child and its process group and raises Interrupted, so nothing
of the point is written.
"""
import contextlib
import os
import random
import re
import shlex
import signal
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

NAME_RE = re.compile(r"[A-Za-z0-9_.+-]+")
KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

RUN_COLUMNS = ["variant", "block", "order_in_block", "attempt", "seed", "wall_s", "user_s",
               "sys_s", "maxrss_kib", "exit", "outside_cpu_s", "steal_s", "loadavg"]
# The raw CSV of write_point: the run, then what started it (run_cells).
RAW_COLUMNS = RUN_COLUMNS + ["launcher"]
# The timing columns of the sweep CSVs bench/run has always written, then the new ones.
TIMING_COLUMNS = ["runs", "median_s", "mean_s", "stddev_s", "cv_pct", "min_s", "max_s",
                  "user_s", "system_s"]
SUMMARY_COLUMNS = ["variant"] + TIMING_COLUMNS + ["outside_cores", "steal_s", "attempts",
                                                  "suspect"]
RESERVED = set(RAW_COLUMNS) | set(SUMMARY_COLUMNS)

CLK_TCK = os.sysconf("SC_CLK_TCK")

# The launcher: find_launcher's choices, and runone's report, format 1 (src/bench/runone.c).
LAUNCHER_ENV = "PARLAB_RUNONE"
DEFAULT_LAUNCHER = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "build", "bin", "runone")
AUTO = object()       # find_launcher's default: look for one
REPORT_RE = re.compile(r"runone 1 wall_ns=(\d{1,20}) user_us=(\d{1,20}) sys_us=(\d{1,20}) "
                       r"maxrss_kib=(\d{1,20}) status=(exit|signal|exec):(\d{1,10})\n")


class MeasureError(Exception):
    """A measurement that cannot be kept (a variant failed, a file refused); one line."""


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived: the running child is killed, nothing is written."""

    def __init__(self, signum):
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum


@dataclass(frozen=True)
class Variant:
    name: str
    argv: tuple


@dataclass(frozen=True)
class Limits:
    cv_pct: float = 5.0
    outside_cores: float = 0.25
    steal_cores: float = 0.1


@dataclass
class Run:
    variant: str
    block: int            # 1-based, within its attempt
    order_in_block: int   # 1-based
    attempt: int          # 1-based
    wall_s: float
    user_s: float
    sys_s: float
    maxrss_kib: int
    exit: int
    busy_s: float         # CPU-seconds the whole machine was busy over the run
    self_s: float         # this process's own CPU time over the run (the spawn, the reap)
    steal_s: float
    loadavg: str
    launcher: str         # what started it: "runone" or "python"
    launch_s: float       # runone's own CPU time (0 without it)
    window_s: float       # spawn to reap as seen from here: what busy_s was read over

    @property
    def outside_signed(self):
        return self.busy_s - self.user_s - self.sys_s - self.launch_s - self.self_s

    @property
    def outside_cpu_s(self):
        return max(0.0, self.outside_signed)


@dataclass
class Summary:
    variant: str
    runs: int
    median_s: float
    mean_s: float
    stddev_s: float
    cv_pct: float
    min_s: float
    max_s: float
    user_s: float         # mean per run
    system_s: float       # mean per run
    outside_cores: float
    steal_s: float        # mean per run
    steal_cores: float
    suspect: str = ""     # empty, or why the runs are not to be trusted


@dataclass
class Result:
    seed: int
    attempts: int
    launcher: str = ""                              # the runone used, "" for none
    runs: list = field(default_factory=list)        # every timed run of every attempt
    summaries: list = field(default_factory=list)   # of the last attempt, in variant order


# -- parsing ------------------------------------------------------------------------------

def parse_variant(text):
    """NAME=COMMAND, COMMAND split as a POSIX shell would split words (shlex), and then run
    as that argument vector: no shell ever sees it."""
    name, sep, command = text.partition("=")
    if not sep or not NAME_RE.fullmatch(name):
        raise ValueError(f"'{text}' is not NAME=COMMAND (NAME: letters, digits and _ . + -)")
    try:
        argv = shlex.split(command)
    except ValueError as e:
        raise ValueError(f"'{text}': {e}") from None
    if not argv:
        raise ValueError(f"'{text}': empty command")
    return Variant(name, tuple(argv))


def parse_field(text):
    """KEY=VALUE: a key column of the comparison (limit=1000000, procs=2)."""
    key, sep, value = text.partition("=")
    if not sep or not KEY_RE.fullmatch(key):
        raise ValueError(f"'{text}' is not KEY=VALUE (KEY: letters, digits and _)")
    if key in RESERVED:
        raise ValueError(f"'{text}': '{key}' is a column measure writes itself")
    if not NAME_RE.fullmatch(value):
        raise ValueError(f"'{text}': the value may hold letters, digits and _ . + - only")
    return key, value


# -- arithmetic -----------------------------------------------------------------------------

def summarize(variant, runs):
    """The one place a variant's runs become its figures."""
    walls = [r.wall_s for r in runs]
    n = len(walls)
    mean = statistics.fmean(walls)
    stddev = statistics.stdev(walls) if n > 1 else 0.0
    window = sum(r.window_s for r in runs)
    outside = max(0.0, sum(r.outside_signed for r in runs)) / window if window else 0.0
    steal = sum(r.steal_s for r in runs)
    return Summary(
        variant=variant, runs=n, median_s=statistics.median(walls), mean_s=mean,
        stddev_s=stddev, cv_pct=100.0 * stddev / mean if mean > 0 else 0.0,
        min_s=min(walls), max_s=max(walls),
        user_s=statistics.fmean(r.user_s for r in runs),
        system_s=statistics.fmean(r.sys_s for r in runs),
        outside_cores=outside, steal_s=steal / n,
        steal_cores=steal / window if window else 0.0)


def verdict(summary, limits):
    """Why a variant's runs are suspect, "" when they are not."""
    reasons = []
    if summary.cv_pct > limits.cv_pct:
        reasons.append(f"cv {summary.cv_pct:.1f}% > {limits.cv_pct:g}%")
    if summary.outside_cores > limits.outside_cores:
        reasons.append(f"outside load {summary.outside_cores:.2f} cores > "
                       f"{limits.outside_cores:g}")
    if summary.steal_cores > limits.steal_cores:
        reasons.append(f"steal {summary.steal_cores:.2f} cores > {limits.steal_cores:g}")
    return "; ".join(reasons)


def blocks(n_variants, n_blocks, rng, shuffle=True):
    """n_blocks orders of range(n_variants), each a permutation: shuffled blocks."""
    orders = []
    for _ in range(n_blocks):
        order = list(range(n_variants))
        if shuffle:
            rng.shuffle(order)
        orders.append(order)
    return orders


# -- one run --------------------------------------------------------------------------------

class _Stop:
    """What the signal handlers of interruptible() share with run_once."""
    installed = False
    signum = None
    pgid = None


_stop = _Stop()


def _on_signal(signum, frame):
    if _stop.signum is None:
        _stop.signum = signum
    if _stop.pgid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(_stop.pgid, signal.SIGKILL)


def check_stop():
    if _stop.signum is not None:
        raise Interrupted(_stop.signum)


@contextlib.contextmanager
def interruptible():
    """SIGINT and SIGTERM, while inside: the running child's process group is killed at
    once and the measurement raises Interrupted at its next step."""
    old = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    _stop.installed, _stop.signum, _stop.pgid = True, None, None
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        _stop.installed, _stop.pgid = False, None


def machine_cpu():
    """(busy, steal) CPU-seconds of all CPUs since boot, from the first line of /proc/stat."""
    with open("/proc/stat", "rb") as f:
        values = [int(v) for v in f.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values + [0] * (8 - len(values))
    return (user + nice + system + irq + softirq + steal) / CLK_TCK, steal / CLK_TCK


def load1():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def self_cpu():
    return time.process_time()


def _first_line(path):
    try:
        with open(path, "rb") as f:
            for raw in f:
                line = raw.decode("utf-8", "replace").strip()
                if line:
                    if not line.isprintable():
                        line = line.encode("unicode_escape").decode("ascii")
                    return line if len(line) <= 200 else line[:200] + "..."
    except OSError:
        pass
    return ""


def _status(code):
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit {code}"


def find_launcher(given=AUTO):
    """The runone to start the runs with, as an absolute path, or "" for none (this process
    starts them): `given` itself unless it is AUTO ("" or None: none); AUTO is $PARLAB_RUNONE
    when set (empty: none), else DEFAULT_LAUNCHER, this source tree's build/bin/runone, when
    built. A runone named (given, or in the variable) that is not an executable file is a
    MeasureError: only the default may be missing."""
    where = ""
    if given is AUTO:
        if LAUNCHER_ENV in os.environ:
            given, where = os.environ[LAUNCHER_ENV], f" (${LAUNCHER_ENV})"
        elif os.path.isfile(DEFAULT_LAUNCHER) and os.access(DEFAULT_LAUNCHER, os.X_OK):
            return DEFAULT_LAUNCHER
        else:
            return ""
    if not given:
        return ""
    if not (os.path.isfile(given) and os.access(given, os.X_OK)):
        raise MeasureError(f"launcher '{given}'{where} is not an executable file")
    return os.path.abspath(given)


@dataclass(frozen=True)
class Report:
    """runone's report of one run."""
    wall_ns: int
    user_us: int
    sys_us: int
    maxrss_kib: int
    kind: str             # "exit", "signal" or "exec" (could not start)
    value: int            # the exit code, the signal number or exec's errno


def parse_report(text):
    """runone's one line, format 1, as a Report; ValueError for anything else, a trailing byte
    included."""
    m = REPORT_RE.fullmatch(text)
    if not m:
        raise ValueError(f"not a report of format 1: {text!r}")
    wall, user, sys_, rss, kind, value = m.groups()
    return Report(int(wall), int(user), int(sys_), int(rss), kind, int(value))


@dataclass
class Cost:
    """What one run cost, as run_once saw it (the fields of Run after its place)."""
    wall_s: float
    user_s: float
    sys_s: float
    maxrss_kib: int
    exit: int
    busy_s: float
    self_s: float
    steal_s: float
    loadavg: str
    launcher: str
    launch_s: float
    window_s: float


def _read_report(fd):
    """What runone left in the pipe: read once it has exited, without waiting for a writer
    that should not be there (a launcher that is no runone may have passed the pipe on)."""
    os.set_blocking(fd, False)
    data = b""
    with contextlib.suppress(BlockingIOError):
        while len(data) <= 4096:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    return data.decode("ascii", "replace")


def _failed(variant, code, stderr_path):
    line = _first_line(stderr_path)
    return MeasureError(f"variant '{variant.name}' failed: {_status(code)}"
                        + (f": {line}" if line else " (nothing on stderr)"))


def run_once(variant, cwd, stderr_path, launcher=""):
    """Runs the variant once, through runone when `launcher` is its path (find_launcher), else
    forked from here; returns its Cost. Raises MeasureError if it cannot start or does not
    exit 0."""
    check_stop()
    argv, report_r, report_w = variant.argv, None, None
    if launcher:
        report_r, report_w = os.pipe()
        argv = (launcher, "--fd", str(report_w), "--", *variant.argv)
    try:
        with open(stderr_path, "wb") as err:
            loadavg = load1()
            busy0, steal0 = machine_cpu()
            self0 = self_cpu()
            t0 = time.perf_counter_ns()
            try:
                proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=err,
                                        start_new_session=True,
                                        pass_fds=() if report_w is None else (report_w,))
            except OSError as e:
                what = f"the launcher '{launcher}'" if launcher else f"'{variant.argv[0]}'"
                raise MeasureError(f"variant '{variant.name}' cannot start {what}: "
                                   f"{e.strerror}") from None
            finally:
                if report_w is not None:    # runone's alone now: end of file once it exits
                    os.close(report_w)
            _stop.pgid = proc.pid
            try:
                if _stop.signum is not None:    # arrived while the child was being started
                    os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
                with contextlib.suppress(ChildProcessError):
                    os.wait4(proc.pid, 0)
                proc.returncode = -signal.SIGKILL
                raise
            finally:
                _stop.pgid = None
            t1 = time.perf_counter_ns()
            self1 = self_cpu()
            busy1, steal1 = machine_cpu()
        text = _read_report(report_r) if launcher else ""
    finally:
        if report_r is not None:
            os.close(report_r)
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    check_stop()
    window = (t1 - t0) / 1e9
    seen = dict(busy_s=busy1 - busy0, self_s=self1 - self0, steal_s=steal1 - steal0,
                loadavg=loadavg, window_s=window)
    if not launcher:
        if code != 0:
            raise _failed(variant, code, stderr_path)
        return Cost(wall_s=window, user_s=usage.ru_utime, sys_s=usage.ru_stime,
                    maxrss_kib=usage.ru_maxrss, exit=code, launcher="python", launch_s=0.0,
                    **seen)
    if code != 0:
        line = _first_line(stderr_path)
        raise MeasureError(f"variant '{variant.name}': the launcher '{launcher}' failed: "
                           f"{_status(code)}" + (f": {line}" if line else " (nothing on stderr)"))
    try:
        report = parse_report(text)
    except ValueError:
        shown = repr(text[:200])
        raise MeasureError(f"variant '{variant.name}': the launcher '{launcher}' reported "
                           f"{shown}, not a line of format 1 ('runone 1 ...'): rebuild it "
                           f"(make)") from None
    if report.kind == "exec":
        raise MeasureError(f"variant '{variant.name}' cannot start '{variant.argv[0]}': "
                           f"{os.strerror(report.value)}")
    code = report.value if report.kind == "exit" else -report.value
    if code != 0:
        raise _failed(variant, code, stderr_path)
    user, sys_ = report.user_us / 1e6, report.sys_us / 1e6
    # wait4 on runone counts runone and the command it reaped: the difference is runone's.
    launch = max(0.0, usage.ru_utime + usage.ru_stime - user - sys_)
    return Cost(wall_s=report.wall_ns / 1e9, user_s=user, sys_s=sys_,
                maxrss_kib=report.maxrss_kib, exit=code, launcher="runone", launch_s=launch,
                **seen)


# -- one comparison -------------------------------------------------------------------------

def measure(variants, runs, warmup=1, seed=None, cwd=None, limits=Limits(), max_attempts=3,
            shuffle=True, log=None, launcher=AUTO, on_attempt=None):
    """Measures a comparison: `runs` shuffled blocks of all the variants after `warmup`
    discarded blocks, again (fresh blocks, no warm-up) while a variant is suspect, up to
    max_attempts in all. Each run is started through find_launcher(launcher); on_attempt,
    when given, is called with the attempt's number (from 1) before its timed blocks.
    Returns a Result; raises MeasureError or Interrupted."""
    if not variants or runs < 1 or warmup < 0 or max_attempts < 1:
        raise ValueError("measure: needs variants, runs >= 1, warmup >= 0, max_attempts >= 1")
    launcher = find_launcher(launcher)
    if seed is None:
        seed = random.SystemRandom().randrange(2 ** 32)
    rng = random.Random(seed)
    result = Result(seed=seed, attempts=0, launcher=launcher)
    with tempfile.TemporaryDirectory(prefix="parlab-measure.") as scratch:
        stderr_path = os.path.join(scratch, "stderr")
        for order in blocks(len(variants), warmup, rng, shuffle):
            for i in order:
                run_once(variants[i], cwd, stderr_path, launcher)
        for attempt in range(1, max_attempts + 1):
            result.attempts = attempt
            if on_attempt:
                on_attempt(attempt)
            timed = {v.name: [] for v in variants}
            for b, order in enumerate(blocks(len(variants), runs, rng, shuffle), 1):
                for position, i in enumerate(order, 1):
                    v = variants[i]
                    cost = run_once(v, cwd, stderr_path, launcher)
                    run = Run(variant=v.name, block=b, order_in_block=position,
                              attempt=attempt, **vars(cost))
                    timed[v.name].append(run)
                    result.runs.append(run)
            result.summaries = [summarize(v.name, timed[v.name]) for v in variants]
            for s in result.summaries:
                s.suspect = verdict(s, limits)
            suspects = [f"{s.variant}: {s.suspect}" for s in result.summaries if s.suspect]
            if not suspects:
                break
            if log and attempt < max_attempts:
                log(f"suspect ({'; '.join(suspects)}), measuring again "
                    f"(attempt {attempt + 1} of {max_attempts})")
    check_stop()
    return result


# -- files ----------------------------------------------------------------------------------

def _header_of(path):
    try:
        with open(path, newline="") as f:
            return f.readline().rstrip("\r\n")
    except FileNotFoundError:
        return ""


def check_header(path, header):
    """Refuses a file whose header is not `header` (an empty or missing file is fine)."""
    existing = _header_of(path)
    if existing and existing != ",".join(header):
        raise MeasureError(f"'{path}' has other columns ({existing}); "
                           f"expected {','.join(header)}")


def append_rows(path, header, rows):
    """The one writer of measure's CSVs: appends rows (writing the header to a new file),
    refusing a file with another header. Atomic: the old content and the rows go into a
    temporary file beside it, flushed to disk and renamed over it."""
    check_header(path, header)
    lines = []
    for row in rows:
        cells = [str(v) for v in row]
        if len(cells) != len(header) or any(c in s for s in cells for c in ',"\r\n'):
            raise ValueError(f"append_rows: bad row for {path}: {cells}")
        lines.append(",".join(cells) + "\n")
    try:
        with open(path, "rb") as f:
            old = f.read()
    except FileNotFoundError:
        old = b""
    if not old:
        lines.insert(0, ",".join(header) + "\n")
    elif not old.endswith(b"\n"):
        raise MeasureError(f"'{path}' ends in a torn line")
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(old + "".join(lines).encode())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dirfd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(dirfd)
    finally:
        os.close(dirfd)


def raw_header(fields):
    return list(fields) + RAW_COLUMNS


def summary_header(fields):
    return list(fields) + SUMMARY_COLUMNS


def run_cells(result, run):
    """A run's cells under RAW_COLUMNS (RUN_COLUMNS are the first of them)."""
    return [run.variant, run.block, run.order_in_block, run.attempt, result.seed,
            f"{run.wall_s:.6f}", f"{run.user_s:.6f}", f"{run.sys_s:.6f}", run.maxrss_kib,
            run.exit, f"{run.outside_cpu_s:.3f}", f"{run.steal_s:.3f}", run.loadavg,
            run.launcher]


def raw_rows(fields, result):
    keys = list(fields.values())
    return [keys + run_cells(result, r) for r in result.runs]


def summary_rows(fields, result):
    keys = list(fields.values())
    return [keys + [s.variant, s.runs, f"{s.median_s:.6f}", f"{s.mean_s:.6f}",
                    f"{s.stddev_s:.6f}", f"{s.cv_pct:.2f}", f"{s.min_s:.6f}", f"{s.max_s:.6f}",
                    f"{s.user_s:.6f}", f"{s.system_s:.6f}", f"{s.outside_cores:.3f}",
                    f"{s.steal_s:.3f}", result.attempts, s.suspect]
            for s in result.summaries]


def write_point(fields, result, raw_path=None, summary_path=None):
    """A finished comparison into its files: the raw runs first, the summary rows last, so a
    summary row is always backed by its runs."""
    check_stop()
    if raw_path:
        check_header(raw_path, raw_header(fields))
    if summary_path:
        check_header(summary_path, summary_header(fields))
    if raw_path:
        append_rows(raw_path, raw_header(fields), raw_rows(fields, result))
    if summary_path:
        append_rows(summary_path, summary_header(fields), summary_rows(fields, result))


def describe(summary):
    """A summary as a progress line."""
    line = (f"{summary.variant}: {summary.median_s:.4f} s  cv {summary.cv_pct:.1f}%  "
            f"outside {summary.outside_cores:.2f} cores")
    return line + (f"  suspect: {summary.suspect}" if summary.suspect else "")
