#!/usr/bin/env python3
"""A stub mean server that misbehaves on purpose, for counting loadgen's errors. It reads
the number and `ready` the way the protocol frames them, then answers as --reply says:

  error   "error: stub refuses"            (an error reply)
  busy    "error: server busy" at once     (turned away before the number is read)
  lagging "error: server busy" at once, the close 0.5 s later (the text and the end of
          the stream reach the client in separate reads)
  junk    "not-a-number"                   (unparsable)
  sloppy  " 7.5\\n"                         (a number, but not as Python's str() prints it)
  close   nothing, then a clean close      (closed without a reply)
  silent  nothing, ever                    (a timeout)
  refuse  the port bound but never listened on, so every connect is refused; holding it
          keeps the kernel from handing the port to another test's server meanwhile

usage: stub_server.py --reply MODE [--port PORT]   (PORT 0, the default, picks a free one)
Prints "Stub: listening on 127.0.0.1:PORT" once it accepts connections ("Stub: bound but
not listening on ..." for refuse).
"""
import argparse
import signal
import socket
import socketserver
import time

REPLIES = {"error": b"error: stub refuses", "junk": b"not-a-number", "sloppy": b" 7.5\n"}


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        mode = self.server.mode
        conn = self.request
        if mode in ("busy", "lagging"):
            conn.sendall(b"error: server busy")
            if mode == "lagging":
                time.sleep(0.5)
            conn.shutdown(socket.SHUT_WR)
            drain(conn)
            return
        seen = b""
        while b"ready" not in seen:
            chunk = conn.recv(1024)
            if not chunk:
                return
            seen += chunk
        if mode == "silent":
            drain(conn)
            return
        if mode in REPLIES:
            conn.sendall(REPLIES[mode])


def drain(conn):
    """Reads until the peer closes, so our close never resets what we sent."""
    try:
        while conn.recv(1024):
            pass
    except OSError:
        pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reply", required=True, choices=["error", "busy", "lagging", "junk", "sloppy",
                                                           "close", "silent", "refuse"])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.reply == "refuse":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", args.port))
            print(f"Stub: bound but not listening on 127.0.0.1:{sock.getsockname()[1]}",
                  flush=True)
            signal.pause()
        return
    with Server(("127.0.0.1", args.port), Handler) as server:
        server.mode = args.reply
        print(f"Stub: listening on 127.0.0.1:{server.server_address[1]}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
