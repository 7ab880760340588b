"""A cheap HTTP load generator for ``benchmarks/run.py``'s server figure, run as its own process.

Run: ``python benchmarks/load.py HOST PORT PATH BODY_FILE --token T [--clients 32] [--seconds 10]
[--content-type T] [--once]``.
One process, one thread: ``--clients`` keep-alive HTTP/1.1 connections driven by ``selectors``,
each sending the same request, built once as bytes, again as soon as its answer is in. Answers are
read only as far as their status line, ``Content-Length`` and that many bytes, so the client's own
cost per request is a few ``send``/``recv`` calls; it imports nothing of xlperf. Prints one JSON
line: requests answered, how many were not 200 (or cut), the window, this process's CPU seconds
in it, and latency percentiles.
"""

from __future__ import annotations

import argparse
import json
import resource
import selectors
import socket
import time
from pathlib import Path


def request_bytes(
    host: str, path: str, body: bytes, token: str, content_type: str = "application/json"
) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


class Client:
    """One keep-alive connection: send the request, read one answer, again."""

    def __init__(self, address: tuple[str, int], request: bytes):
        self.address, self.request = address, request
        self.sock: socket.socket | None = None

    def connect(self) -> socket.socket:
        sock = socket.create_connection(self.address, timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        self.sock = sock
        return sock

    def start(self) -> None:
        self.out = memoryview(self.request)
        self.buf = bytearray()
        self.need = -1  # bytes of the whole answer, once its head is in
        self.status = 0
        self.close_after = False
        self.began = time.perf_counter()

    def answer_complete(self) -> bool:
        """Parse what has arrived; True when one whole answer is in ``buf``."""
        if self.need < 0:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return False
            head = bytes(self.buf[:end]).decode("latin-1").lower().split("\r\n")
            self.status = int(head[0].split(" ", 2)[1])
            length = 0
            for field in head[1:]:
                name, _, value = field.partition(":")
                if name == "content-length":
                    length = int(value)
                elif name == "connection" and "close" in value:
                    self.close_after = True
            self.need = end + 4 + length
        return len(self.buf) >= self.need


def drive(
    address: tuple[str, int], request: bytes, clients: int, seconds: float, once: bool = False
) -> dict[str, object]:
    """``clients`` connections sending ``request`` for ``seconds`` (or each once, ``once``)."""
    sel = selectors.DefaultSelector()
    conns = [Client(address, request) for _ in range(clients)]
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    stop = t0 if once else t0 + seconds  # once: no request, and no connection, after the first
    for c in conns:
        sel.register(c.connect(), selectors.EVENT_WRITE, c)
        c.start()
    done, failed, latencies, statuses = 0, 0, [], {}
    open_conns = clients
    while open_conns:
        for key, events in sel.select(timeout=1.0):
            c: Client = key.data
            sock = key.fileobj
            if events & selectors.EVENT_WRITE:
                try:
                    sent = sock.send(c.out)
                except BlockingIOError:
                    continue
                except OSError:
                    sent = -1
                if sent < 0:
                    failed, open_conns = failed + 1, _reopen(sel, c, stop, open_conns)
                    continue
                c.out = c.out[sent:]
                if not c.out:
                    sel.modify(sock, selectors.EVENT_READ, c)
                continue
            try:
                data = sock.recv(262144)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:  # closed before a whole answer: a failure
                failed, open_conns = failed + 1, _reopen(sel, c, stop, open_conns)
                continue
            c.buf += data
            if not c.answer_complete():
                continue
            now = time.perf_counter()
            done += 1
            latencies.append(now - c.began)
            statuses[c.status] = statuses.get(c.status, 0) + 1
            failed += c.status != 200
            if c.close_after:
                open_conns = _reopen(sel, c, stop, open_conns)
            elif now < stop:
                c.start()
                sel.modify(sock, selectors.EVENT_WRITE, c)
            else:
                sel.unregister(sock)
                sock.close()
                open_conns -= 1
    elapsed = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)

    return {
        "requests": done,
        "failed": failed,
        "statuses": statuses,
        "seconds": round(elapsed, 3),
        "cpu": round((cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime), 3),
        "p50_ms": pct(0.5) if latencies else None,
        "p99_ms": pct(0.99) if latencies else None,
    }


def _reopen(sel: selectors.BaseSelector, c: Client, stop: float, open_conns: int) -> int:
    """Close ``c``'s connection; open a new one while the window lasts. The open count."""
    assert c.sock is not None
    sel.unregister(c.sock)
    c.sock.close()
    if time.perf_counter() >= stop:
        return open_conns - 1
    sel.register(c.connect(), selectors.EVENT_WRITE, c)
    c.start()
    return open_conns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("path")
    parser.add_argument("body", type=Path)
    parser.add_argument("--token", required=True)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--content-type", default="application/json")
    parser.add_argument("--once", action="store_true", help="each client sends one request")
    args = parser.parse_args()
    body = args.body.read_bytes()
    request = request_bytes(args.host, args.path, body, args.token, args.content_type)
    result = drive((args.host, args.port), request, args.clients, args.seconds, args.once)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
