"""The server's concurrency models beside the server model (model_server.py) at 64 clients:
each label's measured sessions/s (the client sweep's run at that point) against its
prediction from the floor's measured cost and the calibration's primitives, the misses with
their suspect term, and the findings that explain a model's cost per session. The report's
part of "Why: the cost model" (report_model.py calls section()). The rules of findings.py
hold: one run is said to be one run, and what the run lacks is said, never guessed."""
from . import findings_model as fm
from . import models as md

try:
    from . import model_server as ms
except ImportError:  # no numpy: findings_model.unavailable() says so first
    ms = None

# The server models the goal judges (the floors and Python are not parlab's models).
JUDGED = ("thread", "pool", "epoll-1", "epoll", "uring")
SHOWN = JUDGED + ("floor-thread",)


def us(s):
    return f"{s * 1e6:.1f} µs"


def loops(run):
    """The event loops and pool workers the bench gave each server: every CPU, unpinned;
    the servers' CPUs where pinned."""
    cpus = run.meta.get("server_cpus")
    if isinstance(cpus, str) and cpus not in ("", "all"):
        count = 0
        for part in cpus.split(","):
            lo, _, hi = part.partition("-")
            if lo.isdigit() and (hi.isdigit() or not hi):
                count += int(hi or lo) - int(lo) + 1
        if count:
            return count, count
    return run.cores, run.cores


class Row:
    """A server label at the point beside its prediction."""

    def __init__(self, label, measured, pred, cores):
        self.label = label
        self.measured = measured
        self.pred = pred
        self.predicted = ms.rate(pred, cores)
        self.error = self.predicted / measured - 1.0
        self.judged = label in JUDGED

    @property
    def missed(self):
        return abs(self.error) > fm.model.MISS_LIMIT

    def verdict(self):
        if abs(self.error) <= fm.model.GOAL:
            return "within 10%"
        if not self.missed:
            return "within 15%"
        return f"missed: suspect {self.pred.suspect()}"


def rows(run):
    """([Row], why): each shown label at 64 clients with its prediction, or [] and why not."""
    points = {r["label"]: r["sessions_per_s"] for r in md.model_names(run, "server_clients.csv")
              if r["clients"] == md.CLIENTS and r["mode"] == "closed"}
    floor = points.get(ms.FLOOR)
    if not points:
        return [], "the run has no client sweep at 64 clients"
    if not floor:
        return [], (f"the run has no `{ms.FLOOR}` point at {md.CLIENTS} clients, the "
                    "protocol's cost every prediction starts from")
    cores, nloops = loops(run)
    costs = fm.model.Costs(run.calibration)
    protocol = cores / floor
    out = []
    for label in SHOWN:
        if label not in points or not points[label]:
            continue
        try:
            pred = ms.session(costs, label, protocol, nloops)
        except fm.model.ModelError as e:
            return [], str(e)
        out.append(Row(label, points[label], pred, cores))
    return out, None


def section(rep):
    run = rep.run
    rep.p(f"**The server model at {md.CLIENTS} clients.** Machine time per session = "
          "protocol + thread + hand-offs; sessions/s = cores / machine time per session, the "
          "cores being what server and loadgen share. The protocol is the one measured term: "
          f"the floor event-loop server's machine time per session at the same point (cores / "
          "its sessions/s), what loadgen, loopback TCP and a server with no logic cost "
          "together. Thread: `thread 16-detached` for each connection of a thread per "
          "connection. Hand-offs: `pipe_threads 1byte` / 2 (a write, a wake-up, a read) for "
          "each thread woken to take a connection: the acceptor of the thread model and the "
          "pool, the pool's worker, the event loop handed a connection by the first.")
    found, why = rows(run)
    if why:
        rep.p(f"No server predictions: {why}.")
        return
    table = []
    for r in found:
        t = r.pred.terms
        table.append((f"`{r.label}`", f"{r.measured:,.0f}", f"{r.predicted:,.0f}",
                      fm.pct(r.error), us(t["protocol"]), us(t["thread"]), us(t["hand-offs"]),
                      r.verdict() + ("" if r.judged else " (a floor: not judged)")))
    rep.table(["server", "measured sessions/s (one run)", "predicted", "error", "protocol",
               "thread", "hand-offs", "verdict"], table)
    rep.findings += all_findings(run, found)


def all_findings(run, found):
    out = []
    judged = [r for r in found if r.judged]
    if judged:
        near = sum(1 for r in judged if abs(r.error) <= fm.model.GOAL)
        w = max(judged, key=lambda r: abs(r.error))
        out.append(f"The server model is within 10% of the measured sessions/s at {near} of "
                   f"{len(judged)} models at {md.CLIENTS} clients (one run each); its worst "
                   f"miss is {fm.pct(w.error)} on `{w.label}` (predicted {w.predicted:,.0f}, "
                   f"measured {w.measured:,.0f}/s), suspect term {w.pred.suspect()} "
                   f"({w.pred.how[w.pred.suspect()]}).")
    out += thread_share(run)
    return out


def thread_share(run):
    """What creating and ending a thread is of the thread model's CPU per session."""
    costs = fm.model.Costs(run.calibration)
    create = costs.get(*ms.THREAD)
    cost = md.cost_of(md.costs(run, "server_clients", clients=md.CLIENTS), "thread")
    if create is None or cost is None or not cost.cpu:
        return []
    cpu = cost.cpu * 1e-6
    return [f"Thread create + exit is {us(create)} here (`thread 16-detached`), "
            f"{100 * create / cpu:.0f}% of the thread model's server CPU per session "
            f"({us(cpu)} at {md.CLIENTS} clients, one run)."]
