"""The moto patch registry (aicc.embedded.moto.registry) and `aicc up`'s moto version check.

Patches here target a throwaway module and class, so no moto is imported."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

from aicc import cli
from aicc.embedded.moto import registry
from aicc.embedded.moto.registry import Kind, Patch, PatchRegistry, Target, UnverifiedMoto, moto_version_problem

VERIFIED = registry.VERIFIED_MOTO_VERSIONS


def test_a_verified_moto_passes() -> None:
    assert moto_version_problem(VERIFIED[-1]) is None


@pytest.mark.parametrize("installed", ["5.1.9", "5.2.3", "6.0.0"])
def test_another_moto_is_refused_naming_the_verified_versions_and_the_fix(installed: str) -> None:
    problem = moto_version_problem(installed)
    assert problem is not None
    assert f"moto {installed} is installed" in problem
    assert all(version in problem for version in VERIFIED)
    assert "./scripts/venv.sh" in problem


def test_no_moto_at_all_is_refused() -> None:
    problem = moto_version_problem("", ())
    assert problem is not None and "./scripts/venv.sh" in problem


def test_aicc_up_refuses_an_unverified_moto_before_starting_anything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(registry, "installed_moto_version", lambda: "5.2.3")
    started: list[Any] = []
    monkeypatch.setattr("aicc.embedded.stack.run_stack", lambda **kwargs: started.append(kwargs))
    assert cli.main(["up"]) == 2
    assert started == []
    err = capsys.readouterr().err
    assert "moto 5.2.3 is installed" in err and VERIFIED[-1] in err


# --- the registry ---------------------------------------------------------------------------------


class Widget:
    @staticmethod
    def shape(x: int) -> int:
        return x

    def size(self) -> int:
        return 1


class Gadget(Widget):
    pass


@pytest.fixture
def target_module() -> Iterator[types.ModuleType]:
    module = types.ModuleType("aicc_test_patch_target")
    module.answer = lambda: 1  # type: ignore[attr-defined]
    module.Widget = Widget  # type: ignore[attr-defined]
    module.Gadget = Gadget  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


ANSWER = Target("aicc_test_patch_target", "answer")
SHAPE = Target("aicc_test_patch_target", "Widget.shape")
INHERITED = Target("aicc_test_patch_target", "Gadget.size")


def _registry(verified: tuple[str, ...] = VERIFIED) -> PatchRegistry:
    return PatchRegistry(
        [
            Patch(
                "answer-two",
                Kind.CORRECTNESS,
                (ANSWER,),
                lambda originals: {ANSWER: lambda: originals[ANSWER]() + 1},
                why="test",
                verified_on=verified,
            ),
            Patch(
                "faster-widgets",
                Kind.SPEEDUP,
                (SHAPE, INHERITED),
                lambda originals: {SHAPE: staticmethod(lambda x: x * 2), INHERITED: lambda self: 2},
                why="test",
                verified_on=verified,
            ),
        ]
    )


def test_apply_undo_restores_exactly_what_was_there(
    target_module: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "installed_moto_version", lambda: VERIFIED[-1])
    patches = _registry()
    original_shape = Widget.__dict__["shape"]
    assert patches.apply_all() == ["answer-two", "faster-widgets"]
    assert target_module.answer() == 2 and Widget.shape(3) == 6 and Gadget().size() == 2
    assert patches.is_applied("answer-two") and patches.applied_names() == ["answer-two", "faster-widgets"]
    patches.apply("answer-two")  # applying twice does nothing
    assert target_module.answer() == 2
    patches.undo_all()
    assert target_module.answer() == 1 and Widget.shape(3) == 3 and Gadget().size() == 1
    assert Widget.__dict__["shape"] is original_shape  # the staticmethod itself, not its function
    assert "size" not in Gadget.__dict__  # inherited before, inherited again
    assert patches.applied_names() == []


def test_correctness_only(target_module: types.ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "installed_moto_version", lambda: VERIFIED[-1])
    patches = _registry()
    with patches.applied(*patches.names([Kind.CORRECTNESS])):
        assert patches.applied_names() == ["answer-two"]
        assert Widget.shape(3) == 3
    assert target_module.answer() == 1


def test_a_patch_is_not_applied_on_a_moto_it_was_not_verified_on(
    target_module: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "installed_moto_version", lambda: "9.9.9")
    patches = _registry()
    with pytest.raises(UnverifiedMoto, match="answer-two"):
        patches.apply("answer-two")
    assert target_module.answer() == 1 and not patches.is_applied("answer-two")


def test_every_real_patch_declares_its_targets_and_versions() -> None:
    from aicc.embedded.moto.patches import PATCHES

    names = [patch.name for patch in PATCHES]
    assert len(names) == len(set(names))
    for patch in PATCHES:
        assert patch.targets and patch.verified_on and patch.why
    correctness = set(PATCHES.names([Kind.CORRECTNESS]))
    assert correctness == {
        "dynamodb-atomic-writes",
        "events-replay-window-and-filters",
        "sqs-message-move-tasks",
        "sqs-wake-when-due",
    }


def test_a_patch_adds_what_moto_lacks_and_refuses_when_moto_has_it(
    target_module: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "installed_moto_version", lambda: VERIFIED[-1])
    added = Target("aicc_test_patch_target", "Widget.colour")
    patches = PatchRegistry(
        [Patch("colours", Kind.CORRECTNESS, (SHAPE,), lambda o: {added: lambda self: "red"}, why="t", adds=(added,))]
    )
    with patches.applied("colours"):
        assert Widget().colour() == "red"  # type: ignore[attr-defined]
    assert not hasattr(Widget, "colour")
    monkeypatch.setattr(Widget, "colour", lambda self: "blue", raising=False)
    with pytest.raises(UnverifiedMoto, match="already has"):
        patches.apply("colours")
    assert Widget().colour() == "blue"  # type: ignore[attr-defined]
