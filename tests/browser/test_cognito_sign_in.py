"""The AWS sign-in path in a real browser, offline: the pages in Cognito mode against a fake hosted UI.

Two small aiohttp apps on loopback stand in for AWS. The edge serves web/ as S3 + CloudFront do, with a
Cognito-mode `/config.json` and Terraform's CSP (the Cognito domain in `connect-src`). The fake hosted UI
implements what the pages call, as Cognito documents it: `/oauth2/authorize` (-> its `/login` form ->
302 to `redirect_uri?code&state`), `/oauth2/token` (the authorization code with PKCE S256, and the
refresh token) and `/logout`. It mints ID tokens shaped like Cognito's (`cognito:groups`,
`cognito:username`, `custom:customer_id`, `custom:dealer_id`) signed with the local key of the `aicc up`
under test, so after sign-in the chat really connects to the stack's WebSocket.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from aiohttp import ClientSession, web
from playwright.sync_api import Page, WebSocket, expect

from aicc.embedded.demo import demo_user
from aicc.embedded.gateway import CONTENT_TYPES, WEB_ROOT
from aicc.runtime.auth import KEY_ID, LOCAL_AUDIENCE, LOCAL_ISSUER
from tests.browser.harness import Pages, axe_violations
from tests.browser.stack import Stack, say
from tests.loopback import free_ports

CLIENT_ID = "aicc-web-client"
# How long the fake waits for the browser thread's loop to start or stop.
FAKE_START_S = 10


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class Grant:
    user_id: str
    client_id: str
    redirect_uri: str
    challenge: str


@dataclass
class FakeHostedUI:
    """Cognito's hosted UI and token endpoint, as far as the pages use them; records what it was sent."""

    stack: Stack
    port: int = 0  # both picked together in __post_init__: distinct
    edge_port: int = 0
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    logouts: list[dict[str, str]] = field(default_factory=list)
    id_tokens: list[str] = field(default_factory=list)
    # Knobs a test turns: the next code's ID token already expired; refresh tokens no longer honoured;
    # codes refused (one expires after five minutes on Cognito); refresh token rotation (each refresh
    # answers a new refresh token and the old one stops working).
    expire_next_id_token: bool = False
    refuse_refresh: bool = False
    refuse_codes: bool = False
    rotate_refresh_tokens: bool = False
    unavailable_refreshes: int = 0  # the next refresh requests answer 503 (Cognito or the network down)
    _codes: dict[str, Grant] = field(default_factory=dict)
    _refresh_tokens: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (self.port and self.edge_port):
            self.port, self.edge_port = free_ports(2)

    @property
    def domain(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def site(self) -> str:
        """The web app's origin (CloudFront's, on AWS)."""
        return f"http://127.0.0.1:{self.edge_port}"

    @property
    def redirect_uri(self) -> str:
        return f"{self.site}/signin.html"

    def reset(self) -> None:
        for record in (self.authorize_requests, self.token_requests, self.refusals, self.logouts, self.id_tokens):
            record.clear()
        self.expire_next_id_token = self.refuse_refresh = self.refuse_codes = False
        self.rotate_refresh_tokens = False
        self.unavailable_refreshes = 0

    # --- tokens -------------------------------------------------------------------------------

    def id_token(self, user_id: str, *, expired: bool = False) -> str:
        user = demo_user(user_id)
        assert user is not None, user_id
        now = int(time.time()) - (7200 if expired else 0)
        claims: dict[str, Any] = {
            # Cognito's sub is an opaque id; the user id the stack knows is in cognito:username.
            "sub": str(uuid.uuid4()),
            "cognito:username": user_id,
            "cognito:groups": [user["role"]],
            # The local issuer and audience: the stack under test verifies against its own key.
            "iss": LOCAL_ISSUER,
            "aud": LOCAL_AUDIENCE,
            "token_use": "id",
            "auth_time": now,
            "iat": now,
            "exp": now + 3600,
        }
        if user["role"] == "customer":
            claims["custom:customer_id"] = user_id
        if user["dealer_id"]:
            claims["custom:dealer_id"] = user["dealer_id"]
        key = (self.stack.state_dir / "jwt-private.pem").read_bytes()
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})
        self.id_tokens.append(token)
        return token

    # --- endpoints ----------------------------------------------------------------------------

    def _refuse(self, error: str, why: str, status: int = 400) -> web.Response:
        self.refusals.append(f"{error}: {why}")
        return web.json_response({"error": error}, status=status, headers=self._cors())

    @staticmethod
    def _cors() -> dict[str, str]:
        # Cognito's token endpoint answers browsers cross-origin.
        return {"Access-Control-Allow-Origin": "*"}

    async def authorize(self, request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        self.authorize_requests.append(query)
        if query.get("response_type") != "code" or query.get("client_id") != CLIENT_ID:
            return web.Response(status=400, text="unsupported_response_type or unknown client")
        if query.get("redirect_uri") != self.redirect_uri:
            return web.Response(status=400, text="redirect_mismatch")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return web.Response(status=400, text="PKCE S256 required")
        # No session yet: on to the sign-in form, as the hosted UI does.
        raise web.HTTPFound(f"/login?{urlencode(query)}")

    async def login_form(self, request: web.Request) -> web.Response:
        hidden = "".join(
            f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
            for name, value in request.query.items()
        )
        html = (
            "<!doctype html><html lang='en'><head><title>Fake hosted UI</title></head><body>"
            "<form method='post' action='/login'>"
            f"{hidden}<label>Username <input name='username'></label>"
            "<button type='submit'>Sign in</button></form></body></html>"
        )
        return web.Response(text=html, content_type="text/html")

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = {k: str(v) for k, v in (await request.post()).items()}
        username = form.get("username", "")
        if demo_user(username) is None:
            return web.Response(status=401, text="Incorrect username or password.")
        code = secrets.token_urlsafe(16)
        self._codes[code] = Grant(username, form["client_id"], form["redirect_uri"], form["code_challenge"])
        back = {"code": code, "state": form.get("state", "")}
        raise web.HTTPFound(f"{form['redirect_uri']}?{urlencode(back)}")

    async def token(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.token_requests.append(form)
        if form.get("client_id") != CLIENT_ID:
            return self._refuse("invalid_client", "client_id", 401)
        if form.get("grant_type") == "authorization_code":
            grant = self._codes.pop(form.get("code", ""), None)  # a code is good once
            if grant is None or grant.client_id != form["client_id"] or self.refuse_codes:
                return self._refuse("invalid_grant", "code")
            if form.get("redirect_uri") != grant.redirect_uri:
                return self._refuse("invalid_grant", "redirect_uri")
            if s256(form.get("code_verifier", "")) != grant.challenge:
                return self._refuse("invalid_grant", "code_verifier")
            refresh_token = secrets.token_urlsafe(32)
            self._refresh_tokens[refresh_token] = grant.user_id
            expired, self.expire_next_id_token = self.expire_next_id_token, False
            answer = {
                "id_token": self.id_token(grant.user_id, expired=expired),
                "access_token": secrets.token_urlsafe(16),
                "refresh_token": refresh_token,
                "expires_in": 3600,
                "token_type": "Bearer",
            }
            return web.json_response(answer, headers=self._cors())
        if form.get("grant_type") == "refresh_token":
            if self.unavailable_refreshes > 0:
                self.unavailable_refreshes -= 1
                return self._refuse("service_unavailable", "refresh_token", 503)
            user_id = self._refresh_tokens.get(form.get("refresh_token", ""))
            if user_id is None or self.refuse_refresh:
                return self._refuse("invalid_grant", "refresh_token")
            # Without rotation Cognito sends no new refresh token: the page keeps the one it has.
            answer = {
                "id_token": self.id_token(user_id),
                "access_token": secrets.token_urlsafe(16),
                "expires_in": 3600,
                "token_type": "Bearer",
            }
            if self.rotate_refresh_tokens:
                del self._refresh_tokens[form["refresh_token"]]
                answer["refresh_token"] = secrets.token_urlsafe(32)
                self._refresh_tokens[answer["refresh_token"]] = user_id
            return web.json_response(answer, headers=self._cors())
        return self._refuse("unsupported_grant_type", "grant_type")

    async def logout(self, request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        self.logouts.append(query)
        if query.get("client_id") != CLIENT_ID or query.get("logout_uri") != self.redirect_uri:
            return web.Response(status=400, text="logout_uri not allowed")
        raise web.HTTPFound(query["logout_uri"])

    # --- the edge: web/ as CloudFront serves it, with the deployment's config and CSP -----------

    def config(self) -> dict[str, Any]:
        auth = {
            "mode": "cognito",
            "domain": self.domain,
            "client_id": CLIENT_ID,
            "redirect_uri": self.redirect_uri,
            "logout_uri": self.redirect_uri,
        }
        # The HTTP API is under the site's own origin, as CloudFront routes it to API Gateway.
        return {
            "websocket_url": f"ws://127.0.0.1:{self.stack.port}/ws",
            "api_url": f"{self.site}/api",
            "auth": auth,
        }

    def csp(self) -> str:
        connect = " ".join(["'self'", self.config()["websocket_url"], self.domain])
        return (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src {connect}; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
        )

    async def edge_config(self, _request: web.Request) -> web.Response:
        return web.json_response(self.config(), headers={"Cache-Control": "no-store"})

    async def edge_api(self, request: web.Request) -> web.Response:
        """CloudFront's behaviour for the API: on to the stack's, Authorization and all."""
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "content-type")}
        async with (
            ClientSession() as session,
            session.request(
                request.method, f"{self.stack.url}{request.rel_url}", headers=headers, data=await request.read()
            ) as answer,
        ):
            body = await answer.read()
            return web.Response(body=body, status=answer.status, content_type=answer.content_type)

    async def edge_file(self, request: web.Request) -> web.Response:
        relative = request.match_info["path"] or "index.html"
        target = (WEB_ROOT / relative).resolve()
        if not target.is_relative_to(WEB_ROOT) or not target.is_file():
            raise web.HTTPNotFound()
        content_type = CONTENT_TYPES[target.suffix]
        headers = {"Content-Type": content_type, "Cache-Control": "no-store"}
        if target.suffix == ".html":
            headers["Content-Security-Policy"] = self.csp()
        return web.Response(body=target.read_bytes(), headers=headers)

    # --- lifecycle: its own event loop in a thread (Playwright's sync API owns the test's) ----

    def serve(self) -> Iterator[FakeHostedUI]:
        loop = asyncio.new_event_loop()
        app = web.Application()
        app.add_routes(
            [
                web.get("/oauth2/authorize", self.authorize),
                web.get("/login", self.login_form),
                web.post("/login", self.login),
                web.post("/oauth2/token", self.token),
                web.get("/logout", self.logout),
            ]
        )
        edge = web.Application()
        edge.add_routes(
            [
                web.get("/config.json", self.edge_config),
                web.route("*", "/api/{path:.*}", self.edge_api),
                web.get("/{path:.*}", self.edge_file),
            ]
        )
        runners = [web.AppRunner(app, access_log=None), web.AppRunner(edge, access_log=None)]
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()

        async def start() -> None:
            for runner, port in zip(runners, (self.port, self.edge_port), strict=True):
                await runner.setup()
                await web.TCPSite(runner, "127.0.0.1", port).start()

        async def stop() -> None:
            for runner in runners:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(start(), loop).result(FAKE_START_S)
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(stop(), loop).result(FAKE_START_S)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=FAKE_START_S)
            loop.close()


@pytest.fixture(scope="module")
def hosted_ui(stack: Stack) -> Iterator[FakeHostedUI]:
    yield from FakeHostedUI(stack).serve()


@pytest.fixture
def fake(hosted_ui: FakeHostedUI) -> FakeHostedUI:
    hosted_ui.reset()
    return hosted_ui


def cognito_page(pages: Pages, name: str = "page") -> tuple[Page, list[str]]:
    """A page, and the URLs of the sockets it opens."""
    page = pages.open(name)
    sockets: list[str] = []

    def opened(ws: WebSocket) -> None:
        sockets.append(ws.url)

    page.on("websocket", opened)
    return page, sockets


def hosted_sign_in(page: Page, username: str) -> None:
    """On the hosted UI's form: the username, then "Sign in"."""
    page.wait_for_url(re.compile(r"/login\?"))
    page.get_by_label("Username").fill(username)
    page.get_by_role("button", name="Sign in").click()


def socket_open(page: Page) -> None:
    """The page's connection line says so (the Message box is enabled even offline)."""
    expect(page.locator("#connection")).to_have_text("Connected")


def token_of(socket_url: str) -> str:
    return parse_qs(urlsplit(socket_url).query)["token"][0]


def test_a_customer_signs_in_on_the_hosted_ui_and_the_chat_connects(pages: Pages, fake: FakeHostedUI) -> None:
    page, sockets = cognito_page(pages)
    page.goto(f"{fake.site}/")
    # Not signed in: the chat sends the browser straight to the hosted UI.
    hosted_sign_in(page, "cust-0005")

    expect(page).to_have_url(f"{fake.site}/")
    socket_open(page)
    expect(page.locator("#who")).to_contain_text("cust-0005 (customer)")
    reply = say(page, "how do I pair my phone over Bluetooth?")
    expect(reply).not_to_be_empty()
    # The socket carries the ID token the token endpoint gave for this sign-in.
    assert sockets and token_of(sockets[-1]) == fake.id_tokens[-1]
    assert fake.refusals == []


def test_the_code_verifier_matches_the_s256_challenge(pages: Pages, fake: FakeHostedUI) -> None:
    page, _ = cognito_page(pages)
    page.goto(f"{fake.site}/signin.html")
    page.get_by_role("button", name="Sign in").click()
    hosted_sign_in(page, "cust-0006")
    expect(page).to_have_url(f"{fake.site}/")

    (authorize,) = fake.authorize_requests
    (exchange,) = fake.token_requests
    assert authorize["code_challenge_method"] == "S256"
    # RFC 7636: 43 to 128 characters of the unreserved set, and the challenge is its SHA-256.
    assert re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", exchange["code_verifier"])
    assert s256(exchange["code_verifier"]) == authorize["code_challenge"]
    assert exchange["redirect_uri"] == authorize["redirect_uri"] == fake.redirect_uri
    assert authorize["state"] and "state" not in exchange


def test_staff_land_on_the_console_signed_in_with_their_dealership(pages: Pages, fake: FakeHostedUI) -> None:
    page, _ = cognito_page(pages)
    page.goto(f"{fake.site}/console.html")
    hosted_sign_in(page, "staff-dlr-harbor")
    expect(page).to_have_url(f"{fake.site}/console.html")
    expect(page.locator("#who")).to_contain_text("staff-dlr-harbor (dealer, dlr-harbor)")
    socket_open(page)
    expect(page.get_by_role("region", name="Queue")).to_be_visible()


def test_oem_staff_read_the_dashboard_with_their_cognito_token(pages: Pages, fake: FakeHostedUI) -> None:
    page, _ = cognito_page(pages)
    page.goto(f"{fake.site}/dashboard.html")
    with page.expect_response(lambda response: "/api/stats?days=1" in response.url) as answered:
        hosted_sign_in(page, "oem-0001")
    expect(page).to_have_url(f"{fake.site}/dashboard.html")
    # The stats API took the ID token (role from cognito:groups) and the page shows its figures.
    assert answered.value.status == 200
    expect(page.locator('[data-figure="turns"]')).to_have_text(re.compile(r"^\d[\d,]*$"))


def test_a_code_whose_state_the_page_did_not_start_is_refused(pages: Pages, fake: FakeHostedUI) -> None:
    page, sockets = cognito_page(pages)
    page.goto(f"{fake.site}/signin.html")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/login\?"))
    # Someone else's sign-in link: a code and a state this tab never asked for.
    page.goto(f"{fake.site}/signin.html?code=stolen-code&state=forged-state")

    expect(page.get_by_role("status")).to_contain_text("did not start here")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert fake.token_requests == []  # the code was never exchanged
    assert axe_violations(page) == []
    assert page.evaluate("() => sessionStorage.getItem('aicc.token')") is None
    page.goto(f"{fake.site}/")
    page.wait_for_url(re.compile(r"/login\?"))  # still not signed in
    assert sockets == []


def test_a_code_the_token_endpoint_refuses_leaves_the_user_signed_out_with_the_reason(
    pages: Pages, fake: FakeHostedUI
) -> None:
    page, sockets = cognito_page(pages)
    fake.refuse_codes = True
    page.goto(f"{fake.site}/signin.html")
    page.get_by_role("button", name="Sign in").click()
    hosted_sign_in(page, "cust-0001")

    expect(page.get_by_role("status")).to_contain_text("Sign-in failed")
    expect(page.get_by_role("status")).to_contain_text("invalid_grant")
    assert fake.refusals == ["invalid_grant: code"]
    assert page.evaluate("() => sessionStorage.getItem('aicc.token')") is None
    # The used code is gone from the address bar, and a second try works.
    expect(page).to_have_url(f"{fake.site}/signin.html")
    fake.refuse_codes = False
    page.get_by_role("button", name="Sign in").click()
    hosted_sign_in(page, "cust-0001")
    expect(page).to_have_url(f"{fake.site}/")
    socket_open(page)
    assert token_of(sockets[-1]) == fake.id_tokens[-1]


@pytest.mark.parametrize("rotation", [False, True], ids=["refresh-token-kept", "refresh-token-rotated"])
def test_an_expired_id_token_is_refreshed_without_a_new_sign_in(
    pages: Pages, fake: FakeHostedUI, rotation: bool
) -> None:
    page, sockets = cognito_page(pages)
    fake.expire_next_id_token = True
    fake.rotate_refresh_tokens = rotation
    page.goto(f"{fake.site}/")
    hosted_sign_in(page, "cust-0004")

    expect(page).to_have_url(f"{fake.site}/")
    socket_open(page)
    grants = [r["grant_type"] for r in fake.token_requests]
    assert grants == ["authorization_code", "refresh_token"]
    assert len(fake.authorize_requests) == 1  # no second trip to the hosted UI
    expired, refreshed = fake.id_tokens
    assert token_of(sockets[-1]) == refreshed != expired

    # Hours later the ID token has expired again: the page has the refresh token that still works
    # (the same one, or the one rotation sent), so a reload refreshes once more, without the hosted UI.
    stale = fake.id_token("cust-0004", expired=True)
    page.evaluate("token => sessionStorage.setItem('aicc.token', token)", stale)
    page.reload()
    socket_open(page)
    assert [r["grant_type"] for r in fake.token_requests][2:] == ["refresh_token"]
    assert len(fake.authorize_requests) == 1
    assert token_of(sockets[-1]) == fake.id_tokens[-1] not in (expired, refreshed, stale)


def test_a_refresh_that_cannot_reach_cognito_is_tried_again_without_a_new_sign_in(
    pages: Pages, fake: FakeHostedUI
) -> None:
    page, sockets = cognito_page(pages)
    fake.expire_next_id_token = True
    fake.unavailable_refreshes = 2  # Cognito (or the network) is down for a moment
    page.goto(f"{fake.site}/")
    hosted_sign_in(page, "cust-0005")

    # Still signed in: the page keeps its refresh token and tries again as it reconnects.
    socket_open(page)
    expect(page).to_have_url(f"{fake.site}/")
    assert len(fake.authorize_requests) == 1
    assert [r["grant_type"] for r in fake.token_requests] == ["authorization_code", *["refresh_token"] * 3]
    assert token_of(sockets[-1]) == fake.id_tokens[-1]


def test_a_refused_refresh_sends_the_user_to_sign_in_again(pages: Pages, fake: FakeHostedUI) -> None:
    page, sockets = cognito_page(pages)
    fake.expire_next_id_token = True
    fake.refuse_refresh = True  # the refresh token was revoked, or has expired
    page.goto(f"{fake.site}/")
    hosted_sign_in(page, "cust-0003")

    # The expired ID token cannot be renewed: back on the hosted UI's form, not on a broken chat.
    page.wait_for_url(re.compile(r"/login\?"))
    expect(page.get_by_label("Username")).to_be_visible()
    assert "invalid_grant: refresh_token" in fake.refusals
    assert sockets == []
    assert len(fake.authorize_requests) == 2

    fake.refuse_refresh = False
    hosted_sign_in(page, "cust-0003")
    expect(page).to_have_url(f"{fake.site}/")
    socket_open(page)
    assert token_of(sockets[-1]) == fake.id_tokens[-1]


def test_sign_out_goes_through_the_hosted_ui_logout(pages: Pages, fake: FakeHostedUI) -> None:
    page, _ = cognito_page(pages)
    page.goto(f"{fake.site}/")
    hosted_sign_in(page, "cust-0002")
    socket_open(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{fake.site}/signin.html")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert fake.logouts == [{"client_id": CLIENT_ID, "logout_uri": fake.redirect_uri}]
    assert page.evaluate("() => sessionStorage.length") == 0
