"""Fixtures shared by every test: fake AWS credentials and a private state directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aicc.runtime import clients

TIERS = ("unit", "integration", "embedded", "infra", "browser")
# A test's tier is its folder's, unless it carries a tier marker itself (a contract suite's
# backend parameter does: memory is unit, moto is integration).
FOLDER_TIERS = {
    "unit": "unit",
    "integration": "integration",
    "choreography": "integration",
    "embedded": "embedded",
    "terraform": "infra",
    "browser": "browser",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    for item in items:
        if any(item.get_closest_marker(tier) for tier in TIERS):
            continue
        folder = item.path.relative_to(root).parts[0]
        tier = FOLDER_TIERS.get(folder)
        if tier is None:
            raise pytest.UsageError(f"{item.nodeid}: no tier; put it under a tier folder or mark it")
        item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AICC_DEADLINE_QUEUE_URL", "AICC_CALLBACK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AICC_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("AICC_TABLE_PREFIX", "aicc-")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")
    from aicc.runtime.auth import key_source

    key_source.cache_clear()
    clients.reset()
    yield
    clients.reset()
    key_source.cache_clear()
