"""The local issuer and the verifier the `$connect` authorizer uses."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from aicc.runtime.auth import (
    InvalidToken,
    LocalKeySource,
    ensure_local_keys,
    identity_from_claims,
    issue_token,
    verify,
)
from handlers.ws_authorizer import handler as authorize


def test_a_local_token_round_trips(tmp_path: Path) -> None:
    token = issue_token("cust-0001", directory=tmp_path)
    identity = verify(token, LocalKeySource(tmp_path))
    assert (identity.user_id, identity.role, identity.dealer_id) == ("cust-0001", "customer", None)


def test_the_key_is_made_once(tmp_path: Path) -> None:
    ensure_local_keys(tmp_path)
    first = (tmp_path / "jwks.json").read_text()
    ensure_local_keys(tmp_path)
    assert (tmp_path / "jwks.json").read_text() == first


def test_dealer_tokens_carry_their_dealership(tmp_path: Path) -> None:
    token = issue_token("staff-1", "dealer", dealer_id="dlr-north", directory=tmp_path)
    assert verify(token, LocalKeySource(tmp_path)).dealer_id == "dlr-north"


@pytest.mark.parametrize("case", ["expired", "other_key", "tampered", "missing", "garbage"])
def test_bad_tokens_are_refused(tmp_path: Path, case: str) -> None:
    source = LocalKeySource(ensure_local_keys(tmp_path / "ours"))
    token: str | None
    if case == "expired":
        token = issue_token("cust-0001", ttl_s=60, directory=tmp_path / "ours", now=time.time() - 3600)
    elif case == "other_key":
        token = issue_token("cust-0001", directory=tmp_path / "theirs")
    elif case == "tampered":
        header, _payload, signature = issue_token("cust-0001", directory=tmp_path / "ours").split(".")
        claims = jwt.decode(
            issue_token("oem-1", "oem_staff", directory=tmp_path / "theirs"), options={"verify_signature": False}
        )
        forged = jwt.encode(claims, "k" * 32, algorithm="HS256").split(".")[1]
        token = f"{header}.{forged}.{signature}"
    elif case == "missing":
        token = None
    else:
        token = "not-a-jwt"
    with pytest.raises(InvalidToken):
        verify(token, source)


def test_cognito_groups_map_to_roles() -> None:
    claims: dict[str, Any] = {"sub": "u1", "cognito:groups": ["customer", "oem_staff"]}
    assert identity_from_claims(claims).role == "oem_staff"
    with pytest.raises(InvalidToken):
        identity_from_claims({"sub": "u2", "cognito:groups": ["dealer"]})


def test_the_authorizer_allows_or_answers_unauthorized() -> None:
    method = "arn:aws:execute-api:us-east-1:123456789012:api/prod/$connect"
    token = issue_token("cust-0003")  # AICC_STATE_DIR points at this test's directory
    policy = authorize({"methodArn": method, "queryStringParameters": {"token": token}}, None)
    assert policy["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert policy["context"] == {"user_id": "cust-0003", "role": "customer", "dealer_id": ""}
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize({"methodArn": method, "queryStringParameters": {"token": token + "x"}}, None)
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize({"methodArn": method, "queryStringParameters": None}, None)
