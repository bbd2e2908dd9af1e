"""JWT verification for the WebSocket `$connect` authorizer: one interface, two key sources.

- local (embedded default): an RSA key made on first start in the state directory; `aicc token`
  signs with it and the authorizer verifies against its public JWKS file.
- cognito (AWS): the user pool's JWKS, fetched once per container and cached by PyJWT.

Both produce the same `Identity`. Cognito carries the role in `cognito:groups` and the dealership
in `custom:dealer_id`; local tokens use the same claim names so nothing downstream can tell.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

ROLES = ("customer", "dealer", "oem_staff")
LOCAL_ISSUER = "aicc-local"
LOCAL_AUDIENCE = "aicc-chat"
KEY_ID = "aicc-local-1"


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class Identity:
    user_id: str
    role: str
    dealer_id: str | None = None


class KeySource(Protocol):
    issuer: str
    audience: str | None

    def signing_key(self, token: str) -> Any: ...


def state_dir() -> Path:
    return Path(os.environ.get("AICC_STATE_DIR", ".aicc"))


class LocalKeySource:
    issuer = LOCAL_ISSUER
    audience: str | None = LOCAL_AUDIENCE

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def signing_key(self, token: str) -> Any:
        from jwt import PyJWK

        jwks = json.loads((self.directory / "jwks.json").read_text())
        return PyJWK(jwks["keys"][0]).key


class CognitoKeySource:
    def __init__(self, region: str, user_pool_id: str, client_id: str | None) -> None:
        from jwt import PyJWKClient

        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        self.audience = client_id
        self._jwks = PyJWKClient(f"{self.issuer}/.well-known/jwks.json", cache_keys=True)

    def signing_key(self, token: str) -> Any:
        return self._jwks.get_signing_key_from_jwt(token).key


@cache
def key_source() -> KeySource:
    if os.environ.get("AICC_AUTH_MODE", "local") == "cognito":
        # The pool may live in another region than the function (a DR stack trusting the primary pool).
        region = os.environ.get("AICC_COGNITO_REGION") or os.environ.get("AWS_REGION", "us-east-1")
        return CognitoKeySource(
            region, os.environ["AICC_COGNITO_USER_POOL_ID"], os.environ.get("AICC_COGNITO_CLIENT_ID")
        )
    return LocalKeySource(state_dir())


def verify(token: str | None, source: KeySource | None = None) -> Identity:
    return identity_from_claims(verify_claims(token, source))


def verify_claims(token: str | None, source: KeySource | None = None) -> dict[str, Any]:
    """The token's claims once its signature, issuer, audience and expiry are checked."""
    import jwt

    if not token:
        raise InvalidToken("missing token")
    source = source or key_source()
    try:
        key = source.signing_key(token)
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            issuer=source.issuer,
            # Cognito ID tokens carry the app client in `aud`; access tokens carry `client_id`.
            audience=source.audience if source.audience else None,
            options={"require": ["exp", "iss", "sub"], "verify_aud": source.audience is not None},
        )
    except (jwt.PyJWTError, OSError, KeyError, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc
    return dict(claims)


def identity_from_claims(claims: dict[str, Any]) -> Identity:
    groups = claims.get("cognito:groups") or []
    roles = [g for g in groups if g in ROLES]
    # The most privileged group wins when a user is in several.
    role = max(roles, key=ROLES.index) if roles else "customer"
    dealer_id = claims.get("custom:dealer_id")
    if role == "dealer" and not dealer_id:
        raise InvalidToken("dealer token without custom:dealer_id")
    user_id = claims.get("custom:customer_id") or claims.get("cognito:username") or claims["sub"]
    return Identity(user_id=str(user_id), role=role, dealer_id=dealer_id)


# --- the local issuer --------------------------------------------------------------------------


def ensure_local_keys(directory: Path | None = None) -> Path:
    """Create the local signing key on first start; later starts reuse it."""
    directory = directory or state_dir()
    private = directory / "jwt-private.pem"
    if private.exists() and (directory / "jwks.json").exists():
        return directory
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    tmp = private.with_suffix(".tmp")
    tmp.write_bytes(pem)
    tmp.chmod(0o600)
    tmp.replace(private)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": KEY_ID, "use": "sig", "alg": "RS256"})
    (directory / "jwks.json").write_text(json.dumps({"keys": [jwk]}, indent=2))
    return directory


def issue_token(
    user_id: str,
    role: str = "customer",
    *,
    dealer_id: str | None = None,
    ttl_s: int = 8 * 3600,
    directory: Path | None = None,
    now: float | None = None,
) -> str:
    import jwt

    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    directory = ensure_local_keys(directory)
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "sub": user_id,
        "iss": LOCAL_ISSUER,
        "aud": LOCAL_AUDIENCE,
        "iat": issued,
        "exp": issued + ttl_s,
        "jti": str(uuid.uuid4()),
        "token_use": "id",
        "cognito:groups": [role],
    }
    if dealer_id:
        claims["custom:dealer_id"] = dealer_id
    key = (directory / "jwt-private.pem").read_bytes()
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})
