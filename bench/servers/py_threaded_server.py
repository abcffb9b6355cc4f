#!/usr/bin/env python3
"""The mean server as a plain Python program, one threading.Thread per connection: the
lab's own design, for comparison with build/bin/server. It speaks the same stream protocol
(data with no delimiter, then `ready`, merged or split), replies the mean as str(float)
and logs the lab's lines; --quiet keeps only the listening and stopped lines.

usage: py_threaded_server.py PORT [--quiet]
"""
import argparse
import signal
import socket
import sys
import threading

lock = threading.Lock()
log_lock = threading.Lock()
total = 0
count = 0
quiet = False


stopped = False


def log(line):
    """One whole line per write: print() from threads can split a line from its newline.
    Nothing after "Server: stopped": daemon threads may still be finishing."""
    if not quiet:
        with log_lock:
            if not stopped:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()


def take_data(chunk):
    """The data message is the read's first run of bytes up to whitespace or the 'r' of a
    merged `ready`; returns it and what follows."""
    text = chunk.lstrip()
    end = 0
    while end < len(text) and not text[end:end + 1].isspace() and text[end:end + 1] != b"r":
        end += 1
    return text[:end], text[end:]


def number(token):
    """int for whole numbers (summed exactly, as Python does), float otherwise; None if
    the token is not a finite decimal number."""
    try:
        text = token.decode("ascii")
        value = int(text) if text.lstrip("+-").isdigit() else float(text)
    except (UnicodeDecodeError, ValueError):
        return None
    if "_" in text or isinstance(value, float) and (value != value or value in
                                                    (float("inf"), float("-inf"))):
        return None
    return value


def handle(conn, addr):
    global total, count
    with conn:
        log(f"Server: got connection from client {addr}")
        chunk = conn.recv(1024)
        while chunk and not chunk.strip():
            chunk = conn.recv(1024)
        token, rest = take_data(chunk)
        value = number(token)
        if value is None:
            log(f"Server: bad message from {addr}: not a number")
            conn.sendall(b"error: not a number")
            return
        with lock:
            total += value
            count += 1
            mean = total / count
            log(f"Server: received {token.decode()} from {addr}, new mean_data {mean}")
        log(f"Server: waiting for ready message from {addr}")
        pending = rest.strip()
        while len(pending) < 5 and b"ready".startswith(pending):
            more = conn.recv(1024)
            if not more:
                return
            pending = (pending + more).strip()
        if pending != b"ready":
            log(f"Server: bad message from {addr}: expected 'ready'")
            conn.sendall(b"error: expected 'ready'")
            return
        with lock:
            mean = total / count
            log(f"Server: got ready message from {addr}, sending {mean}")
        conn.sendall(str(mean).encode())


def main():
    global quiet, stopped
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    quiet = args.quiet
    # Ctrl-C and SIGTERM both stop it; a shell starts background jobs with SIGINT ignored,
    # so its handler is set rather than inherited.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", args.port))
    # The same backlog as the C servers, so a burst of connections meets the same queue.
    server.listen(4096)
    with log_lock:
        print(f"Server: listening on 0.0.0.0:{server.getsockname()[1]}", flush=True)
    try:
        while True:
            conn, addr = server.accept()
            threading.Thread(target=handle, args=(conn, addr), daemon=True).start()
    except KeyboardInterrupt:
        with log_lock:
            print("Server: stopped", flush=True)
            stopped = True
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
