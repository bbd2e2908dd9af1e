"""A settable clock, so in-memory adapters can show TTL expiry and lease timeouts without sleeping."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Clock:
    """Wall-clock seconds; `advance` moves it forward (tests), otherwise it follows `time.time()`."""

    offset: float = field(default=0.0)

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds
