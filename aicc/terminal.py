"""Text from the network, made safe to print on a terminal.

Clients print what other people wrote. Contracts refuse control characters in new frames
(contracts/text.py), but a frame may come from a stack of an older version or from stored data, so
the terminal client escapes, whatever it displays: C0 controls but newline and tab, DEL and C1
(ESC, CSI and OSC sequences retitle, clear or repaint a terminal) and the bidirectional embedding,
override and isolate characters (they make displayed text read in another order than it was sent).
Each is shown as its escape, e.g. `\\x1b`, `\\u202e`, so a staff member sees that it was sent.
"""

from __future__ import annotations

import re
from typing import Any

UNSAFE_ON_A_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    return UNSAFE_ON_A_TERMINAL.sub(_escape, text)


def printable_frame(value: Any) -> Any:
    """The frame with every string in it (keys included) `printable`."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_frame(k): printable_frame(v) for k, v in value.items()}
    if isinstance(value, list):
        return [printable_frame(item) for item in value]
    return value
