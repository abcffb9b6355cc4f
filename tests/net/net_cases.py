#!/usr/bin/env python3
"""Behaviour tests of the mean server and client, one case per ctest test:

    net_cases.py CASE

Each case starts its own server on a free port (PORT 0; the listening line names the port
it got), talks to it over loopback, and checks replies and log lines exactly. A failed
check prints what was expected and what came out. Exit status: 0 passed, 1 failed,
77 skipped.

PARLAB_SERVER_MODEL (thread, pool, epoll or uring; default thread, with no --model at all)
is the concurrency model every server a case starts runs with: the same behaviour is
expected of each.
"""
import csv
import math
import os
import random
import re
import resource
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("PARLAB_BIN", os.path.join(HERE, "..", "..", "build", "bin"))
PYTHON = os.environ.get("PYTHON3") or sys.executable
SANITIZED = bool(os.environ.get("PARLAB_SANITIZE"))
# Sanitized programs start and run several times slower: pauses that must outlast other
# clients' start-up, and upper bounds on waits, scale by this.
SLOW = 4 if SANITIZED else 1
WAIT = 15 * SLOW
# A stop must take under a second; instrumentation gets twice that.
STOP_BUDGET = 2.0 if SANITIZED else 1.0
SKIP = 77
MODEL = os.environ.get("PARLAB_SERVER_MODEL") or "thread"
# A pool serves as many conversations at once as it has workers; the cases hold a few at
# once (four at most), so the pool gets more than that rather than one per CPU.
POOL_WORKERS = 8


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


def check_eq(expected, actual, what):
    if expected != actual:
        raise Failure(f"{what}:\n  expected: {expected!r}\n  actual:   {actual!r}")


def check_lines(expected, actual, what):
    """Line-by-line comparison that names the first differing line and shows both texts."""
    if expected == actual:
        return
    for i, (e, a) in enumerate(zip(expected, actual)):
        if e != a:
            break
    else:
        i = min(len(expected), len(actual))
    raise Failure(f"{what}: first difference at line {i + 1}\n"
                  f"  expected: {expected[i] if i < len(expected) else '(no more lines)'!r}\n"
                  f"  actual:   {actual[i] if i < len(actual) else '(no more lines)'!r}\n"
                  "--- expected ---\n" + "\n".join(expected) +
                  "\n--- actual ---\n" + "\n".join(actual))


def py_mean(values):
    """The mean the lab's Python server would print: str(total / count). Whole numbers sum
    exactly in Python, so int / int is the correctly rounded quotient; other values use a
    correctly rounded sum."""
    if all(re.fullmatch(r"[+-]?\d+", v) for v in values):
        return str(sum(int(v) for v in values) / len(values))
    return str(math.fsum(float(v) for v in values) / len(values))


class RunningMean:
    """py_mean() kept up to date one value at a time, for logs of many thousand lines."""

    def __init__(self, values=()):
        self.values, self.total, self.whole = [], 0, True
        for v in values:
            self.add(v)

    def add(self, text):
        self.values.append(text)
        if self.whole and re.fullmatch(r"[+-]?\d+", text):
            self.total += int(text)
        else:
            self.whole = False

    def text(self):
        if self.whole:
            return str(self.total / len(self.values))
        return py_mean(self.values)


def model_args(workers=POOL_WORKERS):
    """The options that select MODEL (none for the thread model, the default)."""
    if MODEL == "thread":
        return []
    if MODEL == "pool":
        return ["--model", "pool", "--threads", str(workers)]
    return ["--model", MODEL]


def server_command(port, *args, workers=POOL_WORKERS):
    return [os.path.join(BIN, "server"), str(port), *args, *model_args(workers)]


def needs_workers(n, what):
    """A pool serves --threads conversations at once and queues the rest: a case that
    holds more than a pool can be given is for the other models."""
    if MODEL == "pool" and n > 100:
        raise Skip(f"{what} at once; a pool serves one per worker (the rest wait their turn)")


class Server:
    """A server process on a free port, its output gathered line by line as it comes."""

    def __init__(self, *args, command=None, workers=POOL_WORKERS):
        self.cmd = command or server_command(0, *args, workers=workers)
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines, self.err = [], []
        self.cond = threading.Condition()
        self.open_streams = 2
        for stream, sink in ((self.proc.stdout, self.lines), (self.proc.stderr, self.err)):
            threading.Thread(target=self._gather, args=(stream, sink), daemon=True).start()
        try:
            try:
                first = self.wait_for(lambda line: True)[0]
            except Failure:
                self.skip_without_uring()
                raise
            m = re.fullmatch(r"Server: listening on (\S+):(\d+)", first)
            check(m is not None, f"first line of {self.cmd} is not a listening line: {first!r}")
            self.port = int(m.group(2))
        except BaseException:
            self.kill()
            raise

    def skip_without_uring(self):
        """The io_uring model is compiled out without liburing, and some kernels (or
        seccomp filters) refuse io_uring: the server then says so in one line, exit 1."""
        if "--model" not in self.cmd or self.cmd[self.cmd.index("--model") + 1] != "uring":
            return
        try:
            rc = self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            return
        with self.cond:
            self.cond.wait_for(lambda: self.open_streams == 0, timeout=WAIT)
            err = list(self.err)
        if rc == 1 and len(err) == 1 and err[0].startswith("server: uring: "):
            raise Skip(err[0])

    def _gather(self, stream, sink):
        for raw in iter(stream.readline, b""):
            with self.cond:
                sink.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.open_streams -= 1
            self.cond.notify_all()

    def wait_for(self, pred, count=1, timeout=WAIT):
        """The first `count` log lines matching pred, waiting for them to be written. Each
        line is looked at once: a server that logs tens of thousands of lines quickly must
        not find its reader rescanning them all at every new one (and its pipe full)."""
        deadline = time.monotonic() + timeout
        found, seen = [], 0
        with self.cond:
            while True:
                found += [line for line in self.lines[seen:] if pred(line)]
                seen = len(self.lines)
                if len(found) >= count:
                    return found[:count]
                left = deadline - time.monotonic()
                if left <= 0 or self.open_streams == 0:
                    raise Failure(f"waited for {count} matching log lines, found {len(found)}"
                                  f"\n--- log ---\n" + "\n".join(self.lines[-40:]) +
                                  "\n--- stderr ---\n" + "\n".join(self.err[-40:]))
                self.cond.wait(left)

    def wait_line(self, line, timeout=WAIT):
        return self.wait_for(lambda seen: seen == line, 1, timeout)[0]

    def log(self):
        with self.cond:
            return list(self.lines)

    def status(self):
        fields = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for row in f:
                key, _, value = row.partition(":")
                fields[key] = value.strip()
        return fields

    def fd_count(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def stop(self, sig=signal.SIGINT, budget=None):
        """Signals the server and checks a clean stop: status 0, nothing on stderr,
        "Server: stopped" last, and (with budget) within budget seconds."""
        start = time.monotonic()
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            raise Failure(f"server still running {WAIT} s after signal {sig}")
        elapsed = time.monotonic() - start
        with self.cond:
            self.cond.wait_for(lambda: self.open_streams == 0, timeout=WAIT)
        check_eq([], self.err, "server stderr")
        check_eq(0, rc, f"server exit status after signal {int(sig)}")
        check_eq("Server: stopped", self.lines[-1] if self.lines else None, "last log line")
        if budget is not None:
            check(elapsed <= budget,
                  f"server took {elapsed:.3f} s to stop after signal {int(sig)}, limit {budget} s")
        return elapsed

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def quiet_port():
    """A free port below the ephemeral range, for tests that bind the same port twice: a
    port the kernel handed out could meanwhile become some other test's outgoing port."""
    low = 10000
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = min(low, int(f.read().split()[0]))
    except (OSError, ValueError, IndexError):
        pass
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(low // 2, low)
        with socket.socket() as probe:
            try:
                probe.bind(("0.0.0.0", port))
            except OSError:
                continue
        return port
    raise Failure("no free port below the ephemeral range")


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    # Each send goes out as its own segment, so the server sees the cuts we make.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def tuple_of(sock):
    host, port = sock.getsockname()[:2]
    return f"('{host}', {port})"


def read_reply(sock):
    """Everything the server sends until it closes."""
    data = b""
    while True:
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def converse(port, *parts, srv=None, pause=0.0):
    """One connection sending parts as separate segments. With srv, waits for the server to
    log the data message before sending what follows it, so the cut is certain."""
    with connect(port) as sock:
        peer = tuple_of(sock)
        for i, part in enumerate(parts):
            sock.sendall(part)
            if i == 0 and srv is not None and len(parts) > 1:
                srv.wait_for(lambda line, p=peer: line.startswith("Server: received ") and
                             f" from {p}, " in line)
            elif pause:
                time.sleep(pause)
        return read_reply(sock).decode("utf-8", "replace"), peer


def run(args, timeout=WAIT, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kw)


def client(*args, timeout=WAIT):
    return run([os.path.join(BIN, "client"), *args], timeout=timeout)


def lab_sequence(port, delay):
    """The lab's clients one after another: 3, 5, 7 -> 3.0, 4.0, 5.0, each transcript whole."""
    for n, (data, mean) in enumerate((("3", "3.0"), ("5", "4.0"), ("7", "5.0")), start=1):
        res = client(f"127.0.0.1:{port}", data, "--number", str(n), "--delay", delay)
        check_eq("", res.stderr, f"client {n} stderr")
        check_eq(0, res.returncode, f"client {n} exit status")
        check_lines(client_transcript(n, port, data, mean, delay), res.stdout.splitlines(),
                    f"client {n} output")


def client_transcript(n, port, data, mean, delay):
    return [f"Client {n}: connecting to ('127.0.0.1', {port})",
            f"Client {n}: sending data: {data}",
            f"Client {n}: sleeping for {delay} seconds",
            f"Client {n}: sending ready message",
            f"Client {n}: receving mean data",
            f"Client {n}: mean_data {mean}"]


def server_block(peer, data, mean_after, mean_sent):
    return [f"Server: got connection from client {peer}",
            f"Server: received {data} from {peer}, new mean_data {mean_after}",
            f"Server: waiting for ready message from {peer}",
            f"Server: got ready message from {peer}, sending {mean_sent}"]


LOG_PATTERNS = {
    "listen": re.compile(r"Server: listening on \S+:\d+"),
    "conn": re.compile(r"Server: got connection from client (\('[^']*', \d+\))"),
    "data": re.compile(r"Server: received (\S+) from (\('[^']*', \d+\)), new mean_data (\S+)"),
    "wait": re.compile(r"Server: waiting for ready message from (\('[^']*', \d+\))"),
    "ready": re.compile(r"Server: got ready message from (\('[^']*', \d+\)), sending (\S+)"),
    "stopped": re.compile(r"Server: stopped"),
}


def check_log(lines, values=None, strict=True):
    """Checks a whole log for consistency, in its order: each connection goes connection ->
    received -> waiting -> ready; every "new mean_data" is the mean of all data logged so
    far and every "sending" the mean at that point. Lines of other kinds fail when strict
    (so an interleaved line fails too); otherwise they are returned. Returns (values in
    log order, the other lines)."""
    values = list(values or [])
    running = RunningMean(values)
    stage, other = {}, []
    for line in lines:
        kind = next((k for k, rx in LOG_PATTERNS.items() if rx.fullmatch(line)), None)
        if kind in ("listen", "stopped"):
            continue
        if kind is None:
            check(not strict, f"unexpected log line: {line!r}")
            other.append(line)
            peer = re.search(r"\('[^']*', \d+\)", line)
            if peer:
                stage[peer.group(0)] = "done"
            continue
        m = LOG_PATTERNS[kind].fullmatch(line)
        if kind == "conn":
            # A port is reused only once its last connection is over.
            check(stage.get(m.group(1)) in (None, "ready", "done"),
                  f"connection line for {m.group(1)} while it is still served: {line!r}")
            stage[m.group(1)] = "conn"
        elif kind == "data":
            text, peer, mean = m.groups()
            check_eq("conn", stage.get(peer), f"state of {peer} before {line!r}")
            values.append(text)
            running.add(text)
            check_eq(running.text(), mean, f"mean in {line!r}")
            stage[peer] = "data"
        elif kind == "wait":
            check_eq("data", stage.get(m.group(1)), f"state of {m.group(1)} before {line!r}")
            stage[m.group(1)] = "wait"
        elif kind == "ready":
            peer, sent = m.groups()
            check_eq("wait", stage.get(peer), f"state of {peer} before {line!r}")
            check_eq(running.text(), sent, f"mean sent in {line!r}")
            stage[peer] = "ready"
    return values, other


# ---------------------------------------------------------------------------------------
# The lab's three runs


def case_lab_single():
    """The lab's single run, at the real 5 s pause."""
    with Server() as srv:
        start = time.monotonic()
        res = client(f"127.0.0.1:{srv.port}", "2", timeout=WAIT + 5)
        elapsed = time.monotonic() - start
        check_eq("", res.stderr, "client stderr")
        check_eq(0, res.returncode, "client exit status")
        check_lines(client_transcript(0, srv.port, "2", "2.0", "5"), res.stdout.splitlines(),
                    "client output")
        check(elapsed >= 5.0, f"client finished in {elapsed:.2f} s, before its 5 s pause ended")
        srv.stop()
        peer = LOG_PATTERNS["conn"].fullmatch(srv.lines[1]).group(1)
        check_lines([f"Server: listening on 0.0.0.0:{srv.port}",
                     *server_block(peer, "2", "2.0", "2.0"), "Server: stopped"],
                    srv.lines, "server log")


def case_lab_sequence():
    """The lab's clients in sequence: 3, 5, 7 -> 3.0, 4.0, 5.0."""
    with Server() as srv:
        lab_sequence(srv.port, "0.2")
        srv.stop()
        peers = [LOG_PATTERNS["conn"].fullmatch(line).group(1)
                 for line in srv.lines if line.startswith("Server: got connection")]
        check_eq(3, len(peers), "connections logged")
        expected = [f"Server: listening on 0.0.0.0:{srv.port}",
                    *server_block(peers[0], "3", "3.0", "3.0"),
                    *server_block(peers[1], "5", "4.0", "4.0"),
                    *server_block(peers[2], "7", "5.0", "5.0"),
                    "Server: stopped"]
        check_lines(expected, srv.lines, "server log")


def case_lab_parallel():
    """The lab's clients at once: every data message is in before any `ready`, so all three
    get 5.0."""
    delay = str(1 * SLOW)
    with Server() as srv:
        procs = [subprocess.Popen([os.path.join(BIN, "client"), f"127.0.0.1:{srv.port}", data,
                                   "--number", str(n), "--delay", delay],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for n, data in ((1, "3"), (2, "5"), (3, "7"))]
        for n, (proc, data) in enumerate(zip(procs, ("3", "5", "7")), start=1):
            out, err = proc.communicate(timeout=WAIT + 5)
            check_eq("", err, f"client {n} stderr")
            check_eq(0, proc.returncode, f"client {n} exit status")
            check_lines(client_transcript(n, srv.port, data, "5.0", delay), out.splitlines(),
                        f"client {n} output")
        srv.stop()
        values, _ = check_log(srv.lines)
        check_eq(["3", "5", "7"], sorted(values), "data messages logged")
        sent = [m.group(2) for m in map(LOG_PATTERNS["ready"].fullmatch, srv.lines) if m]
        check_eq(["5.0"] * 3, sent, "means sent")
        check_eq(14, len(srv.lines), "log lines (listening, 3 x 4, stopped)")


def case_stack_sizes():
    """The thread model at the smallest and a large --stack-size: 64 clients at once, every
    mean exact (loadgen --verify), the log's threads as many as the connections."""
    for kib in ("16", "8192"):
        with Server("--quiet", "--stack-size", kib) as srv:
            load = run([os.path.join(BIN, "loadgen"), f"127.0.0.1:{srv.port}", "--clients", "64",
                        "--duration", str(0.5 * SLOW), "--verify", "--quiet"], timeout=WAIT * 2)
            check_eq(0, load.returncode,
                     f"loadgen against --stack-size {kib} ({load.stdout.strip()} {load.stderr})")
            srv.stop()


# ---------------------------------------------------------------------------------------
# Interoperability


def case_interop_lab_client():
    """The lab's own client (its wire behaviour, in Python) against our server."""
    script = os.path.join(HERE, "lab_client.py")
    with Server() as srv:
        res = run([PYTHON, script, f"127.0.0.1:{srv.port}", "2", "--delay", "0.3"])
        check_eq("", res.stderr, "lab client stderr")
        check_lines(client_transcript(0, srv.port, "2", "2.0", "0.3"), res.stdout.splitlines(),
                    "lab client output")
        delay = str(1 * SLOW)
        procs = [subprocess.Popen([PYTHON, script, f"127.0.0.1:{srv.port}", data, "--number",
                                   str(n), "--delay", delay],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for n, data in ((1, "3"), (2, "5"), (3, "7"))]
        for n, proc in enumerate(procs, start=1):
            out, err = proc.communicate(timeout=WAIT + 5)
            check_eq("", err, f"lab client {n} stderr")
            check_eq(f"Client {n}: mean_data 4.25", out.splitlines()[-1],
                     f"lab client {n} result (mean of 2, 3, 5, 7)")
        srv.stop()
        values, _ = check_log(srv.lines)
        check_eq(["2", "3", "5", "7"], sorted(values), "data messages logged")


def case_interop_py_server():
    """Our client against an independent Python server, then against its failure modes."""
    script = os.path.join(HERE, "py_server.py")
    with Server(command=[PYTHON, script, "0"]) as srv:
        lab_sequence(srv.port, "0")
        res = client(f"127.0.0.1:{srv.port}", "--delay", "0", "--", "-2.5e-3")
        check_eq("Client 0: mean_data 3.749375", res.stdout.splitlines()[-1],
                 "mean of 3, 5, 7, -2.5e-3")
        srv.stop()
    # A server that answers but keeps the connection open: the lab's client reads once, so
    # ours must not sit out its whole timeout waiting for the close.
    with Server(command=[PYTHON, script, "0", "--reply", "open"]) as srv:
        start = time.monotonic()
        res = client(f"127.0.0.1:{srv.port}", "4", "--delay", "0", "--timeout", str(5 * SLOW))
        elapsed = time.monotonic() - start
        check_eq(0, res.returncode, f"client exit status, server keeping it open ({res.stderr})")
        check_eq("Client 0: mean_data 4.0", res.stdout.splitlines()[-1],
                 "client result, server keeping it open")
        check(elapsed < 5 * SLOW, f"client waited {elapsed:.1f} s for a close that never came")
        srv.stop()
    failures = {
        "busy": "replied: error: server busy",
        "junk": "sent a reply that is not a number: 'not-a-number'",
        "silent": "no reply from 127.0.0.1:{port} within 0.5 seconds",
        "close": "closed the connection without a reply",
    }
    for mode, message in failures.items():
        with Server(command=[PYTHON, script, "0", "--reply", mode]) as srv:
            res = client(f"127.0.0.1:{srv.port}", "4", "--delay", "0", "--timeout", "0.5")
            check_eq(1, res.returncode, f"client exit status, server replying '{mode}'")
            lines = res.stderr.splitlines()
            check_eq(1, len(lines), f"client stderr lines, server replying '{mode}'")
            prefix = "" if mode == "silent" else f"server 127.0.0.1:{srv.port} "
            check_eq(f"client: {prefix}{message.format(port=srv.port)}", lines[0],
                     f"client error, server replying '{mode}'")
            check_eq("Client 0: receving mean data", res.stdout.splitlines()[-1],
                     "client output before the failure")
            srv.stop()


# ---------------------------------------------------------------------------------------
# Command lines


def case_client_usage():
    """Usage errors exit 2, bad addresses and data exit 1, each with one line naming the
    bad value; --help exits 0."""
    usage = {
        (): "client: missing HOST:PORT and DATA (see --help)",
        ("127.0.0.1:8081",): "client: missing DATA (see --help)",
        ("127.0.0.1:8081", "2", "3"): "client: unexpected argument '3' (see --help)",
        ("--bogus", "a", "b"): "client: unknown option '--bogus' (see --help)",
        ("127.0.0.1:8081", "2", "--delay"): "client: option '--delay' needs a value (see --help)",
        ("127.0.0.1:8081", "2", "--delay", "-1"):
            "client: --delay: '-1' is out of range (0 to 1e+06)",
        ("127.0.0.1:8081", "2", "--number", "x"):
            "client: --number: 'x' is not a whole number from 0 to 18446744073709551615",
        ("127.0.0.1:8081", "2", "--timeout", "soon"):
            "client: --timeout: 'soon' is not a number from 0 to 1e+06",
        ("127.0.0.1:8081", "-2.5"): "client: negative DATA reads as an option; put it after "
                                    "--, as in: client HOST:PORT -- -2.5",
    }
    for args, message in usage.items():
        res = client(*args)
        check_eq(2, res.returncode, f"exit status of client {' '.join(args)}")
        check_eq([message], res.stderr.splitlines(), f"stderr of client {' '.join(args)}")
        check_eq("", res.stdout, f"stdout of client {' '.join(args)}")
    bad = {
        ("127.0.0.1", "2"): "client: bad address: '127.0.0.1' is not HOST:PORT",
        ("127.0.0.1:", "2"): "client: bad address: '127.0.0.1:': port '' is not a number "
                             "from 1 to 65535",
        ("127.0.0.1:0", "2"): "client: bad address: '127.0.0.1:0': port '0' is not a number "
                              "from 1 to 65535",
        ("127.0.0.1:65536", "2"): "client: bad address: '127.0.0.1:65536': port '65536' is "
                                  "not a number from 1 to 65535",
        (":8081", "2"): "client: bad address: ':8081' has an empty host",
        ("::1:8081", "2"): "client: bad address: '::1:8081': write an IPv6 address as "
                           "[ADDR]:PORT",
        ("127.0.0.1:8081", "abc"): "client: bad data: not a number: 'abc'",
        ("127.0.0.1:8081", "nan"): "client: bad data: not a finite number: 'nan'",
        ("127.0.0.1:8081", "1e400"): "client: bad data: number out of range: '1e400'",
        ("127.0.0.1:8081", ""): "client: bad data: empty data message",
    }
    for args, message in bad.items():
        res = client(*args)
        check_eq(1, res.returncode, f"exit status of client {' '.join(args)}")
        check_eq([message], res.stderr.splitlines(), f"stderr of client {' '.join(args)}")
        check_eq("", res.stdout, f"stdout of client {' '.join(args)} (nothing sent)")
    res = client("--help")
    check_eq(0, res.returncode, "client --help exit status")
    check(res.stdout.startswith("usage: client HOST:PORT DATA"), f"client --help: {res.stdout!r}")


def case_client_refused():
    """Nobody listening: one line on stderr, exit 1, after the lab's first line."""
    port = quiet_port()
    res = client(f"127.0.0.1:{port}", "2", "--delay", "0")
    check_eq(1, res.returncode, "client exit status")
    check_eq([f"client: cannot connect to 127.0.0.1:{port}: connect: Connection refused"],
             res.stderr.splitlines(), "client stderr")
    check_eq([f"Client 0: connecting to ('127.0.0.1', {port})"], res.stdout.splitlines(),
             "client output")


def ipv6_available():
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


def case_server_usage():
    server = os.path.join(BIN, "server")
    usage = {
        (): "server: missing PORT (see --help)",
        ("abc",): "server: PORT: 'abc' is not a whole number from 0 to 65535",
        ("70000",): "server: PORT: '70000' is out of range (0 to 65535)",
        ("0", "1"): "server: unexpected argument '1' (see --help)",
        ("0", "--bogus"): "server: unknown option '--bogus' (see --help)",
        ("0", "--max-clients", "0"): "server: --max-clients: '0' is out of range (1 to 10000000)",
        ("0", "--idle-timeout", "-1"): "server: --idle-timeout: '-1' is out of range (0 to 1e+06)",
        ("0", "--idle-timeout", "x"): "server: --idle-timeout: 'x' is not a number from 0 to 1e+06",
        ("0", "--bind", ""): "server: --bind: the address is empty",
        ("0", "--bind"): "server: option '--bind' needs a value (see --help)",
        ("0", "--model", "fibers"):
            "server: --model: 'fibers' is not one of thread|pool|epoll|uring",
        ("0", "--model"): "server: option '--model' needs a value (see --help)",
        ("0", "--threads", "2"): "server: --threads: the thread model runs one thread per "
                                 "connection; --threads is for --model pool, epoll or uring",
        ("0", "--model", "pool", "--threads", "0"):
            "server: --threads: '0' is out of range (1 to 1024)",
        ("0", "--model", "epoll", "--threads", "x"):
            "server: --threads: 'x' is not a whole number from 1 to 1024",
        ("0", "--stack-size", "15"): "server: --stack-size: '15' is out of range (16 to 1048576)",
        ("0", "--model", "pool", "--stack-size", "64"):
            "server: --stack-size: only the thread model starts a thread per connection; "
            "it is for --model thread",
    }
    for args, message in usage.items():
        res = run([server, *args])
        check_eq(2, res.returncode, f"exit status of server {' '.join(args)}")
        check_eq([message], res.stderr.splitlines(), f"stderr of server {' '.join(args)}")
        check_eq("", res.stdout, f"stdout of server {' '.join(args)}")
    res = run([server, "--help"])
    check_eq(0, res.returncode, "server --help exit status")
    check(res.stdout.startswith("usage: server PORT"), f"server --help: {res.stdout!r}")
    # Built without liburing, the io_uring model says so and nothing starts.
    uring_built = "not built here" not in res.stdout
    if not uring_built:
        res = run([server, "0", "--model", "uring"])
        check_eq(1, res.returncode, "exit status of server --model uring, not built")
        check_eq(["server: uring: not built (liburing-dev missing)"], res.stderr.splitlines(),
                 "stderr of server --model uring, not built")
        check_eq("", res.stdout, "stdout of server --model uring, not built")
    # A kernel (or a container's seccomp filter) that refuses io_uring: one line, exit 1,
    # before the server says it listens.
    no_uring = os.environ.get("PARLAB_NO_URING")
    if no_uring and uring_built:
        res = run([no_uring, server, "0", "--model", "uring"])
        if res.returncode != SKIP:
            check_eq(1, res.returncode, "exit status of server --model uring, io_uring refused")
            check_eq(["server: uring: the kernel refuses io_uring: io_uring_queue_init: "
                      "Operation not permitted"], res.stderr.splitlines(),
                     "stderr of server --model uring, io_uring refused")
            check_eq("", res.stdout, "stdout of server --model uring, io_uring refused")
    with socket.socket() as holder:
        holder.bind(("0.0.0.0", 0))
        holder.listen()
        port = holder.getsockname()[1]
        res = run([server, str(port)])
        check_eq(1, res.returncode, "exit status of server on a port in use")
        check_eq([f"server: cannot listen on 0.0.0.0:{port}: bind: Address already in use"],
                 res.stderr.splitlines(), "stderr of server on a port in use")
    # TEST-NET-1: a valid address that is not this machine's.
    res = run([server, "0", "--bind", "192.0.2.1"])
    check_eq(1, res.returncode, "exit status of server on a foreign address")
    check_eq(["server: cannot listen on 192.0.2.1:0: bind: Cannot assign requested address"],
             res.stderr.splitlines(), "stderr of server on a foreign address")
    # IPv6 addresses in brackets, so that the port stays apart: [::]:PORT, not :::PORT.
    if ipv6_available():
        res = run([server, "0", "--bind", "2001:db8::1"])
        check_eq(["server: cannot listen on [2001:db8::1]:0: bind: Cannot assign requested "
                  "address"], res.stderr.splitlines(), "stderr of server on a foreign IPv6 address")
        with socket.socket(socket.AF_INET6) as holder:
            holder.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            holder.bind(("::", 0))
            holder.listen()
            port = holder.getsockname()[1]
            res = run([server, str(port), "--bind", "::"])
            check_eq([f"server: cannot listen on [::]:{port}: bind: Address already in use"],
                     res.stderr.splitlines(), "stderr of server on an IPv6 port in use")
        with Server("--bind", "::") as srv:
            check_eq(f"Server: listening on [::]:{srv.port}", srv.lines[0], "IPv6 listening line")
            srv.stop()
    with Server("--bind", "127.0.0.1") as srv:
        check_eq(f"Server: listening on 127.0.0.1:{srv.port}", srv.lines[0], "listening line")
        reply, _ = converse(srv.port, b"1ready")
        check_eq("1.0", reply, "reply via --bind 127.0.0.1")
        srv.stop()


# ---------------------------------------------------------------------------------------
# The stream protocol


BAD_DATA = [
    (b"abc", "not a number: 'abc'"),
    (b"nan", "not a finite number: 'nan'"),
    (b"inf", "not a finite number: 'inf'"),
    (b"-Infinity", "not a finite number: '-Infinity'"),
    (b"1e400", "number out of range: '1e400'"),
    (b"\x00\x01\xfe\xff", "not a number: '\\x00\\x01\\xfe\\xff'"),
    (b"12abc", "not a number: '12abc'"),
    (b"1" * 65, "data message longer than 64 bytes: '1111111111111111'..."),
    (b"0x10", "not a number: '0x10'"),
    (b"1_000", "not a number: '1_000'"),
    (b"ready", "not a number: 'ready'"),
    (b"", "empty data message"),
    (b" \n\t", "empty data message"),
    (b" " * 5000, "more than 4096 bytes without a message"),
]


def bad_exchange(port, payload):
    """Sends payload (then our end of the stream when it is blank) and reads the reply."""
    with connect(port) as sock:
        peer = tuple_of(sock)
        if payload:
            sock.sendall(payload)
        if not payload.strip():
            sock.shutdown(socket.SHUT_WR)
        return read_reply(sock).decode("utf-8", "replace"), peer


def case_bad_input():
    """Every bad input gets "error: <reason>", a log line and a closed connection, and never
    reaches the mean; a bad second message after good data does not undo the data."""
    with Server() as srv:
        reply, _ = converse(srv.port, b"10ready")
        check_eq("10.0", reply, "first mean")
        for payload, reason in BAD_DATA:
            reply, peer = bad_exchange(srv.port, payload)
            check_eq(f"error: {reason}", reply, f"reply to {payload[:20]!r}")
            srv.wait_line(f"Server: bad message from {peer}: {reason}")
        reply, _ = converse(srv.port, b"20ready")
        check_eq("15.0", reply, "mean after the bad data (10 and 20 only)")
        values = ["10", "20"]
        second = [
            (b"4", b"hello", "expected 'ready', got 'hello'"),
            (b"5", b"readyX", "expected 'ready', got 'readyX'"),
            (b"6", b"READY", "expected 'ready', got 'READY'"),
            (b"7", b"8", "expected 'ready', got '8'"),
        ]
        for data, then, reason in second:
            reply, peer = converse(srv.port, data, then, srv=srv)
            check_eq(f"error: {reason}", reply, f"reply to {data!r} then {then!r}")
            srv.wait_line(f"Server: bad message from {peer}: {reason}")
            values.append(data.decode())
        reply, _ = converse(srv.port, b"0ready")
        values.append("0")
        check_eq(py_mean(values), reply, f"mean of {values}")
        srv.stop()
        _, other = check_log(srv.lines, strict=False)
        check_eq(len(BAD_DATA) + len(second), len(other), "bad-message log lines")


def case_framing():
    """However TCP cuts or merges the two messages, and whatever whitespace surrounds them."""
    with Server() as srv:
        values = []

        def expect(parts, data, what, pause=0.0):
            reply, _ = converse(srv.port, *parts, srv=srv if len(parts) > 1 else None,
                                pause=pause)
            values.append(data)
            check_eq(py_mean(values), reply, what)

        expect([b"8ready"], "8", "data and ready in one segment")
        expect([b"6", b"rea", b"dy"], "6", "ready split in two", pause=0.1)
        expect([b"3\n", b"ready\n"], "3", "newline-framed, as nc sends")
        expect([b"  \t5 \r\n", b"\n  ready  \n"], "5", "whitespace around both messages")
        expect([b"2.5", b"ready"], "2.5", "a decimal")
        expect([b"-1e1ready"], "-1e1", "an exponent, merged with ready")
        # Data, then a hang-up before ready: the data still counts.
        with connect(srv.port) as sock:
            peer = tuple_of(sock)
            sock.sendall(b"100")
            srv.wait_for(lambda line: line.startswith(f"Server: received 100 from {peer}"))
        srv.wait_line(f"Server: closing {peer}: connection closed before 'ready'")
        values.append("100")
        # Half-closed after data: the error reply still reaches the peer.
        with connect(srv.port) as sock:
            peer = tuple_of(sock)
            sock.sendall(b"9")
            srv.wait_for(lambda line: line.startswith(f"Server: received 9 from {peer}"))
            sock.shutdown(socket.SHUT_WR)
            check_eq("error: connection closed before 'ready'", read_reply(sock).decode(),
                     "reply after a half-close without ready")
        values.append("9")
        # Half-closed after both messages: a normal reply.
        with connect(srv.port) as sock:
            sock.sendall(b"1ready")
            sock.shutdown(socket.SHUT_WR)
            values.append("1")
            check_eq(py_mean(values), read_reply(sock).decode(), "reply after a half-close")
        srv.stop()
        check_log(srv.lines, strict=False)


def case_quiet():
    """--quiet drops every per-connection line; replies are unchanged."""
    with Server("--quiet") as srv:
        check_eq("3.0", converse(srv.port, b"3ready")[0], "reply")
        check_eq("error: not a number: 'x'", converse(srv.port, b"x")[0], "error reply")
        check_eq("4.0", converse(srv.port, b"5", b"ready", pause=0.05)[0], "second reply")
        srv.stop()
        check_lines([f"Server: listening on 0.0.0.0:{srv.port}", "Server: stopped"], srv.lines,
                     "quiet log")


# ---------------------------------------------------------------------------------------
# Limits


def case_idle_timeout():
    idle = 1.0 * SLOW
    with Server("--idle-timeout", str(idle)) as srv:
        with connect(srv.port) as sock:
            peer = tuple_of(sock)
            check_eq("error: timeout", read_reply(sock).decode(), "reply to a silent client")
        srv.wait_line(f"Server: timeout waiting for data from {peer}")
        with connect(srv.port) as sock:
            peer = tuple_of(sock)
            sock.sendall(b"7")
            check_eq("error: timeout", read_reply(sock).decode(),
                     "reply to a client silent after its data")
        srv.wait_line(f"Server: timeout waiting for ready message from {peer}")
        # A message completed restarts the clock: gaps shorter than the limit are fine.
        reply, _ = converse(srv.port, b"9", b"rea", b"dy", pause=idle * 0.4)
        check_eq("8.0", reply, "mean of 7 and 9, over a slow but steady connection")
        # Bytes that complete no message do not: a blank byte every 0.3 limits, before the
        # data and after it, is cut off one limit after the last progress.
        for data in (b"", b"6"):
            with connect(srv.port) as sock:
                peer = tuple_of(sock)
                reply, lived = dribble(sock, data, idle * 0.3, idle * 4)
            check_eq("error: timeout", reply, f"reply to a client dribbling blanks after {data!r}")
            check(lived < idle + 0.5 * SLOW,
                  f"a client dribbling blanks after {data!r} was served {lived:.2f} s, "
                  f"limit {idle} s")
            srv.wait_line(f"Server: timeout waiting for {'ready message' if data else 'data'} "
                          f"from {peer}")
        srv.stop()


def dribble(sock, data, every, give_up):
    """Sends data (if any), then one blank byte every `every` seconds until the server closes
    or give_up seconds pass. Returns (what the server sent, seconds the connection lived)."""
    start = time.monotonic()
    if data:
        sock.sendall(data)
    got = b""
    while time.monotonic() - start < give_up:
        readable, _, _ = select.select([sock], [], [], every)
        if readable:
            try:
                chunk = sock.recv(4096)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                break
            got += chunk
            continue
        try:
            sock.sendall(b" ")
        except OSError:
            break
    return got.decode("utf-8", "replace"), time.monotonic() - start


def case_conversation_timeout():
    """--conversation-timeout bounds a whole conversation, progress or not; positive limits
    too short to keep are refused, not taken as "never"."""
    limit = 1.0 * SLOW
    with Server("--idle-timeout", str(10 * limit), "--conversation-timeout", str(limit)) as srv:
        with connect(srv.port) as sock:
            peer = tuple_of(sock)
            sock.sendall(b"4")
            srv.wait_for(lambda line: line.startswith(f"Server: received 4 from {peer}"))
            sock.sendall(b"rea")
            start = time.monotonic()
            reply = read_reply(sock).decode()
            waited = time.monotonic() - start
        check_eq("error: timeout", reply, "reply past the conversation limit")
        check(waited < limit + 0.5 * SLOW, f"cut off {waited:.2f} s after its data, limit {limit}")
        srv.wait_line(f"Server: timeout waiting for ready message from {peer} "
                      "(conversation limit)")
        check_eq("5.0", converse(srv.port, b"6ready")[0], "a quick conversation (4 and 6)")
        srv.stop()
    server = os.path.join(BIN, "server")
    for option in ("--idle-timeout", "--conversation-timeout"):
        for value in ("1e-12", "0.0009"):
            res = run([server, "0", option, value])
            check_eq(2, res.returncode, f"exit status of server {option} {value}")
            check_eq([f"server: {option}: '{value}' is below the shortest time limit that can "
                      "be kept, 0.001 s (0 means none)"], res.stderr.splitlines(),
                     f"stderr of server {option} {value}")


def case_max_clients():
    with Server("--max-clients", "2") as srv:
        held = []
        for data in (b"2", b"4"):
            sock = connect(srv.port)
            sock.sendall(data)
            peer = tuple_of(sock)
            srv.wait_for(lambda line, p=peer: line.startswith("Server: received ") and
                         f" from {p}, " in line)
            held.append(sock)
        reply, peer = bad_exchange(srv.port, b"6")
        check_eq("error: server busy", reply, "reply past --max-clients")
        srv.wait_line(f"Server: server busy, turned away {peer}")
        res = client(f"127.0.0.1:{srv.port}", "8", "--delay", "0")
        check_eq(1, res.returncode, "client exit status when the server is busy")
        check_eq([f"client: server 127.0.0.1:{srv.port} replied: error: server busy"],
                 res.stderr.splitlines(), "client stderr when the server is busy")
        for sock in held:
            sock.sendall(b"ready")
            check_eq("3.0", read_reply(sock).decode(), "held clients' mean (2 and 4)")
            sock.close()
        # Places free up once the two threads finish, which may take a moment.
        deadline = time.monotonic() + WAIT
        while True:
            reply, _ = converse(srv.port, b"9ready")
            if reply != "error: server busy" or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        check_eq("5.0", reply, "mean once places are free (2, 4, 9)")
        srv.stop()
    # --max-per-address: an address holding that many is turned away with places free.
    with Server("--max-per-address", "2") as srv:
        held = [connect(srv.port) for _ in range(2)]
        srv.wait_for(lambda line: line.startswith("Server: got connection"), 2)
        reply, peer = bad_exchange(srv.port, b"6")
        check_eq("error: server busy", reply, "reply past --max-per-address")
        srv.wait_line(f"Server: too many connections from one address, turned away {peer}")
        with connect_from("127.0.0.2", srv.port) as sock:
            sock.sendall(b"6ready")
            check_eq("6.0", read_reply(sock).decode(), "reply to another address")
        for sock in held:
            sock.close()
        srv.stop()


def case_signal_stop():
    """SIGINT and SIGTERM with clients in every state: stop within 1 s, "Server: stopped"
    last, status 0, and the port can be bound again at once."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        port = quiet_port()
        with Server(command=server_command(port)) as srv:
            idle = connect(port)
            after_data = connect(port)
            after_data.sendall(b"5")
            mid_ready = connect(port)
            mid_ready.sendall(b"6rea")
            lab = subprocess.Popen([PYTHON, os.path.join(HERE, "lab_client.py"),
                                    f"127.0.0.1:{port}", "7"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            srv.wait_for(lambda line: line.startswith("Server: waiting for ready message"), 3)
            srv.stop(sig, budget=STOP_BUDGET)
            for sock in (idle, after_data, mid_ready):
                sock.settimeout(WAIT)
                check_eq(b"", read_reply(sock), "what a stopped server sends")
                sock.close()
            lab.kill()
            lab.wait()
            lab.stdout.close()
            lab.stderr.close()
        with Server(command=server_command(port)) as again:
            check_eq(port, again.port, "port bound again right after the stop")
            check_eq("1.0", converse(port, b"1ready")[0], "reply from the restarted server")
            again.stop()


def case_port_reuse():
    """Connections the server closed first leave TIME_WAIT behind; SO_REUSEADDR lets the
    next server bind the port anyway, at once, several times over."""
    port = quiet_port()
    for round_ in range(3):
        with Server(command=server_command(port, "--quiet")) as srv:
            port = srv.port
            check_eq(port, srv.port, f"port in round {round_}")
            for i in range(20):
                check_eq("1.0", converse(port, b"1ready")[0], f"reply {i} in round {round_}")
            srv.stop()


def case_peer_faults():
    """Peers that vanish, reset, half-close, stall or flood never crash the server nor
    leave a thread or descriptor behind."""
    with Server("--idle-timeout", str(1.0 * SLOW)) as srv:
        base_threads = int(srv.status()["Threads"])
        base_fds = srv.fd_count()
        for _ in range(20):
            connect(srv.port).close()
        for i in range(5):
            sock = connect(srv.port)
            peer = tuple_of(sock)
            sock.sendall(b"5")
            srv.wait_for(lambda line, p=peer: line.startswith(f"Server: received 5 from {p}"))
            # SO_LINGER with a zero timeout: close() sends a reset instead of a FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            sock.close()
        sock = connect(srv.port)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
        stalled = connect(srv.port)
        stalled.sendall(b"5")
        deaf = connect(srv.port)
        deaf.sendall(b"5ready")
        flood = connect(srv.port)
        try:
            flood.sendall(b"x" * (1 << 20))
        except (ConnectionResetError, BrokenPipeError):
            pass
        flood.close()
        srv.wait_for(lambda line: line.startswith("Server: timeout waiting for ready message"),
                     timeout=WAIT + 5)
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            threads, fds = int(srv.status()["Threads"]), srv.fd_count()
            if (threads, fds) == (base_threads, base_fds):
                break
            time.sleep(0.05)
        check_eq((base_threads, base_fds), (threads, fds),
                 "(threads, descriptors) once every faulty peer is gone")
        stalled.close()
        deaf.close()
        reply, _ = converse(srv.port, b"5ready")
        check_eq("5.0", reply, "mean after the faults (every counted value was 5)")
        srv.stop()
        check_log(srv.lines, strict=False)


def case_bench_servers():
    """The servers the benchmarks set beside parlab's (a single epoll loop, and the lab's
    design in Python under bench/servers/) speak the same protocol, so the same load fits
    all of them: the lab's sequence through our client, a merged message, a bad one, and
    half a second of the round-trip load."""
    root = os.path.dirname(os.path.dirname(HERE))
    servers = {
        "epoll, one loop": [os.path.join(BIN, "server"), "0", "--model", "epoll", "--threads", "1"],
        "py_threaded_server": [PYTHON, os.path.join(root, "bench", "servers",
                                                    "py_threaded_server.py"), "0"],
    }
    for name, command in servers.items():
        with Server(command=command) as srv:
            for n, (data, mean) in enumerate((("3", "3.0"), ("5", "4.0"), ("7", "5.0")), 1):
                res = client(f"127.0.0.1:{srv.port}", data, "--number", str(n), "--delay", "0")
                check_eq("", res.stderr, f"{name}: client {n} stderr")
                check_lines(client_transcript(n, srv.port, data, mean, "0"),
                            res.stdout.splitlines(), f"{name}: client {n} output")
            check_eq("6.0", converse(srv.port, b"9ready")[0], f"{name}: merged data and ready")
            check(converse(srv.port, b"abc")[0].startswith("error: not a number"),
                  f"{name}: reply to bad data")
            load = run([os.path.join(BIN, "loadgen"), f"127.0.0.1:{srv.port}", "--clients", "4",
                        "--duration", "0.5", "--quiet"], timeout=WAIT + 15)
            check_eq(0, load.returncode, f"{name}: loadgen status ({load.stdout.strip()})")
            srv.stop()
            values, _ = check_log(srv.lines, strict=False)
            check_eq(["3", "5", "7", "9"], values[:4], f"{name}: data logged")


# ---------------------------------------------------------------------------------------
# Fairness and a stalled log


def connect_from(source, port, timeout=WAIT):
    """A connection from another loopback address: Linux answers on all of 127.0.0.0/8."""
    sock = socket.socket()
    try:
        sock.bind((source, 0))
    except OSError as why:
        sock.close()
        raise Skip(f"cannot bind to {source}: {why}")
    sock.settimeout(timeout)
    sock.connect(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def metrics_final(path):
    with open(path, newline="") as f:
        rows = [row for row in csv.DictReader(f) if row["row"] == "final"]
    check_eq(1, len(rows), f"final rows in {path}")
    return rows[0]


class Dribbler(threading.Thread):
    """One address keeping `n` connections open for as long as the server lets it, a blank
    byte to each every `every` seconds, opening a new one for each the server closes.
    Records (reply, seconds lived) for every connection closed."""

    def __init__(self, port, n, every):
        super().__init__(daemon=True)
        self.port, self.n, self.every = port, n, every
        self.stop, self.ended, self.error = threading.Event(), [], None
        self.socks = {}

    def run(self):
        try:
            self._run()
        except Exception as why:  # reported by the test, not lost in a thread
            self.error = why
        finally:
            for sock in self.socks:
                sock.close()

    def _end(self, sock, reply):
        self.ended.append((reply.decode("utf-8", "replace"), time.monotonic() - self.socks[sock][0]))
        del self.socks[sock]
        sock.close()

    def _run(self):
        next_blank = time.monotonic() + self.every
        while not self.stop.is_set():
            while len(self.socks) < self.n:
                self.socks[connect(self.port)] = [time.monotonic(), b""]
            readable, _, _ = select.select(list(self.socks), [], [], 0.02)
            for sock in readable:
                try:
                    chunk = sock.recv(4096)
                except ConnectionResetError:
                    chunk = b""
                if chunk:
                    self.socks[sock][1] += chunk
                else:
                    self._end(sock, self.socks[sock][1])
            if time.monotonic() >= next_blank:
                next_blank += self.every
                for sock in list(self.socks):
                    try:
                        sock.send(b" ")
                    except OSError:
                        self._end(sock, self.socks[sock][1])

    def oldest(self):
        now = time.monotonic()
        return max((now - opened for opened, _ in list(self.socks.values())), default=0.0)


def case_fair_share():
    """One address holding every slot with silent connections, kept alive by a blank byte
    each, cannot keep another address out: each newcomer takes the place of its longest
    idle connection, which gets "error: server busy", and dribbling does not stop the idle
    limit from cutting the rest off."""
    n, idle = 64, 2.0 * SLOW
    with tempfile.TemporaryDirectory() as tmp:
        metrics = os.path.join(tmp, "m.csv")
        # A pool needs a worker for each of them, and the newcomers.
        with Server("--max-clients", str(n), "--idle-timeout", str(idle),
                    "--metrics", metrics, "--events", "none", workers=n + 16) as srv:
            attacker = Dribbler(srv.port, n, 0.25)
            attacker.start()
            try:
                # The whole server is one address's when nobody else wants it.
                srv.wait_for(lambda line: line.startswith("Server: got connection"), n)
                values, start = [], time.monotonic()
                while time.monotonic() - start < idle * 2.5 or len(values) < 10:
                    value = str(len(values) * 3 - 7)
                    with connect_from("127.0.0.2", srv.port) as sock:
                        peer = tuple_of(sock)
                        sock.sendall(value.encode())
                        # Newcomers must evict fewer than n per idle limit, or every dribbled
                        # connection goes before it could time out; the pause scales with the
                        # limit so that holds under sanitizers too (n / idle = 32/s here).
                        time.sleep(0.1 * SLOW)
                        sock.sendall(b"ready")
                        reply = read_reply(sock).decode("utf-8", "replace")
                    values.append(value)
                    check_eq(py_mean(values), reply,
                             f"reply to conversation {len(values)} from {peer}")
                    check(attacker.error is None, f"the dribbler failed: {attacker.error}")
                    check(attacker.oldest() < idle + 1.0 * SLOW,
                          f"a dribbled connection open {attacker.oldest():.2f} s, limit {idle} s")
            finally:
                attacker.stop.set()
                attacker.join()
            srv.stop()
        final = metrics_final(metrics)
    replies = {reply for reply, _ in attacker.ended}
    check(replies <= {"error: server busy", "error: timeout"},
          f"replies to the dribbler: {sorted(replies)}")
    timed_out = [lived for reply, lived in attacker.ended if reply == "error: timeout"]
    check(timed_out, "no dribbled connection reached the idle limit")
    check(max(timed_out) < idle + 1.0 * SLOW,
          f"a dribbled connection lived {max(timed_out):.2f} s, limit {idle} s")
    evicted = [line for line in srv.lines if re.fullmatch(
        r"Server: server busy, evicted \('127\.0\.0\.1', \d+\) for \('127\.0\.0\.2', \d+\)",
        line)]
    check(evicted, "no 'evicted' line in the log")
    check_eq(str(len(evicted)), final["evictions"], "evictions in --metrics")
    check_eq(str(len(values)), final["ready_messages"], "means sent in --metrics")
    check_eq(str(len([line for line in srv.lines if line.startswith("Server: timeout")])),
             final["idle_timeouts"], "idle timeouts in --metrics")


def case_one_address():
    """The bench's load, 2,048 clients from 127.0.0.1 at once, is served whole, even with
    exactly that many places: one address may use every slot while nobody else asks."""
    n = 2048
    raise_fd_limit(2 * n + 256)
    with Server("--quiet", "--max-clients", str(n)) as srv:
        load = run([os.path.join(BIN, "loadgen"), f"127.0.0.1:{srv.port}", "--clients", str(n),
                    "--duration", str(1.0 * SLOW), "--quiet"], timeout=WAIT * 4)
        check_eq(0, load.returncode, f"loadgen status ({load.stdout.strip()} {load.stderr})")
        srv.stop()


def case_stdout_blocked():
    """stdout a pipe nobody reads: every client is still served, timeouts still fire, a
    signal still stops the server within a second, and the lines stdout did not take are
    counted, not waited for."""
    idle = 1.0 * SLOW
    port = quiet_port()
    rd, wr = os.pipe()
    with tempfile.TemporaryDirectory() as tmp:
        metrics = os.path.join(tmp, "m.csv")
        proc = subprocess.Popen(server_command(port, "--idle-timeout", str(idle), "--metrics",
                                               metrics, "--events", "none"),
                                stdin=subprocess.DEVNULL, stdout=wr, stderr=subprocess.PIPE)
        os.close(wr)
        try:
            # The first line only (the pipe holds 64 KiB); nothing more is read until the end.
            first = b""
            while not first.endswith(b"\n"):
                byte = os.read(rd, 1)
                check(byte, "server ended before its listening line")
                first += byte
            check_eq(f"Server: listening on 0.0.0.0:{port}", first.decode().rstrip("\n"),
                     "listening line")
            conversations, running, means = 2000, RunningMean(), []
            for i in range(conversations):
                value = str(i * 3 - 1000)
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=5 * SLOW) as sock:
                        sock.sendall(f"{value}ready".encode())
                        reply = read_reply(sock).decode()
                except OSError as why:
                    raise Failure(f"conversation {i + 1} of {conversations}: {why!r}")
                running.add(value)
                means.append(running.text())
                check_eq(means[-1], reply, f"reply to conversation {i + 1}")
            with socket.create_connection(("127.0.0.1", port), timeout=5 * SLOW) as sock:
                try:
                    reply = read_reply(sock).decode()
                except OSError as why:
                    raise Failure(f"silent connection: {why!r}")
            check_eq("error: timeout", reply, "reply to a silent client, stdout blocked")
            start = time.monotonic()
            proc.send_signal(signal.SIGINT)
            try:
                rc = proc.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                raise Failure(f"server still running {WAIT} s after SIGINT, stdout blocked")
            elapsed = time.monotonic() - start
            err = proc.stderr.read().decode().splitlines()
            check_eq(0, rc, "server exit status")
            check(elapsed <= STOP_BUDGET,
                  f"server took {elapsed:.3f} s to stop, stdout blocked; limit {STOP_BUDGET} s")
            data = b""
            while True:
                chunk = os.read(rd, 65536)
                if not chunk:
                    break
                data += chunk
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stderr.close()
            os.close(rd)
        final = metrics_final(metrics)
    check(data.endswith(b"\n"), f"the log ends in the middle of a line: {data[-80:]!r}")
    lines = [first.decode().rstrip("\n")] + data.decode().splitlines()
    # listening, four lines per conversation, two for the silent client, stopped
    produced = 1 + 4 * conversations + 2 + 1
    dropped = produced - len(lines)
    check(dropped > 0, f"the pipe took all {produced} lines; nothing was blocked")
    check_eq([f"server: {dropped} log lines dropped (stdout blocked)"], err, "server stderr")
    check_eq(str(dropped), final["log_lines_dropped"], "log_lines_dropped in --metrics")
    # What the pipe took is whole lines in order, with gaps where lines were dropped.
    check_blocked_log(lines, means, port)


def check_blocked_log(lines, means, port):
    """Lines of conversations i = 0, 1, ... (data i * 3 - 1000, mean means[i]), some of
    them missing, the rest in order and whole."""
    check_eq(f"Server: listening on 0.0.0.0:{port}", lines[0], "first line")
    index, last = {}, -1
    for line in lines[1:]:
        kind = next((k for k, rx in LOG_PATTERNS.items() if rx.fullmatch(line)), None)
        if kind == "data":
            text, peer, mean = LOG_PATTERNS["data"].fullmatch(line).groups()
            i = (int(text) + 1000) // 3
            check(i > last, f"conversation {i} logged after conversation {last}: {line!r}")
            check_eq(means[i], mean, f"mean in {line!r}")
            index[peer], last = i, i
        elif kind == "ready":
            peer, sent = LOG_PATTERNS["ready"].fullmatch(line).groups()
            if peer in index:
                check_eq(means[index[peer]], sent, f"mean sent in {line!r}")
        else:
            check(kind is not None or line.startswith("Server: timeout waiting for data from "),
                  f"unexpected log line: {line!r}")


# ---------------------------------------------------------------------------------------
# Many clients


def hold_clients(srv, values):
    """Opens one connection per value, sends each its data, waits for the server to log
    all of them, then sends every `ready` and returns the replies in order."""
    socks = []
    try:
        for v in values:
            sock = socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT)
            sock.sendall(v.encode())
            socks.append(sock)
        srv.wait_for(lambda line: line.startswith("Server: received "), len(values),
                     timeout=WAIT * 4)
        status = srv.status()
        for sock in socks:
            sock.sendall(b"ready")
        replies = [read_reply(sock).decode("utf-8", "replace") for sock in socks]
        return replies, status
    finally:
        for sock in socks:
            sock.close()


def raise_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            raise Skip(f"needs {need} descriptors, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))


def case_many_clients():
    """1,000 clients connected at once, each answered with the exact mean of all 1,000."""
    n = 1000
    needs_workers(n, f"{n} conversations")
    raise_fd_limit(n + 64)
    values = [str(v) for v in range(-400, 3 * n - 400, 3)]
    with Server() as srv:
        replies, status = hold_clients(srv, values)
        expected = py_mean(values)
        wrong = [r for r in replies if r != expected]
        check_eq([], wrong[:5], f"replies that are not the mean {expected} ({len(wrong)} wrong)")
        if MODEL == "thread":
            check(int(status["Threads"]) >= n, f"{status['Threads']} threads for {n} clients")
        srv.stop()
        check_log(srv.lines)
        check_eq(2 + 4 * n, len(srv.lines), "log lines")


def case_hold_8000():
    """8,000 simultaneous connections: every one answered with the exact mean, and the
    server's resident memory under 96 MiB throughout."""
    if SANITIZED:
        raise Skip("sanitizers multiply memory use; the figure is for the release build")
    n = 8000
    needs_workers(n, f"{n} conversations")
    raise_fd_limit(n + 64)
    values = [str(v * 7 - 12345) for v in range(n)]
    with Server() as srv:
        replies, status = hold_clients(srv, values)
        expected = py_mean(values)
        wrong = [r for r in replies if r != expected]
        check_eq([], wrong[:5], f"replies that are not the mean {expected} ({len(wrong)} wrong)")
        if MODEL == "thread":
            check(int(status["Threads"]) >= n, f"{status['Threads']} threads for {n} clients")
        final = srv.status()
        # And a stop with all of them connected again, mid-conversation.
        socks = []
        try:
            for v in values:
                sock = socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT)
                sock.sendall(v.encode())
                socks.append(sock)
            srv.wait_for(lambda line: line.startswith("Server: received "), 2 * n,
                         timeout=WAIT * 4)
            elapsed = srv.stop(budget=STOP_BUDGET)
        finally:
            for sock in socks:
                sock.close()
        rss_kib = int(status["VmRSS"].split()[0])
        hwm_kib = int(final["VmHWM"].split()[0])
        print(f"{n} connections held: VmRSS {rss_kib / 1024:.1f} MiB, "
              f"peak VmHWM {hwm_kib / 1024:.1f} MiB, threads {status['Threads']}; "
              f"stopped with {n} connected in {elapsed:.3f} s")
        check(hwm_kib < 96 * 1024, f"peak resident memory {hwm_kib / 1024:.1f} MiB, limit 96 MiB")


def main():
    cases = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}
    if len(sys.argv) != 2 or sys.argv[1] not in cases:
        print(f"usage: {sys.argv[0]} CASE\ncases: {' '.join(sorted(cases))}", file=sys.stderr)
        return 2
    name = sys.argv[1]
    try:
        cases[name]()
    except Skip as why:
        print(f"{name}: skipped: {why}")
        return SKIP
    except Failure as why:
        print(f"{name}: FAILED: {why}")
        return 1
    print(f"{name}: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
