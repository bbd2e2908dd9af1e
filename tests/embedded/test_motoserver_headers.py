"""The stand-in's direct header parsing reads every header block as the email parser does."""

from __future__ import annotations

import email.parser
import http.client
import io
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aicc.embedded.moto.patches.httpserver import direct_header_parser

_TOKEN = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=":"), min_size=1)
_ODD_NAME = st.sampled_from(["", " Host", "X Amz", "Bad\tName", "From "])
_VALUE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\r\n"))
_LINE = st.one_of(
    st.tuples(_TOKEN, _VALUE).map(lambda nv: f"{nv[0]}:{nv[1]}"),
    st.tuples(_TOKEN, _VALUE).map(lambda nv: f"{nv[0]}: \t{nv[1]}  "),
    st.tuples(_ODD_NAME, _VALUE).map(lambda nv: f"{nv[0]}:{nv[1]}"),
    _VALUE.map(lambda v: f" {v}"),  # a folded continuation line
    _VALUE.filter(lambda v: v and ":" not in v),  # no name at all (an empty line would end the block)
)


direct = direct_header_parser()


def _by_email_parser(block: bytes) -> http.client.HTTPMessage:
    return email.parser.Parser(_class=http.client.HTTPMessage).parsestr(block.decode("iso-8859-1"))


@given(lines=st.lists(_LINE, max_size=12), ending=st.sampled_from(["\r\n", "\n"]), body=st.binary(max_size=20))
def test_every_header_block_reads_as_the_email_parser_reads_it(lines: list[str], ending: str, body: bytes) -> None:
    block = "".join(line + ending for line in lines).encode("iso-8859-1") + ending.encode()
    stream = io.BytesIO(block + body)
    parsed = direct(stream)
    expected = _by_email_parser(block)
    assert parsed.items() == expected.items()
    assert parsed.get_payload() == expected.get_payload()
    assert stream.read() == body  # the body is left for the application


def test_a_botocore_request_header_block_takes_the_direct_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_email_parser(*_: Any, **__: Any) -> Any:
        raise AssertionError("the email parser was used")

    block = (
        b"Host: 127.0.0.1:5001\r\nX-Amz-Target: DynamoDB_20120810.GetItem\r\n"
        b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n"
    )
    monkeypatch.setattr(email.parser, "Parser", no_email_parser)
    parsed = direct(io.BytesIO(block + b"{}"))
    assert parsed["X-Amz-Target"] == "DynamoDB_20120810.GetItem"
    assert parsed.get("content-length") == "2"
