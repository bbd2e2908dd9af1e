"""SigV4 for the local management endpoints: fresh owner-only credentials, botocore's signatures
accepted, anything else refused."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aicc.embedded.sigv4 import issue_credentials, load_credentials, sign, verify

URL = "http://127.0.0.1:8080/@connections/abc="


def _check(headers: dict[str, str], credentials: object, *, body: bytes = b"x", **kwargs: object) -> str | None:
    options = {"method": "POST", "url": URL, "headers": headers, "body": body, "region": "us-east-1", **kwargs}
    return verify(credentials, **options)  # type: ignore[arg-type]


def test_each_start_writes_new_owner_only_credentials(tmp_path: Path) -> None:
    first = issue_credentials(tmp_path)
    path = tmp_path / "credentials"
    path.chmod(0o644)  # as if someone loosened it: the next start puts it back
    second = issue_credentials(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.access_key != second.access_key and first.secret_key != second.secret_key
    loaded = load_credentials(tmp_path)
    assert (loaded.access_key, loaded.secret_key) == (second.access_key, second.secret_key)
    assert "[aicc-local]" in path.read_text()  # AWS shared-credentials format: usable with --profile


def test_a_botocore_signature_is_accepted_and_anything_else_refused(tmp_path: Path) -> None:
    credentials = issue_credentials(tmp_path)
    headers = sign(credentials, "POST", URL, region="us-east-1", body=b"x")
    assert _check(headers, credentials) is None
    assert _check({}, credentials) == "Missing Authentication Token"
    assert _check(headers, issue_credentials(tmp_path)) is not None  # the previous start's
    assert _check(headers, credentials, body=b"y") is not None
    assert _check(headers, credentials, method="DELETE") is not None
    assert _check(headers, credentials, url=URL.replace("abc=", "xyz=")) is not None
    assert _check(headers, credentials, region="eu-west-1") is not None
    tampered = dict(headers, Authorization=headers["Authorization"][:-4] + "0000")
    assert _check(tampered, credentials) is not None


def test_a_signature_is_good_for_five_minutes_either_way(tmp_path: Path) -> None:
    credentials = issue_credentials(tmp_path)
    headers = sign(credentials, "POST", URL, region="us-east-1", body=b"x")
    signed_at = datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert _check(headers, credentials, now=signed_at + timedelta(minutes=4, seconds=59)) is None
    assert _check(headers, credentials, now=signed_at - timedelta(minutes=4, seconds=59)) is None
    assert _check(headers, credentials, now=signed_at + timedelta(minutes=5, seconds=1)) == "Signature expired"
    assert _check(headers, credentials, now=signed_at - timedelta(minutes=5, seconds=1)) == "Signature expired"
