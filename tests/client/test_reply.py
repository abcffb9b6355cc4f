#!/usr/bin/env python3
"""The client's reading of the reply, against a stub server on a free port that answers
each connection as its mode says, once it has read the number and `ready`:

  fast      "2.5", then the close at once (as the lab's server does)
  split     "12", 300 ms later "3.5", then the close (one reply: 123.5)
  unclosed  "12", and the connection held open until the test ends
  waitclose "4.0", then the close once the client has closed its side
  error     "error: stub", 300 ms later " refuses", then the close

The reply ends only with the server's close: a pause inside it is no end, and a reply the
--timeout cuts off is an error, not a number. Exit status 0 when every check passed.
"""
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time

BIN = os.environ.get("PARLAB_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build",
                                                 "bin"))
# Sanitized builds start several times slower; upper bounds on waits leave room for that.
SLACK = 10.0
PAUSE = 0.3

failures = []
passed = 0


def check_eq(what, expected, actual):
    global passed
    if expected == actual:
        passed += 1
    else:
        failures.append(f"{what}: expected {expected!r}, got {actual!r}")


def check(what, cond, detail):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(f"{what}: {detail}")


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        conn, mode = self.request, self.server.mode
        seen = b""
        while b"ready" not in seen:
            chunk = conn.recv(1024)
            if not chunk:
                return
            seen += chunk
        if mode == "fast":
            conn.sendall(b"2.5")
        elif mode in ("split", "error"):
            first, rest = (b"12", b"3.5") if mode == "split" else (b"error: stub", b" refuses")
            conn.sendall(first)
            time.sleep(PAUSE)
            conn.sendall(rest)
        elif mode == "unclosed":
            conn.sendall(b"12")
            # Not reading: whatever the client does, this end stays open.
            self.server.release.wait()
        elif mode == "waitclose":
            conn.sendall(b"4.0")
            while conn.recv(1024):
                pass


class Stub(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode):
        super().__init__(("127.0.0.1", 0), Handler)
        self.mode = mode
        self.release = threading.Event()
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.shutdown()
        self.server_close()


def client(port, *args):
    """Runs the client with no pause; returns (status, stdout lines, stderr lines, seconds)."""
    start = time.monotonic()
    res = subprocess.run([os.path.join(BIN, "client"), f"127.0.0.1:{port}", "4", "--delay", "0",
                          *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                         timeout=60)
    return (res.returncode, res.stdout.splitlines(), res.stderr.splitlines(),
            time.monotonic() - start)


def transcript(port, mean=None):
    """The lab client's lines, up to the mean when there is one."""
    lines = [f"Client 0: connecting to ('127.0.0.1', {port})", "Client 0: sending data: 4",
             "Client 0: sleeping for 0 seconds", "Client 0: sending ready message",
             "Client 0: receving mean data"]
    return lines + ([f"Client 0: mean_data {mean}"] if mean is not None else [])


def expect_mean(mode, mean, *args):
    with Stub(mode) as stub:
        status, out, err, seconds = client(stub.port, "--timeout", "5", *args)
        check_eq(f"{mode}: exit status", 0, status)
        check_eq(f"{mode}: stderr", [], err)
        check_eq(f"{mode}: output", transcript(stub.port, mean), out)
        # Each of these servers closes well within the timeout; waiting it out is a bug.
        check(f"{mode}: time", seconds < 5, f"took {seconds:.2f} s, the whole --timeout")
    return seconds


def main():
    expect_mean("fast", "2.5")

    # The reply in two pieces, further apart than any grace a reader might give: the
    # number is both, not the first.
    seconds = expect_mean("split", "123.5")
    check("split: waited for the close", seconds >= PAUSE, f"took only {seconds:.2f} s")

    # A server that closes only after its client has: the client's half-close after the
    # reply lets it, so the reply still ends with a close.
    expect_mean("waitclose", "4.0")

    # A reply that never ends: after --timeout, an error naming what came, no number.
    with Stub("unclosed") as stub:
        status, out, err, seconds = client(stub.port, "--timeout", "1")
        check_eq("unclosed: exit status", 1, status)
        check_eq("unclosed: stderr",
                 [f"client: server 127.0.0.1:{stub.port} sent '12' but did not close the "
                  "connection within 1 seconds; the reply may be incomplete"], err)
        check_eq("unclosed: output (no mean)", transcript(stub.port), out)
        check("unclosed: time", 1 <= seconds < 1 + SLACK,
              f"took {seconds:.2f} s for a 1 s --timeout")

    # An error reply is read to its end too, and reported whole.
    with Stub("error") as stub:
        status, out, err, _ = client(stub.port, "--timeout", "5")
        check_eq("error: exit status", 1, status)
        check_eq("error: stderr",
                 [f"client: server 127.0.0.1:{stub.port} replied: error: stub refuses"], err)
        check_eq("error: output", transcript(stub.port), out)

    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
