"""The browser tier: the harness's fixtures and hook (tests/browser/harness.py) and an `aicc up` per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.harness import browser, page, pages, pytest_runtest_makereport, static_site
from tests.browser.stack import Stack, running_stack

__all__ = ["browser", "page", "pages", "pytest_runtest_makereport", "stack", "static_site"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory.mktemp("aicc-up"))
