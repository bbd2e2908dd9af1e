"""EventBridge event-pattern matching, for deciding which rules an event of a turn triggers.

The bus does the real routing. The aggregator needs the same answer without the bus: "will the
cockpit agent answer this turn?" is "does the cockpit rule's pattern match the IntentDetected we
hold?". Supported: exact values (incl. null), prefix, suffix, anything-but, numeric, exists,
equals-ignore-case and wildcard; nested objects; arrays in the event match if any element does.
"""

from __future__ import annotations

import fnmatch
import operator
from collections.abc import Mapping
from typing import Any

_MISSING = object()
_NUMERIC_OPS = {"<": operator.lt, "<=": operator.le, "=": operator.eq, ">": operator.gt, ">=": operator.ge}


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    for key, expected in pattern.items():
        value = event.get(key, _MISSING) if isinstance(event, Mapping) else _MISSING
        if isinstance(expected, Mapping):
            if not isinstance(value, Mapping) or not matches(expected, value):
                return False
        elif not _field_matches(expected, value):
            return False
    return True


def _field_matches(alternatives: list[Any], value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    for alternative in alternatives:
        if isinstance(alternative, Mapping):
            if "exists" in alternative:
                if (value is not _MISSING) == bool(alternative["exists"]):
                    return True
                continue
            if any(v is not _MISSING and _operator_matches(alternative, v) for v in values):
                return True
        elif any(v is not _MISSING and v == alternative and type(v) is type(alternative) for v in values) or (
            alternative is None and value is None
        ):
            return True
    return False


def _operator_matches(rule: Mapping[str, Any], value: Any) -> bool:
    (name, arg), *_ = rule.items()
    if name == "prefix":
        if isinstance(arg, Mapping):
            return isinstance(value, str) and value.lower().startswith(str(arg["equals-ignore-case"]).lower())
        return isinstance(value, str) and value.startswith(arg)
    if name == "suffix":
        if isinstance(arg, Mapping):
            return isinstance(value, str) and value.lower().endswith(str(arg["equals-ignore-case"]).lower())
        return isinstance(value, str) and value.endswith(arg)
    if name == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == str(arg).lower()
    if name == "wildcard":
        return isinstance(value, str) and fnmatch.fnmatchcase(value, arg)
    if name == "anything-but":
        if isinstance(arg, Mapping):
            return not _operator_matches(arg, value)
        excluded = arg if isinstance(arg, list) else [arg]
        return value not in excluded
    if name == "numeric":
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        pairs = list(zip(arg[::2], arg[1::2], strict=True))
        return all(_NUMERIC_OPS[op](value, bound) for op, bound in pairs)
    raise ValueError(f"unsupported pattern operator {name!r}")
