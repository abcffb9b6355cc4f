"""The server's concurrency models as the report, the figures and the gate read them: which
label is which model across the runs of before and after the models, and the per-session
costs, memory per connection and stack-size points drawn from a run's server files.

Labels. A run of before the models compared `parlab` (a thread per connection, today's
`thread`) with `epoll` (parlab's server as one epoll loop, today's `epoll-1`); a run of the
models names `thread`, `pool`, `epoll-1` (one loop), `epoll` (a loop per CPU), `uring`, and
the yardsticks `python-threaded`, `floor-thread` and `floor-epoll`. A run is of before the
models when some server row of it is labelled `parlab`, which no newer run writes; then its
`epoll` is the single loop. model_names() gives the run's labels in today's names.

The files of the models (server_cost.csv, server_stack.csv, server_memory.csv's base_kib
and stack_kib) are typed by results.py's schemas; a run of before them lacks them, and every
reader here returns nothing for it."""
import statistics

from . import results as pr

# Today's name of each label of a run of before the models.
RENAMED = {"parlab": "thread", "epoll": "epoll-1"}
# parlab's own server, one label per model.
MODELS = ("thread", "pool", "epoll-1", "epoll", "uring")
# glibc keeps the stacks of ended threads for reuse up to this much in all (its
# stack_cache_maxsize, 40 MiB): a thread whose stack comes from there maps nothing.
STACK_CACHE_KIB = 40 * 1024
# The client count of the repeats and of the per-model comparisons.
CLIENTS = 64
SERVER_FILES = ("server_clients.csv", "server_repeat.csv", "server_rate.csv",
                "server_hold.csv", "server_memory.csv", "server_stack.csv", "server_cost.csv")


def number(value, where="a server file"):
    """A cell as a number, None when empty: results.py types the columns its schemas name;
    one they leave untyped (server_clients' and server_rate's `block`, past loadgen's
    columns) arrives as its text, checked here."""
    if value is None or value == "":
        return None
    return value if isinstance(value, (int, float)) else pr.cell(pr.nonneg, value, where)


def table(run, name):
    """The typed rows of one of the run's server files (results.py's schemas), None when the
    run lacks it."""
    return run.tables.get(name)


def renames(run):
    """{old label: today's} for a run of before the models, {} for a newer one."""
    for name in SERVER_FILES:
        if any(r.get("label") == "parlab" for r in table(run, name) or []):
            return RENAMED
    return {}


def model_names(run, name):
    """The rows of a server file with today's labels (copies where renamed); [] without it."""
    rows = table(run, name) or []
    mapping = renames(run)
    if not mapping:
        return rows
    return [dict(r, label=mapping.get(r["label"], r["label"])) for r in rows]


def block_of(row, i):
    """A row's (or a Cost's) block, or its place among the rows of its label in a run of
    before blocks."""
    b = number(getattr(row, "row", row).get("block"))
    return int(b) if b is not None else i + 1


def by_block(rows, value):
    """{block: value(row)} of rows of one label (value None: left out)."""
    out = {}
    for i, r in enumerate(rows):
        v = value(r)
        if v is not None:
            out[block_of(r, i)] = v
    return out


def paired(a, b):
    """Two {block: value} as two lists over the blocks both hold, in block order."""
    common = sorted(a.keys() & b.keys())
    return [a[k] for k in common], [b[k] for k in common]


# -- per session -----------------------------------------------------------------------

class Cost:
    """One server_cost row per session: CPU (user, system, both) in µs, context switches
    and threads started (None where its source did not count them: /proc)."""

    def __init__(self, row):
        self.row = row
        self.label = row["label"]
        self.block = row["block"]
        n = row["sessions"]
        self.sessions = n

        def each(column):
            v = number(row.get(column))
            return None if v is None or n == 0 else v / n

        self.user = each("cpu_user_us")
        self.sys = each("cpu_sys_us")
        self.cpu = None if self.user is None else self.user + self.sys
        self.ctx_voluntary = each("ctx_voluntary")
        self.ctx_involuntary = each("ctx_involuntary")
        self.threads = each("threads_created")


def costs(run, sweep, clients=None, stack=None):
    """The run's Cost of each server_cost row of `sweep` (at `clients`, at `stack` KiB),
    labels in today's names; [] in a run without server_cost.csv."""
    out = []
    for r in model_names(run, "server_cost.csv"):
        if r["sweep"] != sweep or r["sessions"] == 0:
            continue
        if clients is not None and r["clients"] != clients:
            continue
        if stack is not None and number(r.get("stack_kib")) != stack:
            continue
        out.append(Cost(r))
    return out


def cost_of(cost_rows, label):
    mine = [c for c in cost_rows if c.label == label]
    return mine[0] if len(mine) == 1 else None


# -- the paired repeats -------------------------------------------------------------------

class Pairs:
    """server_repeat.csv's blocks of `thread` against `epoll-1` (`parlab` against `epoll` in
    a run of before the models): per block, each one's sessions/s and, where server_cost.csv
    holds the repeats, CPU µs per session. `names`: the two labels as the run writes them."""

    def __init__(self, run):
        rows = table(run, "server_repeat.csv") or []
        mapping = renames(run)
        back = {new: old for old, new in mapping.items()}
        self.names = (back.get("thread", "thread"), back.get("epoll-1", "epoll-1"))
        a = [r for r in rows if r["label"] == self.names[0]]
        b = [r for r in rows if r["label"] == self.names[1]]
        self.sessions, self.other = paired(by_block(a, lambda r: r["sessions_per_s"]),
                                           by_block(b, lambda r: r["sessions_per_s"]))
        self.p99 = [r["latency_p99_us"] for r in a if r["latency_p99_us"] is not None]
        cost = costs(run, "server_repeat", clients=CLIENTS)
        cpu = [by_block([c for c in cost if c.label == name], lambda c: c.cpu)
               for name in ("thread", "epoll-1")]
        self.cpu, self.other_cpu = paired(*cpu)

    @property
    def ratio(self):
        return [x / y for x, y in zip(self.sessions, self.other) if y > 0]


# -- memory per connection ----------------------------------------------------------------

def hold_rows(run):
    """server_memory.csv's row of each server at the hold point, labels as the run writes
    them: the one holding the most connections (the thread model's rows of the stack sweep
    hold fewer), the one without a stack size of equals."""
    best = {}
    for r in table(run, "server_memory.csv") or []:
        key = (r["held"], number(r.get("stack_kib")) is None)
        if r["label"] not in best or key > best[r["label"]][0]:
            best[r["label"]] = (key, r)
    return [r for _, r in best.values()]


def per_connection(row):
    """(vm_hwm_kib - base_kib) / held of a server_memory row: the peak less the idle
    server's, over the connections held; None without base_kib (a run of before the
    models) or with nothing held."""
    base = number(row.get("base_kib"), "server_memory.csv: column 'base_kib'")
    if base is None or not row["held"]:
        return None
    return (row["vm_hwm_kib"] - base) / row["held"]


def memory(run):
    """{label in today's names: (held, KiB per connection)} at the hold point, where known."""
    mapping = renames(run)
    out = {}
    for r in hold_rows(run):
        kib = per_connection(r)
        if kib is not None:
            out[mapping.get(r["label"], r["label"])] = (r["held"], kib)
    return out


def stack_memory(run):
    """{stack KiB: KiB per connection} of the thread model's rows of the stack sweep."""
    hold = [id(r) for r in hold_rows(run)]
    return {number(r["stack_kib"]): per_connection(r)
            for r in model_names(run, "server_memory.csv")
            if r["label"] == "thread" and number(r.get("stack_kib")) is not None
            and id(r) not in hold}


# -- the stack sizes ---------------------------------------------------------------------

class StackPoint:
    """The thread model at one stack size: sessions/s and CPU µs per session by block,
    KiB per held connection (None where not measured)."""

    def __init__(self, kib, sessions, cpu, per_conn):
        self.kib = kib
        self.sessions = sessions   # {block: sessions/s}
        self.cpu = cpu             # {block: CPU µs per session}
        self.per_conn = per_conn

    def median(self):
        return statistics.median(self.sessions.values()) if self.sessions else None

    def median_cpu(self):
        return statistics.median(self.cpu.values()) if self.cpu else None


def stack_points(run):
    """[StackPoint] by stack size from server_stack.csv, server_cost.csv (sweep
    server_stack) and server_memory.csv's thread rows at each stack size; [] without
    server_stack.csv."""
    rows = [r for r in model_names(run, "server_stack.csv") if r["label"] == "thread"]
    cost = costs(run, "server_stack")
    mem = stack_memory(run)
    out = []
    for kib in sorted({number(r["stack_kib"]) for r in rows}):
        mine = [r for r in rows if number(r["stack_kib"]) == kib]
        cpu = by_block([c for c in cost if c.label == "thread"
                        and number(c.row.get("stack_kib")) == kib], lambda c: c.cpu)
        out.append(StackPoint(int(kib), by_block(mine, lambda r: r["sessions_per_s"]), cpu,
                              mem.get(kib)))
    return out
