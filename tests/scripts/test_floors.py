"""The floor servers of the bench (bench/servers/floor_thread.c, floor_epoll.c), as the
sweeps use them: the listening line with the port, the mean of whole numbers exact after
each conversation, the number split or merged with `ready` anyhow, a bad number answered
`error: bad number`, a conversation dropped before `ready` left out of the mean, many
concurrent clients (build/bin/loadgen) all answered with a parsable mean and every one of
them in the sum, SIGTERM, and the command line refused with exit 2.

usage: test_floors.py [BIN_DIR]   (default: build/bin)"""
import csv
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from checks import check, done, record  # noqa: E402

BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build", "bin")
FLOORS = ("floor_thread", "floor_epoll")


def start(prog):
    proc = subprocess.Popen([os.path.join(BIN, prog), "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.fullmatch(r"Server: listening on 0\.0\.0\.0:(\d+)\n", line)
    record(m is not None, f"{prog}: the listening line, got {line!r}")
    return proc, int(m.group(1)) if m else 0


def converse(port, *pieces):
    """One conversation, each piece its own write; the whole reply, read until close."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for piece in pieces:
            sock.sendall(piece)
            time.sleep(0.002)  # separate segments, as a slow client's
        reply = b""
        while chunk := sock.recv(256):
            reply += chunk
    return reply.decode()


def exact(values):
    """The mean Python rounds once from the exact rational mean."""
    return float(sum(map(Fraction, values)) / len(values))


def floor_cases(prog):
    proc, port = start(prog)
    try:
        sent = []
        for value, pieces in ((5, [b"5", b"ready"]), (-12, [b"-12ready"]),
                              (100, [b"1", b"0", b"0r", b"ea", b"dy"]),
                              (7, [b"7", b"ready"]), (2**40, [str(2**40).encode(), b"ready"])):
            sent.append(value)
            reply = converse(port, *pieces)
            check(f"{prog}: mean after {sent}", exact(sent), float(reply))
        for bad in ([b"abc", b"ready"], [b"ready"], [b"12x", b"ready"], [b"1 2ready"]):
            check(f"{prog}: {b''.join(bad)!r}", "error: bad number", converse(port, *bad))
        # A conversation dropped before "ready" adds nothing.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"1000000")
        time.sleep(0.05)
        sent.append(3)
        check(f"{prog}: a dropped conversation left out", exact(sent),
              float(converse(port, b"3ready")))

        # Concurrent load: every session answered with a mean that parses, and every number
        # loadgen sent in the sum (its sessions of 7, then one of 1000 here).
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "load.csv")
            run = subprocess.run([os.path.join(BIN, "loadgen"), f"127.0.0.1:{port}",
                                  "--clients", "32", "--sessions", "3000", "--value", "7",
                                  "--csv", out, "--quiet"], capture_output=True, text=True,
                                 timeout=120)
            check(f"{prog}: loadgen exit ({run.stderr.strip()})", 0, run.returncode)
            rows = list(csv.DictReader(open(out))) if os.path.exists(out) else [{}]
        row = rows[-1]
        errors = {k: row.get(k) for k in row if k.startswith("errors_")}
        check(f"{prog}: loadgen errors", {k: "0" for k in errors} or None, errors or None)
        check(f"{prog}: loadgen sessions", "3000", row.get("sessions"))
        sent += [7] * 3000 + [1000]
        check(f"{prog}: the mean after the load", exact(sent), float(converse(port, b"1000ready")))

        proc.send_signal(signal.SIGTERM)
        try:
            status = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            status = None
        check(f"{prog}: SIGTERM ends it", -signal.SIGTERM, status)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def usage_cases(prog):
    path = os.path.join(BIN, prog)
    for argv, why in (([], "usage: "), (["0", "1"], "usage: "), (["80x"], "'80x'"),
                      (["65536"], "'65536'"), (["-1"], "'-1'"), ([" 80"], "' 80'"),
                      ([""], "''")):
        run = subprocess.run([path] + argv, capture_output=True, text=True, timeout=10)
        check(f"{prog} {argv}: exit", 2, run.returncode)
        lines = run.stderr.splitlines()
        record(len(lines) == 1 and why in lines[0],
               f"{prog} {argv}: one line naming {why!r}, got {run.stderr!r}")


for floor in FLOORS:
    usage_cases(floor)
    floor_cases(floor)
sys.exit(done("floors"))
