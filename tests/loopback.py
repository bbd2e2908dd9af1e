"""Loopback ports for the stacks tests start as separate processes."""

from __future__ import annotations

import socket


def free_ports(count: int) -> list[int]:
    """`count` distinct free loopback ports: all held at once while they are picked (one picked and
    released at a time, the same port can come back twice: a stack's moto child then took its
    gateway's port)."""
    held = [socket.socket() for _ in range(count)]
    try:
        for s in held:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in held]
    finally:
        for s in held:
            s.close()
