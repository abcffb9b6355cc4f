#!/usr/bin/env python3
"""A small threaded mean server in Python, for testing our C client against an independent
implementation. It speaks the stream protocol (data with no delimiter, then `ready`) and
logs as the lab's server does. --reply changes what it answers, to exercise the client's
error handling: normal (the mean), busy ("error: server busy"), junk (not a number),
silent (never answers), close (hangs up without answering), open (the mean, then keeps
the connection open until the client closes it).

usage: py_server.py PORT [--reply normal|busy|junk|silent|close|open]
"""
import argparse
import socket
import threading

lock = threading.Lock()
total = 0.0
count = 0


def log(line):
    with lock:
        print(line, flush=True)


def split_data(chunk):
    """The data message: the first run of the read up to whitespace or the 'r' of ready."""
    text = chunk.lstrip()
    end = 0
    while end < len(text) and not text[end:end + 1].isspace() and text[end:end + 1] != b"r":
        end += 1
    return text[:end], text[end:]


def handle(conn, addr, mode):
    global total, count
    with conn:
        log(f"Server: got connection from client {addr}")
        chunk = conn.recv(1024)
        while chunk and not chunk.strip():
            chunk = conn.recv(1024)
        token, rest = split_data(chunk)
        try:
            value = float(token.decode())
        except (UnicodeDecodeError, ValueError):
            conn.sendall(b"error: not a number")
            return
        with lock:
            total += value
            count += 1
            mean = total / count
            print(f"Server: received {token.decode()} from {addr}, new mean_data {mean}",
                  flush=True)
        log(f"Server: waiting for ready message from {addr}")
        pending = rest
        while b"ready" not in pending:
            more = conn.recv(1024)
            if not more:
                return
            pending += more
        with lock:
            mean = total / count
        if mode == "silent":
            while conn.recv(1024):
                pass
            return
        if mode == "close":
            return
        reply = {"busy": b"error: server busy", "junk": b"not-a-number"}.get(mode)
        log(f"Server: got ready message from {addr}, sending {mean}")
        conn.sendall(reply if reply is not None else str(mean).encode())
        if mode == "open":
            while conn.recv(1024):
                pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--reply", default="normal",
                        choices=["normal", "busy", "junk", "silent", "close", "open"])
    args = parser.parse_args()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", args.port))
    server.listen(128)
    log(f"Server: listening on 127.0.0.1:{server.getsockname()[1]}")
    try:
        while True:
            conn, addr = server.accept()
            threading.Thread(target=handle, args=(conn, addr, args.reply), daemon=True).start()
    except KeyboardInterrupt:
        log("Server: stopped")
    finally:
        server.close()


if __name__ == "__main__":
    main()
