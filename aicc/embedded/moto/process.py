"""Supervision of the moto server child: start it, wait until it answers, reset it, stop it."""

from __future__ import annotations

import logging
import os
import select
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO

from aicc.embedded.moto.server import ESM_MARK, HOST, PATCHES_MARK, READY_PREFIX

log = logging.getLogger(__name__)


class MotoServerProcess:
    """Start `python -m aicc.embedded.moto.server` as a child, wait until it answers, stop it.

    `speedups=None` leaves the choice to the child's environment (AICC_MOTO_SPEEDUPS)."""

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = HOST,
        verbose: bool = False,
        speedups: bool | None = None,
        journal: Path | None = None,
    ) -> None:
        self.host = host
        # Where the child keeps DynamoDB's data across restarts (None: in memory only).
        self.journal = journal
        self.port = port
        self.verbose = verbose
        self.speedups = speedups
        self._process: subprocess.Popen[str] | None = None
        self.mappings_address: tuple[str, int] | None = None
        # The registry's names of the patches the child applied (from its ready line).
        self.patches: list[str] = []

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self, timeout_s: float = 30.0) -> str:
        command = [sys.executable, "-m", "aicc.embedded.moto.server", "--host", self.host, "--port", str(self.port)]
        command.append("--exit-on-stdin-eof")
        if self.verbose:
            command.append("--verbose")
        if self.speedups is False:
            command.append("--no-speedups")
        if self.journal is not None:
            command += ["--journal", str(self.journal)]
        env = dict(os.environ)
        if self.speedups:
            env.pop("AICC_MOTO_SPEEDUPS", None)
        # The child must find this package even when the parent runs from another directory.
        env["PYTHONPATH"] = os.pathsep.join(p for p in [_project_root(), env.get("PYTHONPATH", "")] if p)
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, start_new_session=True
        )
        assert self._process.stdout is not None
        line = _read_line(self._process.stdout, timeout_s)
        if not line.startswith(READY_PREFIX):
            self.stop()
            raise RuntimeError(f"moto server did not start (said {line!r})")
        address, _, rest = line.removeprefix(READY_PREFIX).partition(" " + ESM_MARK)
        mappings, _, patches = rest.partition(" " + PATCHES_MARK)
        self.port = int(address.rsplit(":", 1)[1])
        mappings_host, _, mappings_port = mappings.rpartition(":")
        self.mappings_address = (mappings_host, int(mappings_port))
        self.patches = [name for name in patches.split(",") if name]
        threading.Thread(target=_drain, args=(self._process.stdout,), daemon=True).start()
        self._wait_until_answering(timeout_s)
        return self.url

    def _wait_until_answering(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                # The dashboard's page is static: data.json would serialise every table, seconds for
                # a restored DynamoDB.
                with urllib.request.urlopen(self.url + "/moto-api/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise
            # Start-up only: the socket is bound before the ready line, so this rarely loops.
            time.sleep(0.02)

    def exit_code(self) -> int | None:
        """The child's exit code once it has ended (and is reaped), None while it runs or before start."""
        return self._process.poll() if self._process else None

    def restart(self, timeout_s: float = 60.0) -> str:
        """Start again on the same port (the journal, if any, brings the data back)."""
        self.stop()
        return self.start(timeout_s)

    def reset(self) -> None:
        """Drop every resource (tests isolate cases with this)."""
        request = urllib.request.Request(self.url + "/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def stop(self, timeout_s: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout_s)
        if process.stdin:
            process.stdin.close()

    def __enter__(self) -> MotoServerProcess:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _project_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _read_line(stream: IO[str], timeout_s: float) -> str:
    readable, _, _ = select.select([stream], [], [], timeout_s)
    if not readable:
        raise TimeoutError(f"moto server gave no sign of life in {timeout_s} s")
    return stream.readline().strip()


def _drain(stream: IO[str]) -> None:
    for line in stream:
        log.info("moto: %s", line.rstrip())
