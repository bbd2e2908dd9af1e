"""The HTTP server under moto (http.server, werkzeug): header parsing and kept-alive connections (speed-ups)."""

from __future__ import annotations

import re
import selectors
import types
from typing import Any

from aicc.embedded.moto.registry import Kind, Originals, Patch, Replacements, Target

# A header field name as RFC 9110 allows it (visible ASCII but ':'), which is what the email parser
# takes as a plain "Name: value" line.
_HEADER_NAME = re.compile(rb"[\x21-\x39\x3b-\x7e]+")
_PARSE_HEADERS = Target("http.client", "parse_headers")


def direct_header_parser() -> Any:
    """A drop-in for `http.client.parse_headers`: plain `Name: value` lines split directly."""
    import email.parser
    import http.client

    read_headers = http.client._read_headers  # type: ignore[attr-defined]

    def parse_headers(fp: Any, _class: Any = http.client.HTTPMessage) -> Any:
        lines = read_headers(fp)
        message = _class()
        for line in lines:
            if line in (b"\r\n", b"\n", b""):
                break
            name, colon, value = line.partition(b":")
            if not colon or not _HEADER_NAME.fullmatch(name):
                return email.parser.Parser(_class=_class).parsestr(b"".join(lines).decode("iso-8859-1"))
            message.set_raw(name.decode("iso-8859-1"), value.decode("iso-8859-1").lstrip(" \t").rstrip("\r\n"))
        message.set_payload("")
        return message

    return parse_headers


def _direct_headers(originals: Originals) -> Replacements:
    return {_PARSE_HEADERS: direct_header_parser()}


PARSE_HEADERS_DIRECTLY = Patch(
    name="http-parse-headers-directly",
    kind=Kind.SPEEDUP,
    targets=(_PARSE_HEADERS,),
    build=_direct_headers,
    why=(
        "http.server hands each request's header block to email.parser (feedparser, policies, regexes per "
        "line). For plain `Name: value` lines, all botocore and aiohttp send, that parser keeps the name as is "
        "and the value with its leading blanks and line ending stripped; anything else (a folded line, a line "
        "with no name) still goes to the email parser. tests/embedded/test_motoserver_headers.py compares the two."
    ),
)


class _NothingLeftToDrain:
    """Stands in for the selector werkzeug uses to drain a request's unread body after answering.

    That drain assumes the connection closes next: on a kept-alive connection it would swallow the
    following request. The kept-alive handler (aicc.embedded.moto.server) reads every body up
    front, so there is never anything to drain (and the drain's select per request goes too)."""

    def __init__(self) -> None:
        pass

    def register(self, *_: Any) -> None:
        pass

    def select(self, timeout: float | None = None) -> list[Any]:
        return []

    def close(self) -> None:
        pass


_WERKZEUG_SELECTORS = Target("werkzeug.serving", "selectors")


def _no_drain(originals: Originals) -> Replacements:
    return {
        _WERKZEUG_SELECTORS: types.SimpleNamespace(DefaultSelector=_NothingLeftToDrain, EVENT_READ=selectors.EVENT_READ)
    }


KEEP_ALIVE = Patch(
    name="http-keep-alive",
    kind=Kind.SPEEDUP,
    targets=(_WERKZEUG_SELECTORS,),
    build=_no_drain,
    why=(
        "werkzeug's dev server answers every request with `Connection: close` (http.server cannot skip a body "
        "the app left unread), so each AWS call paid a TCP connect and close plus a new server thread. With "
        "this patch applied the server's request handler reads every body up front and keeps the connection; "
        "werkzeug's post-response drain, which would swallow the next request, finds nothing to drain."
    ),
)

PATCHES = (PARSE_HEADERS_DIRECTLY, KEEP_ALIVE)
