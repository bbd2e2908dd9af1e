"""Supervision of the stack's moto children: a dead child is noticed, reaped, and restarted or reported.

- The DynamoDB child is restarted on its port; its journal brings its data back
  (aicc.embedded.moto.journal), and the handlers' clients retry onto it. More than
  `MAX_RESTARTS` deaths within `RESTART_WINDOW_S` means it cannot stay up: the stack gives up.
- The EventBridge/SQS child holds the queues and the event-source mappings' end of the stack's
  channel; it is not restarted in place. Its death (or a DynamoDB child that keeps dying, or one
  that is not persistent, since a restart would bring it back empty) sets `failure` and `given_up`:
  `aicc up` says why, stops, and exits 1. A new `aicc up` provisions the queues again and keeps
  DynamoDB's data.

Each check reaps the child (`Popen.poll`), so no child is left defunct.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aicc.embedded.moto.process import MotoServerProcess
    from aicc.embedded.stack import EmbeddedStack

log = logging.getLogger(__name__)

CHECK_EVERY_S = 0.5
MAX_RESTARTS = 3
RESTART_WINDOW_S = 60.0


def exit_description(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


class Supervisor:
    def __init__(self, stack: EmbeddedStack) -> None:
        self.stack = stack
        self.given_up = asyncio.Event()
        self.failure: str | None = None
        self.restarts = 0
        self._recent: deque[float] = deque()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self.given_up = asyncio.Event()  # bound to the running loop
            self._task = asyncio.create_task(self._watch(), name="moto-supervisor")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _watch(self) -> None:
        while self.failure is None:
            await asyncio.sleep(CHECK_EVERY_S)
            await self.check()

    async def check(self) -> None:
        """Look at each child once: restart a dead DynamoDB child, give up on anything else."""
        stack = self.stack
        code = stack.moto.exit_code()
        if code is not None:
            return self._give_up(
                f"the moto EventBridge/SQS process (pid {stack.moto.pid}) {exit_description(code)}; "
                "its queues cannot be rebuilt while the stack runs. Stopping; run `aicc up` again "
                "(DynamoDB's data is kept in the state dir)."
            )
        if stack.dynamodb is not None:
            code = stack.dynamodb.exit_code()
            if code is not None:
                await self._restart_dynamodb(stack.dynamodb, code)

    async def _restart_dynamodb(self, child: MotoServerProcess, code: int) -> None:
        what = f"the moto DynamoDB process (pid {child.pid}) {exit_description(code)}"
        if child.journal is None:
            return self._give_up(f"{what}; its data was in memory only. Stopping.")
        now = time.monotonic()
        self._recent.append(now)
        while self._recent and now - self._recent[0] > RESTART_WINDOW_S:
            self._recent.popleft()
        if len(self._recent) > MAX_RESTARTS:
            return self._give_up(f"{what}, {len(self._recent)} times within {RESTART_WINDOW_S:.0f} s. Stopping.")
        _say(f"{what}: restarting it on port {child.port} with its data from {child.journal}")
        started = time.perf_counter()
        try:
            await asyncio.to_thread(child.restart)
        except Exception as error:
            return self._give_up(f"{what}, and it did not start again ({error}). Stopping.")
        self.restarts += 1
        _say(f"moto DynamoDB restarted (pid {child.pid}) in {(time.perf_counter() - started) * 1000:.0f} ms")

    def _give_up(self, failure: str) -> None:
        if self.failure is None:
            self.failure = failure
            _say(failure, error=True)
        self.given_up.set()


def _say(message: str, *, error: bool = False) -> None:
    """To the log and to the console of `aicc up`, which may run without logging configured."""
    (log.error if error else log.warning)(message)
    if not logging.getLogger().handlers:
        print(f"aicc up: {message}", file=sys.stderr, flush=True)
