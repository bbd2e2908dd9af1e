"""One registry for every change the stand-in makes to moto (and to the few globals around it).

A `Patch` declares what it replaces (`targets`), the moto versions it was verified against, and its
kind: a `CORRECTNESS` fix makes moto behave as AWS does where the stack depends on it; a `SPEEDUP`
changes no answer, only what an answer costs. The registry applies a patch by asking it for its
replacements (given the originals), stores every original it overwrites and can put them back
(`undo`), so tests apply a patch for a test and leave moto as they found it. "Applied" is known in
one place: `PatchRegistry.is_applied`.

Invariants:
- a patch is applied at most once per process; applying an applied patch does nothing;
- `undo` restores each attribute exactly as it was on its owner (a class's own descriptor, e.g. a
  staticmethod, or its absence when the attribute was inherited);
- no patch is applied on a moto version it was not verified against (`UnverifiedMoto`), nor adds an
  attribute moto already has.
"""

from __future__ import annotations

import contextlib
import enum
import importlib
import importlib.metadata
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# The moto versions every patch was verified on; pyproject.toml pins moto to one of them.
VERIFIED_MOTO_VERSIONS = ("5.2.5",)

_MISSING = object()


class Kind(enum.Enum):
    CORRECTNESS = "correctness"
    SPEEDUP = "speedup"


class UnverifiedMoto(RuntimeError):
    """The installed moto is not one the stand-in's patches were verified on."""


def installed_moto_version() -> str | None:
    """moto's version from its distribution metadata (without importing moto)."""
    try:
        return importlib.metadata.version("moto")
    except importlib.metadata.PackageNotFoundError:
        return None


def moto_version_problem(installed: str | None = None, verified: Iterable[str] = VERIFIED_MOTO_VERSIONS) -> str | None:
    """Why the embedded stack must not start on this moto, or None when it may."""
    installed = installed if installed is not None else installed_moto_version()
    verified = tuple(verified)
    if installed in verified:
        return None
    found = f"moto {installed} is installed" if installed else "moto is not installed"
    return (
        f"{found}, but the embedded stack's moto patches were verified on moto {', '.join(verified)} only "
        "(they replace moto internals that change between releases). "
        "Install the locked versions with ./scripts/venv.sh."
    )


@dataclass(frozen=True)
class Target:
    """An attribute of a module or a class: `Target("moto.events.models", "EventPattern.matches_event")`."""

    module: str
    attribute: str

    def owner(self) -> Any:
        owner: Any = importlib.import_module(self.module)
        for part in self.attribute.split(".")[:-1]:
            owner = getattr(owner, part)
        return owner

    @property
    def name(self) -> str:
        return self.attribute.rsplit(".", 1)[-1]

    def get(self) -> Any:
        return getattr(self.owner(), self.name)

    def __str__(self) -> str:
        return f"{self.module}.{self.attribute}"


Originals = Mapping[Target, Any]
# Given the originals of its declared targets (as `getattr` returns them), the values to set. A
# patch may replace more than it declares only where moto re-binds a declared target by name
# (`from x import f`); those are set, stored and restored like the declared ones.
Replacements = Mapping[Target, Any]


@dataclass(frozen=True)
class Patch:
    name: str
    kind: Kind
    targets: tuple[Target, ...]
    build: Callable[[Originals], Replacements]
    why: str
    verified_on: tuple[str, ...] = VERIFIED_MOTO_VERSIONS
    # Attributes moto lacks (an API it does not implement) that `build` adds; `undo` removes them.
    adds: tuple[Target, ...] = ()


@dataclass
class _Applied:
    patch: Patch
    # (owner, attribute name, what the owner held: its own __dict__ entry, or _MISSING)
    saved: list[tuple[Any, str, Any]]


class PatchRegistry:
    def __init__(self, patches: Iterable[Patch]) -> None:
        self._patches: dict[str, Patch] = {}
        for patch in patches:
            if patch.name in self._patches:
                raise ValueError(f"two patches named {patch.name!r}")
            self._patches[patch.name] = patch
        self._applied: dict[str, _Applied] = {}
        self._lock = threading.RLock()

    def __iter__(self) -> Iterator[Patch]:
        return iter(self._patches.values())

    def __getitem__(self, name: str) -> Patch:
        return self._patches[name]

    def names(self, kinds: Iterable[Kind] = tuple(Kind)) -> list[str]:
        wanted = set(kinds)
        return [patch.name for patch in self if patch.kind in wanted]

    def is_applied(self, name: str) -> bool:
        return name in self._applied

    def applied_names(self) -> list[str]:
        return list(self._applied)

    def apply(self, name: str) -> None:
        with self._lock:
            if name in self._applied:
                return
            patch = self._patches[name]
            version = installed_moto_version()
            if version not in patch.verified_on:
                raise UnverifiedMoto(f"patch {name!r}: " + (moto_version_problem(version, patch.verified_on) or ""))
            present = [target for target in patch.adds if hasattr(target.owner(), target.name)]
            if present:
                raise UnverifiedMoto(f"patch {name!r}: moto already has {', '.join(map(str, present))}")
            originals = {target: target.get() for target in patch.targets}
            saved: list[tuple[Any, str, Any]] = []
            try:
                for target, value in patch.build(originals).items():
                    owner = target.owner()
                    saved.append((owner, target.name, _own_attribute(owner, target.name)))
                    setattr(owner, target.name, value)
            except BaseException:
                _restore(saved)
                raise
            self._applied[name] = _Applied(patch, saved)

    def apply_all(self, kinds: Iterable[Kind] = tuple(Kind)) -> list[str]:
        names = self.names(kinds)
        for name in names:
            self.apply(name)
        return names

    def undo(self, name: str) -> None:
        with self._lock:
            applied = self._applied.pop(name, None)
            if applied is not None:
                _restore(applied.saved)

    def undo_all(self) -> None:
        for name in reversed(list(self._applied)):
            self.undo(name)

    @contextlib.contextmanager
    def applied(self, *names: str) -> Iterator[None]:
        """Apply `names` for the block, then undo those this block applied (tests isolate with this)."""
        fresh = [name for name in names if not self.is_applied(name)]
        try:
            for name in fresh:
                self.apply(name)
            yield
        finally:
            for name in reversed(fresh):
                self.undo(name)


def _own_attribute(owner: Any, attribute: str) -> Any:
    if isinstance(owner, type):
        return owner.__dict__.get(attribute, _MISSING)
    return getattr(owner, attribute, _MISSING)


def _restore(saved: list[tuple[Any, str, Any]]) -> None:
    for owner, attribute, original in reversed(saved):
        if original is _MISSING:
            delattr(owner, attribute)
        else:
            setattr(owner, attribute, original)
