"""The local sandbox: moto's server on 127.0.0.1, with dummy credentials held in memory.

A sandbox lives as long as the process that started it: `deploy --target sandbox` starts
one for the command and everything in it is forgotten when the command ends.
`python main.py sandbox` keeps one running in the foreground until Ctrl-C.
"""

from __future__ import annotations

import logging
import socket
from contextlib import contextmanager

import boto3

# moto accepts any keys; these never leave this process and are never written anywhere.
_DUMMY = {"aws_access_key_id": "stratus-sandbox", "aws_secret_access_key": "stratus-sandbox"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(port: int | None = None):
    """Start moto's threaded server; returns (server, url). Stop it with server.stop()."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on the console
    port = port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


@contextmanager
def running(port: int | None = None):
    """A sandbox for the duration of a `with` block; yields its URL."""
    server, url = start(port)
    try:
        yield url
    finally:
        server.stop()


def session(region: str = "us-east-1") -> boto3.Session:
    """A session for a sandbox or any AWS-compatible endpoint that takes dummy keys."""
    return boto3.Session(region_name=region, **_DUMMY)
