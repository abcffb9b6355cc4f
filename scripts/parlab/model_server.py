"""The server model: sessions/s of each concurrency model at a closed-loop point from the
machine time one session costs, the protocol's own cost plus what the model adds for each
connection, each addition a calibration row (calibration.csv) times a count the model's
design fixes.

    machine time per session = protocol + thread + hand-offs
    sessions/s               = cores / machine time per session

- protocol: what loadgen, the kernel's loopback TCP and a server with no logic of its own
  cost together, per session: the floor event-loop server's (bench/servers/floor_epoll.c)
  machine time per session at the same point, cores / its sessions/s. The one term measured
  in the run itself, not taken from a primitive, so never the one a miss is laid on.
- thread: a thread created and ended per connection (`thread 16-detached`, the server's
  small detached stack): the thread model and the thread floor.
- hand-offs: a thread woken through the kernel to take a connection (`pipe_threads 1byte`
  / 2: one write, one wake-up, one read): the thread model's and the pool's acceptor,
  blocked in accept() for each connection; the pool's worker, woken by the queue; an event
  loop handed a connection by the first loop, (loops - 1) / loops of them.

`cores` is what server and loadgen share (all the CPUs, unpinned: bench/run's meta.json
`server_cpus` "all"). The model holds where the machine is busy (a closed loop with enough
clients); python-threaded is another program altogether and is not modelled."""
from .model import ModelError, Prediction

THREAD = ("thread", "16-detached")
HANDOFF = ("pipe_threads", "1byte")
FLOOR = "floor-epoll"
TERMS = ("protocol", "thread", "hand-offs")


def design(label, loops):
    """(threads created, hand-offs) per session of a server label, from its design; None for
    a server the model does not know."""
    if label in ("thread", "floor-thread"):
        return 1, 1.0
    if label == "pool":
        return 0, 2.0
    if label in ("epoll-1", FLOOR):
        return 0, 0.0
    if label in ("epoll", "uring"):
        return 0, (loops - 1) / loops
    return None


def session(costs, label, protocol_s, loops):
    """The predicted machine time of one session of `label`, in seconds, as a Prediction;
    protocol_s is the floor's measured machine time per session."""
    shape = design(label, loops)
    if shape is None:
        raise ModelError(f"no model for server '{label}'")
    threads, handoffs = shape
    thread = costs.need(THREAD) if threads else 0.0
    wake = costs.need(HANDOFF) / 2 if handoffs else 0.0
    return Prediction(
        {"protocol": protocol_s, "thread": threads * thread, "hand-offs": handoffs * wake},
        {"protocol": f"{FLOOR}: cores / its sessions/s",
         "thread": f"{threads} x thread 16-detached" if threads else "none",
         "hand-offs": f"{handoffs:g} x pipe_threads 1byte / 2" if handoffs else "none"},
        measured=("protocol",))


def rate(pred, cores):
    """Sessions/s of a machine of `cores` spending pred.seconds on each."""
    return cores / pred.seconds
