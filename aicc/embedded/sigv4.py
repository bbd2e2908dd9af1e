"""SigV4 on the gateway's management endpoints (`@connections`, `/_aicc/*`), as IAM guards them on AWS.

Each start of the stack makes fresh credentials and writes them to `<state dir>/credentials`
(mode 0600, the AWS shared-credentials format, profile `aicc-local`). The stack's handlers get them
in their environment, so boto3 signs `@connections` calls as it does on Lambda; tools read the file
(`load_credentials`) and sign with botocore. The gateway recomputes each signature with botocore's
own SigV4 signer and refuses, with 403, a request that is unsigned, signed with other credentials,
for another region or service, more than five minutes off the clock (AWS's window), or whose body
is not the one signed. A cross-site page cannot sign, and cannot even send an `Authorization`
header without a CORS preflight, which the gateway never grants.

How botocore signs (botocore/auth.py, `SigV4Auth.add_auth`): the timestamp goes in `X-Amz-Date`, the
canonical request covers the method, the path, the query, the signed headers (every header present
but a few hop-by-hop ones, `host` included) and the SHA-256 of the body (always over plain http),
and `Authorization` carries `Credential=<key>/<date>/<region>/<service>/aws4_request`,
`SignedHeaders=` and `Signature=`. Verifying is the same computation on the received request,
restricted to the headers it says it signed, with its own timestamp.
"""

from __future__ import annotations

import configparser
import hashlib
import hmac
import os
import re
import secrets
import string
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SERVICE = "execute-api"  # IAM's service for @connections on AWS
PROFILE = "aicc-local"
CREDENTIALS_FILE = "credentials"
MAX_CLOCK_SKEW_S = 300  # SigV4 requests are valid for 5 minutes on AWS
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request,"
    r"\s*SignedHeaders=(?P<headers>[a-z0-9;-]+),\s*Signature=(?P<signature>[0-9a-f]{64})$"
)


def fresh_credentials() -> Credentials:
    alphabet = string.ascii_uppercase + "234567"
    access_key = "AKIAAICC" + "".join(secrets.choice(alphabet) for _ in range(12))
    return Credentials(access_key, secrets.token_urlsafe(30))


def issue_credentials(state_dir: Path) -> Credentials:
    """New credentials for this start, written owner-only; the previous start's stop working."""
    credentials = fresh_credentials()
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / CREDENTIALS_FILE
    text = (
        f"[{PROFILE}]\naws_access_key_id = {credentials.access_key}\naws_secret_access_key = {credentials.secret_key}\n"
    )
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        os.fchmod(file.fileno(), 0o600)  # the file may have been there, with other bits
        file.write(text)
    os.replace(partial, path)
    return credentials


def load_credentials(state_dir: Path) -> Credentials:
    """The running stack's credentials, from its state dir (what `aicc up --state-dir` was given)."""
    parser = configparser.ConfigParser()
    path = state_dir / CREDENTIALS_FILE
    if not parser.read(path) or not parser.has_section(PROFILE):
        raise FileNotFoundError(f"no stack credentials in {path}: is the stack running with this state dir?")
    section = parser[PROFILE]
    return Credentials(section["aws_access_key_id"], section["aws_secret_access_key"])


def sign(credentials: Credentials, method: str, url: str, region: str, body: bytes = b"") -> dict[str, str]:
    """The headers that sign this request (for a client that is not boto3, e.g. aiohttp)."""
    request = AWSRequest(method=method, url=url, data=body)
    SigV4Auth(credentials, SERVICE, region).add_auth(request)
    return dict(request.headers.items())


def verify(
    credentials: Credentials,
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    region: str,
    now: datetime | None = None,
) -> str | None:
    """None when the request is signed with `credentials` for `region`, else why not."""
    headers = {name.lower(): value for name, value in headers.items()}
    headers.setdefault("host", urlsplit(url).netloc)
    found = _AUTHORIZATION.match(headers.get("authorization", ""))
    if found is None:
        return "Missing Authentication Token"
    scope_ok = (
        hmac.compare_digest(found["key"], credentials.access_key)
        and found["region"] == region
        and found["service"] == SERVICE
    )
    if not scope_ok:
        return "The security token included in the request is invalid"
    amz_date = headers.get("x-amz-date", "")
    try:
        signed_at = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        return "X-Amz-Date is missing or malformed"
    if abs(((now or datetime.now(UTC)) - signed_at).total_seconds()) > MAX_CLOCK_SKEW_S:
        return "Signature expired"
    signed_names = found["headers"].split(";")
    if "host" not in signed_names or "x-amz-date" not in signed_names or found["date"] != amz_date[:8]:
        return "The request signature we calculated does not match the signature you provided"
    declared = headers.get("x-amz-content-sha256")
    if declared is not None and not hmac.compare_digest(declared, hashlib.sha256(body).hexdigest()):
        return "The request body is not the one signed"
    # Only what the client signed, as it signed it: the rest (e.g. Content-Length) is the transport's.
    signed = {name: headers.get(name, "") for name in signed_names}
    request = AWSRequest(method=method, url=url, data=body, headers=signed)
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(credentials, SERVICE, region)
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    if not hmac.compare_digest(expected, found["signature"]):
        return "The request signature we calculated does not match the signature you provided"
    return None
