"""A guard that turns every outgoing socket connection attempt into a recorded failure, and a
recorder that lets them through (where a run may connect, but only to its server)."""

from __future__ import annotations

import socket
from contextlib import contextmanager


@contextmanager
def no_network():
    """Within the block, connect/connect_ex/create_connection raise and are recorded."""
    attempts: list[object] = []
    originals = (socket.socket.connect, socket.socket.connect_ex, socket.create_connection)

    def refuse(address):
        attempts.append(address)
        raise OSError(f"network access attempted during an offline test: {address!r}")

    socket.socket.connect = lambda self, address: refuse(address)
    socket.socket.connect_ex = lambda self, address: refuse(address)
    socket.create_connection = lambda address, *a, **k: refuse(address)
    try:
        yield attempts
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.create_connection = originals


@contextmanager
def recorded_network():
    """Within the block, every outgoing connection attempt (of any thread) is recorded and
    then made: a test asserts where a run connected, e.g. only to its configured server."""
    attempts: list[object] = []
    connect, connect_ex, create = (socket.socket.connect, socket.socket.connect_ex,
                                   socket.create_connection)

    def record(address):
        attempts.append(address if isinstance(address, str) else tuple(address[:2]))

    socket.socket.connect = lambda self, address: (record(address), connect(self, address))[1]
    socket.socket.connect_ex = lambda self, address: (record(address),
                                                      connect_ex(self, address))[1]
    socket.create_connection = lambda address, *a, **k: (record(address),
                                                         create(address, *a, **k))[1]
    try:
        yield attempts
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.create_connection = (
            connect, connect_ex, create)
