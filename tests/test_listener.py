"""The server's listening socket: what each phone's connection inherits from it."""

from __future__ import annotations

import subprocess
import sys

from tests.e2e.conftest import ROOT

#: Run apart: importing wsgi patches the standard library for gevent.
ACCEPTED_NODELAY = """
import socket, wsgi
listener = wsgi.bind_listener("127.0.0.1", 0)
client = socket.create_connection(listener.getsockname()[:2])
accepted, _ = listener.accept()
print(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
"""


def test_accepted_connections_send_without_the_nagle_delay() -> None:
    """A response written in two parts would otherwise wait 40 ms for the client's delayed
    ACK on every page and snapshot (docs/PERFORMANCE.md)."""
    done = subprocess.run(
        [sys.executable, "-c", ACCEPTED_NODELAY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) != 0
