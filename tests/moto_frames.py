"""Frames pushed over `@connections` to one connection on in-process moto (it keeps them concatenated)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote


def moto_frames(
    connection_id: str, *, account: str = "123456789012", region: str = "us-east-1"
) -> list[dict[str, Any]]:
    from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

    backend = apigatewaymanagementapi_backends[account][region]
    key = quote(connection_id, safe="")  # moto keys connections by the URL-encoded id
    data = backend.connections[key].data.decode() if key in backend.connections else ""
    decoder, frames, index = json.JSONDecoder(), [], 0
    while index < len(data):
        frame, index = decoder.raw_decode(data, index)
        frames.append(frame)
    return frames
