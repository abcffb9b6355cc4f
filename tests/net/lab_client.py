#!/usr/bin/env python3
"""A client that does on the wire exactly what the lab's Python client does: str(data) with
no delimiter, a pause, b"ready" with no delimiter, a single recv(1024) and float() of it.
Its output is the lab client's, word for word ("receving" included).

usage: lab_client.py HOST:PORT DATA [--number N] [--delay SECONDS]
"""
import argparse
import socket
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("data")
    parser.add_argument("--number", type=int, default=0)
    parser.add_argument("--delay", type=float, default=5)
    args = parser.parse_args()
    host, port = args.address.rsplit(":", 1)
    address = (host, int(port))
    delay = int(args.delay) if args.delay == int(args.delay) else args.delay
    n = args.number

    print(f"Client {n}: connecting to {address}", flush=True)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.connect(address)
        print(f"Client {n}: sending data: {args.data}", flush=True)
        sock.send(str(args.data).encode())
        print(f"Client {n}: sleeping for {delay} seconds", flush=True)
        time.sleep(args.delay)
        print(f"Client {n}: sending ready message", flush=True)
        sock.send(b"ready")
        print(f"Client {n}: receving mean data", flush=True)
        mean_data = float(sock.recv(1024).decode())
        print(f"Client {n}: mean_data {mean_data}", flush=True)


if __name__ == "__main__":
    main()
