"""Free text people send each other: what a client frame's text may hold (docs/protocol.md, "Text").

A customer's text ends up on a staff member's terminal and a staff member's on the customer's, so a
frame's free text may not carry control characters: C0 (U+0000-U+001F) except newline and tab,
DEL (U+007F) and C1 (U+0080-U+009F). ESC, CSI and OSC sequences, which retitle or clear a
terminal, all need one of them. "\\r\\n" is a newline typed on another system and is read as "\\n".
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

# In the frames' JSON Schemas too, so other clients can check before sending (ECMA-262 and Rust
# regex both read it the same way).
TEXT_PATTERN = r"^[^\x00-\x08\x0B-\x1F\x7F-\x9F]*$"


def normalise_newlines(value: object) -> object:
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


# A frame field of free text; the field adds its own length limits.
PlainText = Annotated[str, Field(pattern=TEXT_PATTERN), BeforeValidator(normalise_newlines)]
