"""The findings of the parallel backends sweep (primes_backends.csv: every backend of
`optimized`, and primes_mpi, against the single process in one comparison per N), and the
names and points report_backends.py and plots_backends.py share. The rules of findings.py
hold: a time is a median with its 95% interval, a ratio names its base with the base's own
time and runs, and a point bench/measure marked suspect is quoted by no finding, which says
what it left out or that it could not be computed."""
import re

from . import findings as fd
from . import results as pr
from .findings import limit_text

BASE = "nonoptimized"
# (program, short name, what starts its workers), in the order every table and figure lists
# them; the short names are the figure's keys, constants (never read from a run).
BACKENDS = (("optimized", "fork", "fork()ed processes"),
            ("optimized-threads", "threads", "POSIX threads"),
            ("optimized-openmp", "openmp", "an OpenMP team"),
            ("primes_mpi", "mpi", "MPI ranks"))
SHORT = {program: short for program, short, _ in BACKENDS}
# meta.json is data from a run: only these characters of its MPI names reach the report.
META_TEXT = re.compile(r"[^A-Za-z0-9 .,()+:/-]")


def present(run):
    """The backends' programs the run timed, in BACKENDS' order."""
    timed = {p.program for p in run.backends or []}
    return [program for program, _, _ in BACKENDS if program in timed]


def limits(run):
    """The N of the timed comparisons, start-up (N <= results.STARTUP_LIMIT) left out."""
    return sorted({p.limit for p in run.backends or [] if p.limit > pr.STARTUP_LIMIT})


def startup_limit(run):
    """The N of the start-up comparison, None in a run without one."""
    small = [p.limit for p in run.backends or [] if p.limit <= pr.STARTUP_LIMIT]
    return min(small) if small else None


def at(run, program, limit, procs):
    """The point of `program` at (limit, procs), None where the run has none."""
    hit = pr.find(run.backends, program=program, limit=limit, procs=procs)
    return hit[0] if hit else None


def base(run, limit):
    """The single process of the comparison at `limit`."""
    return at(run, BASE, limit, 1)


def meta_text(value, limit=60):
    return META_TEXT.sub("", value)[:limit].strip() if isinstance(value, str) else ""


def mpi_transport(meta):
    """"Open MPI over TCP loopback", from meta.json's mpi ("mpirun (Open MPI) 4.1.4") and
    mpi_transport ("tcp over loopback (bench/mpirun-tcp: ...)"); what of them there is."""
    mpi = meta_text(meta.get("mpi"))
    impl = re.search(r"\(([^)]+)\)", mpi)
    impl = impl.group(1).strip() if impl else mpi
    how = meta_text(meta.get("mpi_transport")).split(" (")[0].strip()
    if how.lower().startswith("tcp over "):
        how = "TCP " + how[len("tcp over "):]
    if impl and how:
        return f"{impl} over {how}"
    return impl or how


def label(run, program):
    """A backend as the tables name it: "threads (`optimized-threads`)"; MPI with its
    implementation and transport from meta.json."""
    if program == "primes_mpi":
        transport = mpi_transport(run.meta)
        return f"`primes_mpi` ({transport})" if transport else "`primes_mpi`"
    if program == BASE:
        return f"`{BASE}` (one process)"
    return f"{SHORT[program]} (`{program}`)"


def ms_diff(a, b):
    """"+0.6 ms": the difference of two medians, a less b."""
    return f"{(a.median - b.median) * 1e3:+.1f} ms"


def within_noise(lo, hi):
    return lo is not None and lo <= 1 <= hi


def pair(nums, limit, first, second, what):
    """The points of programs `first` and `second` at P = cores and `limit`, and where:
    (a, b, "P = 2, N = 10^6", None), or (None, None, where, findings) when they cannot be
    compared: no finding where one is missing, one naming the suspect ones otherwise."""
    run, cores = nums.run, nums.run.cores
    a = base(run, limit) if first == BASE else at(run, first, limit, cores)
    b = at(run, second, limit, cores)
    where = f"P = {cores}, N = {limit_text(limit)}"
    if a is None or b is None:
        return None, None, where, []
    if a.suspect or b.suspect:
        return None, None, where, [
            f"{what} at {where} could not be compared: "
            + "; ".join(fd.suspect_note(p) for p in (a, b) if p.suspect) + "."]
    return a, b, where, None


# -- the timed comparisons ----------------------------------------------------------------

def threads_vs_fork(nums, limit):
    """Threads against fork()ed processes at P = cores: the cost of starting and reaping
    processes rather than threads, the only difference between the two."""
    fork, thr, where, instead = pair(nums, limit, "optimized", "optimized-threads",
                                     "Threads and fork()ed processes")
    if instead is not None:
        return instead
    _, lo, hi, text = nums.ratio_bounds(fork, thr)
    pf = nums.p_faster(fork, thr)
    pf = f"; P(faster) = {pf:.2f}" if pf is not None else ""
    verdict = " (the same within the noise: the interval holds 1)" if within_noise(lo, hi) \
        else ""
    return [f"At {where}, threads (`optimized-threads`, {nums.time(thr)}) are {text} times "
            f"as fast as fork()ed processes{verdict}, against "
            f"{nums.base(fork, '`optimized` (fork)')}{pf}."]


def openmp_vs_threads(nums, limit):
    """OpenMP against the hand-started threads it should equal: the runtime's own cost."""
    thr, omp, where, instead = pair(nums, limit, "optimized-threads", "optimized-openmp",
                                    "OpenMP and threads")
    if instead is not None:
        return instead
    _, lo, hi, text = nums.ratio_bounds(thr, omp)
    off = abs(omp.median / thr.median - 1)
    how = (f"is within {off:.0%} of threads, the same within the noise (the interval holds 1)"
           if within_noise(lo, hi) else f"takes {off:.0%} longer than threads"
           if omp.median > thr.median else f"takes {off:.0%} less time than threads")
    return [f"At {where}, OpenMP (`optimized-openmp`, {nums.time(omp)}) {how}: its speed "
            f"{text} times threads', against {nums.base(thr, '`optimized-threads`')}."]


def mpi(nums, limit):
    """MPI over TCP at P = cores against the single process; its time is mpirun's too."""
    run, cores = nums.run, nums.run.cores
    one, rank, where, instead = pair(nums, limit, BASE, "primes_mpi",
                                     "MPI and the single process")
    if instead is not None:
        return instead
    _, text = nums.ratio(one, rank)
    small = startup_limit(run)
    start = at(run, "primes_mpi", small, cores) if small is not None else None
    if start is None:
        why = "its time includes mpirun's start-up, not measured in this run"
    elif start.suspect:
        why = (f"its time includes mpirun's start-up, whose point is suspect "
               f"({start.suspect})")
    else:
        why = (f"its time includes mpirun's start-up of {nums.time(start)} (its time at "
               f"N = {small})")
    return [f"At {where}, MPI {label(run, 'primes_mpi')}, {cores} ranks, takes "
            f"{nums.time(rank)}: speedup {text} against {nums.base(one)}; {why}. A "
            "functional and scaling row on one machine, not a measure of MPI across "
            "machines."]


def startup(nums):
    """Each backend's start-up at P = cores (N = 10: nothing to compute) against the single
    process's, as a ratio with its interval and the difference of the medians."""
    run, cores = nums.run, nums.run.cores
    small = startup_limit(run)
    if small is None:
        return []
    one = base(run, small)
    points = [p for p in (at(run, pg, small, cores) for pg in present(run)) if p is not None]
    if one is None or not points:
        return []
    if one.suspect:
        return [f"No start-up ratio could be computed: its base, {fd.suspect_note(one)}."]
    used = [p for p in points if not p.suspect]
    skip = fd.left_out(points, "", lambda p: f"`{p.program}`")
    if not used:
        return [f"No start-up ratio could be computed{skip}."]
    parts = []
    for p in used:
        _, text = nums.ratio(p, one)
        parts.append(f"{SHORT[p.program]} {text} times ({ms_diff(p, one)})")
    return [f"Start-up (N = {small}, P = {cores}{skip}) against the single process's, "
            f"{nums.base(one)}: " + "; ".join(parts) + "."]


def all_findings(nums):
    out = startup(nums)
    for limit in limits(nums.run):
        out += threads_vs_fork(nums, limit) + openmp_vs_threads(nums, limit) + mpi(nums, limit)
    return out
