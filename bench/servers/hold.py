#!/usr/bin/env python3
"""Holds N simultaneous connections to a mean server and measures what that costs it.

Starts the server command (which must accept PORT 0 and print its listening line), opens N
connections, sends each a whole number, waits until the server has logged every one,
reads the server's VmRSS/VmHWM/Threads from /proc, then sends every `ready` and checks each
reply is exactly the mean Python computes. The server must not be --quiet (the log says
when every number is in).

usage: hold.py [--clients N] -- SERVER_COMMAND... (PORT 0 is appended)
example: bench/servers/hold.py --clients 8000 -- build/bin/server
"""
import argparse
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time


def status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for row in f:
            key, _, value = row.partition(":")
            fields[key] = value.strip()
    return fields


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8000)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    n = args.clients
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 64), hard))

    proc = subprocess.Popen(args.command + ["0"], stdout=subprocess.PIPE)
    try:
        first = proc.stdout.readline().decode()
        m = re.match(r"Server: listening on \S+:(\d+)", first)
        if not m:
            print(f"hold.py: no listening line from {args.command}: {first!r}", file=sys.stderr)
            return 1
        port = int(m.group(1))
        received = [0]
        lock = threading.Condition()

        def gather():
            for line in proc.stdout:
                if line.startswith(b"Server: received "):
                    with lock:
                        received[0] += 1
                        lock.notify_all()

        threading.Thread(target=gather, daemon=True).start()
        values = [v * 7 - 12345 for v in range(n)]
        start = time.monotonic()
        socks = []
        for v in values:
            sock = socket.create_connection(("127.0.0.1", port), timeout=60)
            sock.sendall(str(v).encode())
            socks.append(sock)
        with lock:
            lock.wait_for(lambda: received[0] >= n, timeout=120)
        held = time.monotonic() - start
        st = status(proc.pid)
        for sock in socks:
            sock.sendall(b"ready")
        expected = str(sum(values) / n)
        wrong = 0
        for sock in socks:
            reply = b""
            while True:
                chunk = sock.recv(64)
                if not chunk:
                    break
                reply += chunk
            wrong += reply.decode() != expected
            sock.close()
        peak = status(proc.pid)["VmHWM"]
        print(f"{' '.join(args.command)}: {n} connections held after {held:.2f} s, "
              f"{received[0]} numbers logged, VmRSS {st['VmRSS']}, VmHWM {peak}, "
              f"threads {st['Threads']}; mean {expected}: {n - wrong} exact, {wrong} wrong")
        return 1 if wrong or received[0] < n else 0
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    sys.exit(main())
