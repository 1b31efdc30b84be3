"""A server under test: a child process on a free loopback port, with its log in its folder.

Every benchmark starts its servers through this module (``App``: the app itself, as
``python wsgi.py``; the relays through ``Server`` with their own command), and the end to
end tests' server (tests/e2e/conftest.py) is ``Wsgi`` with the tests' settings. Standard
library and ``requests`` only: bench/relay_flask.py patches the standard library before
importing anything, so nothing here may import the app.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

import requests

ROOT = Path(__file__).resolve().parents[1]
WSGI = ROOT / "wsgi.py"
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
#: How long a server may take to answer its first request after it was started.
READY_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port on loopback that nothing is listening on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """A child process that answers ``GET /`` on its port once it is up; ``command()`` says
    what to run, ``environment()`` with what settings (read once, as ``env``)."""

    name = "server"

    def __init__(self, folder: Path, port: int | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"{self.name}.log"
        self.env = self.environment()
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return {**os.environ, "PYTHONUNBUFFERED": "1"}

    def start(self, wait: bool = True, timeout: float = READY_TIMEOUT) -> Self:
        """Start the process; with ``wait``, return once it answers HTTP."""
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(), cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Until ``GET /`` answers 200; an error (with the log's end) if it exits or never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.output()[-4000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer in {timeout} s:\n{self.output()[-4000:]}")

    def output(self) -> str:
        """Everything the process wrote so far."""
        return self.log_path.read_text(errors="replace")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far (/proc/<pid>/stat)."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICK

    def memory_kib(self) -> dict[str, int]:
        """VmRSS and VmHWM (peak RSS) in KiB, from /proc/<pid>/status."""
        found = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
        return found

    def __enter__(self) -> Self:
        """``with App(...) as app``: started, and stopped however the block ends."""
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class Wsgi(Server):
    """``python wsgi.py`` in its own folder (its instance folder and, unless ``settings``
    name another, its SQLite database), on its own port, in one async mode."""

    def __init__(
        self, folder: Path, mode: str = "gevent", port: int | None = None, **settings: str
    ) -> None:
        self.mode = mode
        self.settings = settings
        self.name = f"app-{mode}"
        super().__init__(folder, port)

    def environment(self) -> dict[str, str]:
        return {
            **super().environment(),
            "BOARD_ASYNC_MODE": self.mode,
            "BOARD_PORT": str(self.port),
            "BOARD_INSTANCE_PATH": str(self.folder / "instance"),
            "BOARD_DEMO": "0",
            **self.settings,
        }

    def command(self) -> list[str]:
        return [sys.executable, str(WSGI)]

    def admin_token(self) -> str:
        """A new instance administrator's token (``flask board admin-token``)."""
        made = subprocess.run(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                str(WSGI),
                "board",
                "admin-token",
                "Benchmark",
            ],
            cwd=self.folder,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return made.stdout.strip().splitlines()[-1]


class App(Wsgi):
    """The app as the benchmarks measure it: on loopback, limits off, on its own SQLite
    database whatever the shell says (no database, message queue or access log from it)."""

    def environment(self) -> dict[str, str]:
        env = super().environment()
        for name in ("BOARD_DATABASE_URL", "BOARD_MESSAGE_QUEUE", "BOARD_ACCESS_LOG"):
            if name not in self.settings:
                env.pop(name, None)
        env["BOARD_HOST"] = self.settings.get("BOARD_HOST", "127.0.0.1")
        # One author writes faster than a person, and hundreds of phones share one
        # address: the benchmarks measure delivery, not the limits.
        env["BOARD_RATE_LIMITS"] = self.settings.get("BOARD_RATE_LIMITS", "0")
        return env
