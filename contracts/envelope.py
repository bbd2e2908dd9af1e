"""The EventBridge envelope as it reaches a queue (full event, via the rule's input transformer).

A slim model of our own rather than powertools' `EventBridgeModel`: importing powertools' parser
package costs ~170 ms, more than a handler's whole cold-start budget; the fields are the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class BusEnvelope(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)

    version: str = "0"
    id: str
    source: str
    detail_type: str = Field(alias="detail-type")
    account: str | None = None
    time: datetime
    region: str | None = None
    resources: list[str] = []
    detail: dict[str, Any]
    replay_name: str | None = Field(default=None, alias="replay-name")
