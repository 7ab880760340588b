"""The listening address of ``xlperf serve --workers N``, handed to each worker process as a
socket of its own.

uvicorn gives every worker the one socket its supervisor bound, and asyncio accepts every
connection waiting on it at each wake-up: 32 clients connecting at once all land on the first
worker awake, and with keep-alive they stay there while the other worker idles. Here the
supervisor's socket is only bound (it never listens, so no connection waits on it); unpickled in a
worker (a restarted one too) it becomes a new socket bound to the same address with
``SO_REUSEPORT``, and Linux spreads new connections over the workers' sockets.

A module of its own, importing nothing heavy: a worker unpickles it before it answers uvicorn's
health check, and must do so well within the check's few seconds on a busy machine.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any

STARTUP_FAILURE = 3  # uvicorn's exit status for a server that could not start
log = logging.getLogger("uvicorn.error")


class WorkerSocket(socket.socket):
    """A socket bound to the address with ``SO_REUSEPORT``, pickled as "bind another"."""

    @classmethod
    def bound_to(cls, host: str, port: int) -> WorkerSocket:
        sock = cls(socket.AF_INET6 if ":" in host else socket.AF_INET)
        try:
            _reuse_and_bind(sock, (host, port))
        except OSError as exc:
            log.error("%s", exc)
            sys.exit(STARTUP_FAILURE)
        return sock

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return _worker_socket, (self.family, self.getsockname()[:2])


def _reuse_and_bind(sock: socket.socket, address: tuple[str, int]) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)


def _worker_socket(family: int, address: tuple[str, int]) -> socket.socket:
    sock = socket.socket(family)
    _reuse_and_bind(sock, address)
    return sock
