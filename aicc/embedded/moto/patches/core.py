"""moto's request routing: pure helpers it recomputes on every request, memoised (speed-ups)."""

from __future__ import annotations

import functools
import sys
from typing import Any

from aicc.embedded.moto.registry import Kind, Originals, Patch, Replacements, Target

_LIST_MODULES = Target("moto.backends", "list_of_moto_modules")


def _modules_once(originals: Originals) -> Replacements:
    modules = tuple(originals[_LIST_MODULES]())

    def list_of_moto_modules() -> Any:
        return modules

    return {_LIST_MODULES: list_of_moto_modules}


LIST_MODULES_ONCE = Patch(
    name="core-list-modules-once",
    kind=Kind.SPEEDUP,
    targets=(_LIST_MODULES,),
    build=_modules_once,
    why=(
        "moto lists its package directory (a stat per service) to route each request by its Host header; the "
        "installed services do not change while the server runs."
    ),
)

_CAMELCASE = Target("moto.core.utils", "camelcase_to_underscores")


def _cached_camelcase(originals: Originals) -> Replacements:
    from moto.moto_server import werkzeug_app  # noqa: F401  (imports the modules that bind the helper)

    original = originals[_CAMELCASE]
    cached = functools.lru_cache(maxsize=8192)(original)
    # `from moto.core.utils import camelcase_to_underscores` binds the name at import: rebind it in
    # the modules loaded so far; service modules load lazily, later, and pick up the cached one
    # (undo leaves those holding the cache, which answers as the original does).
    bindings = [
        Target(name, _CAMELCASE.attribute)
        for name, module in list(sys.modules.items())
        if name.startswith("moto") and getattr(module, _CAMELCASE.attribute, None) is original
    ]
    return {_CAMELCASE: cached, **dict.fromkeys(bindings, cached)}


CACHE_CAMELCASE = Patch(
    name="core-cache-camelcase",
    kind=Kind.SPEEDUP,
    targets=(_CAMELCASE,),
    build=_cached_camelcase,
    why="moto converts the same few attribute names from camelCase dozens of times per request; a pure function.",
)

_METHOD_NAMES = Target("moto.core.responses", "method_names_from_class")


def _cached_method_names(originals: Originals) -> Replacements:
    return {_METHOD_NAMES: functools.lru_cache(maxsize=512)(originals[_METHOD_NAMES])}


CACHE_METHOD_NAMES = Patch(
    name="core-cache-method-names",
    kind=Kind.SPEEDUP,
    targets=(_METHOD_NAMES,),
    build=_cached_method_names,
    why="moto lists a response class's methods with inspect.getmembers on every request; they never change.",
)

PATCHES = (LIST_MODULES_ONCE, CACHE_CAMELCASE, CACHE_METHOD_NAMES)
