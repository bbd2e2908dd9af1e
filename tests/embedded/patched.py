"""One check for every speed-up: what a run answers with the patch is what it answers with moto's own code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aicc.embedded.moto.patches import PATCHES


def answers_as_moto(owner: Any, attribute: str, patch: str, run: Callable[[], Any]) -> Any:
    """`run()` with moto's `owner.attribute`, then with the registry's `patch` in its place; both must be
    equal, and moto is as it was afterwards. Returns moto's answer."""
    original = getattr(owner, attribute)
    expected = run()
    with PATCHES.applied(patch):
        assert getattr(owner, attribute) is not original
        assert run() == expected
    assert getattr(owner, attribute) is original
    return expected
