"""A guard that turns every outgoing socket connection attempt into a recorded failure."""

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
