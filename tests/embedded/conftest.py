"""One moto server process for the module's poller tests, reset between cases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from aicc.embedded.moto.patches import PATCHES
from aicc.embedded.moto.process import MotoServerProcess


@pytest.fixture
def moto_patch() -> Iterator[Callable[..., None]]:
    """`moto_patch(name, ...)` applies registry patches in this process; the registry undoes them after the test."""
    applied: list[str] = []

    def apply(*names: str) -> None:
        for name in names:
            if not PATCHES.is_applied(name):
                PATCHES.apply(name)
                applied.append(name)

    yield apply
    for name in reversed(applied):
        PATCHES.undo(name)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServerProcess]:
    with MotoServerProcess(0) as server:
        yield server


@pytest.fixture
def moto(moto_server: MotoServerProcess) -> MotoServerProcess:
    moto_server.reset()
    return moto_server


@pytest.fixture
def aws(moto: MotoServerProcess) -> dict[str, Any]:
    """Synchronous clients on the moto server, as a handler or a test would use them."""
    kwargs: dict[str, Any] = {
        "endpoint_url": moto.url,
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return {name: boto3.client(name, **kwargs) for name in ("events", "sqs", "dynamodb")}
