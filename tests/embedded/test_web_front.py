"""The gateway serves the web app as S3 + CloudFront would (files, content types, cache headers, the
CSP on every page), its runtime config, the demo sign-in and the stats API behind a JWT."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from moto import mock_aws

from aicc import cli
from aicc.embedded.gateway import WebSocketGateway
from aicc.embedded.invoke import InvocationStats, LambdaHandler, import_handler
from aicc.ports.analytics import TurnRecord
from aicc.runtime.auth import LocalKeySource, issue_token, verify
from aicc.runtime.tables import TABLES, create_table_kwargs
from contracts.http import HTTP_ROUTES

from .fakes import GATEWAY_ROUTES, Recorder, gateway_handlers, resolver_for

pytestmark = pytest.mark.embedded

PAGE = "<!doctype html><title>chat</title><script type=module src=/assets/app.js></script>"


@pytest.fixture
def web_root(tmp_path: Path) -> Path:
    root = tmp_path / "web"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(PAGE)
    (root / "console.html").write_text("<!doctype html><title>console</title>")
    (root / "assets" / "app.js").write_text("export const ready = true;\n" * 200)
    (root / "assets" / "app.css").write_text("body { color: #111; }\n")
    (root / ".env").write_text("SECRET=1")
    (tmp_path / "outside.txt").write_text("not the app's")
    return root


@asynccontextmanager
async def running_gateway(web_root: Path, auth_dir: Path) -> AsyncIterator[WebSocketGateway]:
    fakes = gateway_handlers(Recorder())

    def resolve(dotted_path: str) -> LambdaHandler:
        return import_handler(dotted_path) if dotted_path in HTTP_ROUTES.values() else resolver_for(fakes)(dotted_path)

    with ThreadPoolExecutor(max_workers=4) as executor:
        gateway = WebSocketGateway(
            executor=executor,
            stats=InvocationStats(),
            resolver=resolve,
            port=0,
            routes=GATEWAY_ROUTES,
            authorizer="fake.authorizer.handler",
            web_root=web_root,
            http_routes=HTTP_ROUTES,
            auth_dir=auth_dir,
        )
        await gateway.start()
        try:
            yield gateway
        finally:
            await gateway.stop()


def run(
    web_root: Path, auth_dir: Path, scenario: Callable[[WebSocketGateway, aiohttp.ClientSession], Awaitable[None]]
) -> None:
    async def main() -> None:
        async with running_gateway(web_root, auth_dir) as gateway, aiohttp.ClientSession() as session:
            await scenario(gateway, session)

    asyncio.run(main())


def test_pages_and_assets_are_served_with_their_types_caching_and_the_csp(web_root: Path, tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession) -> None:
        for path in ("/", "/console.html", "/assets/app.js", "/assets/app.css", "/config.json"):
            async with session.get(gateway.url + path) as response:
                seen[path] = (response.status, response.headers.copy(), await response.read())
        etag = seen["/assets/app.js"][1]["ETag"]
        async with session.get(gateway.url + "/assets/app.js", headers={"If-None-Match": etag}) as response:
            seen["revalidated"] = response.status
        for path in ("/.env", "/../outside.txt", "/%2e%2e/outside.txt", "/missing.html", "/assets/"):
            async with session.get(gateway.url + path) as response:
                seen[path] = response.status
        seen["csp"] = gateway.content_security_policy()
        seen["urls"] = (gateway.websocket_url, gateway.api_url)

    run(web_root, tmp_path / "auth", scenario)
    status, headers, body = seen["/"]
    assert status == 200 and body.decode() == PAGE
    assert headers["Content-Type"] == "text/html; charset=utf-8" and headers["Cache-Control"] == "no-cache"
    ws_url, api_url = seen["urls"]
    assert headers["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {ws_url} {api_url}/; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
    )
    assert seen["/console.html"][1]["Content-Security-Policy"] == seen["csp"]
    status, headers, _ = seen["/assets/app.js"]
    assert status == 200 and headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert headers["Content-Encoding"] == "gzip"  # aiohttp's client asks for it, as browsers do
    assert seen["/assets/app.css"][1]["Content-Type"] == "text/css; charset=utf-8"
    assert seen["revalidated"] == 304
    for path in ("/.env", "/../outside.txt", "/%2e%2e/outside.txt", "/missing.html", "/assets/"):
        assert seen[path] == 404, path
    status, headers, body = seen["/config.json"]
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert json.loads(body) == {"websocket_url": ws_url, "api_url": api_url, "auth": {"mode": "demo"}}


def test_the_demo_sign_in_lists_people_of_each_role_and_mints_their_tokens(web_root: Path, tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession) -> None:
        async with session.get(gateway.url + "/auth/demo/users") as response:
            seen["users"] = (await response.json())["users"]
        for user in seen["users"]:
            async with session.post(gateway.url + "/auth/demo/token", json={"user_id": user["user_id"]}) as response:
                seen[user["user_id"]] = await response.json()
        async with session.post(gateway.url + "/auth/demo/token", json={"user_id": "nobody"}) as response:
            seen["nobody"] = response.status
        # A cross-site form can post text/plain without a preflight: refused.
        async with session.post(
            gateway.url + "/auth/demo/token", data='{"user_id": "oem-0001"}', headers={"Content-Type": "text/plain"}
        ) as response:
            seen["form"] = response.status

    run(web_root, tmp_path / "auth", scenario)
    users = seen["users"]
    assert any(u["user_id"] == "cust-0001" and u["role"] == "customer" for u in users)
    assert len({u["dealer_id"] for u in users if u["role"] == "dealer"}) == 2
    assert any(u["role"] == "oem_staff" for u in users)
    for user in users:
        minted = seen[user["user_id"]]
        assert (minted["user_id"], minted["role"], minted["dealer_id"]) == (
            user["user_id"],
            user["role"],
            user["dealer_id"],
        )
        assert minted["expires_in"] == 8 * 3600
        identity = verify(minted["token"], LocalKeySource(tmp_path / "auth"))
        assert (identity.user_id, identity.role, identity.dealer_id) == (
            user["user_id"],
            user["role"],
            user["dealer_id"],
        )
    assert seen["nobody"] == 400 and seen["form"] == 415


def test_only_this_stacks_own_name_and_pages_are_answered(web_root: Path, tmp_path: Path) -> None:
    """DNS rebinding: a hostile site whose name comes to resolve to 127.0.0.1 reaches the loopback
    port as same-origin with its own pages. It must not mint a token nor read a page."""
    seen: dict[str, Any] = {}

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession) -> None:
        rebound = {"Host": f"evil.example:{gateway.port}"}
        async with session.get(gateway.url + "/config.json", headers=rebound) as response:
            seen["rebound page"] = response.status
        async with session.post(
            gateway.url + "/auth/demo/token", json={"user_id": "oem-0001"}, headers=rebound
        ) as response:
            seen["rebound token"] = response.status
        other_site = {"Origin": "http://evil.example"}
        async with session.post(
            gateway.url + "/auth/demo/token", json={"user_id": "oem-0001"}, headers=other_site
        ) as response:
            seen["cross-site token"] = response.status
        own_page = {"Origin": gateway.url}
        async with session.post(
            gateway.url + "/auth/demo/token", json={"user_id": "oem-0001"}, headers=own_page
        ) as response:
            seen["own page"] = response.status
        by_name = {"Host": f"localhost:{gateway.port}", "Origin": f"http://localhost:{gateway.port}"}
        async with session.post(
            gateway.url + "/auth/demo/token", json={"user_id": "oem-0001"}, headers=by_name
        ) as response:
            seen["localhost"] = response.status

    run(web_root, tmp_path / "auth", scenario)
    assert seen == {
        "rebound page": 421,
        "rebound token": 421,
        "cross-site token": 403,
        "own page": 200,
        "localhost": 200,
    }


STATS_PREFIX = "aicc-web-stats-"


@pytest.fixture
def analytics_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # A real AWS endpoint keeps `aicc stats` from pointing boto3 at an embedded stack; moto answers it.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://dynamodb.us-east-1.amazonaws.com")
    monkeypatch.setenv("AICC_TABLE_PREFIX", STATS_PREFIX)
    with mock_aws():
        import boto3

        from aicc.adapters.dynamodb.analytics import DynamoDBAnalytics

        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(**create_table_kwargs(TABLES["analytics"], STATS_PREFIX))  # type: ignore[arg-type]
        analytics = DynamoDBAnalytics(client, f"{STATS_PREFIX}analytics")
        today = datetime.now(UTC).date()
        for turn_id, days_ago, counters in (
            ("t-1", 0, {"turns": 1, "intent_greeting": 1, "latency_le_125": 1, "sentiment_neutral": 1}),
            ("t-2", 1, {"turns": 1, "degraded": 1, "escalations": 1, "queue_roadside": 1, "latency_le_1000": 1}),
            ("t-3", 5, {"turns": 1, "intent_book_service": 1, "latency_le_50": 1}),
        ):
            day = (today - timedelta(days=days_ago)).isoformat()
            analytics.record_turn(TurnRecord(turn_id=turn_id, conversation_id="c", day=day), counters)
        yield client


def test_the_stats_api_answers_oem_staff_with_the_figures_of_aicc_stats(
    web_root: Path, tmp_path: Path, analytics_table: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    auth = tmp_path / "auth"
    oem = issue_token("oem-0001", "oem_staff", directory=auth)
    dealer = issue_token("staff-dlr-harbor", "dealer", dealer_id="dlr-harbor", directory=auth)
    foreign = issue_token("oem-0001", "oem_staff", directory=tmp_path / "other-issuer")
    seen: dict[str, Any] = {}

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession) -> None:
        api = gateway.api_url + "/stats"
        for days in ("1", "2", "7"):
            async with session.get(api, params={"days": days}, headers={"Authorization": f"Bearer {oem}"}) as r:
                seen[days] = (r.status, await r.text())
        async with session.get(api, headers={"Authorization": f"Bearer {oem}"}) as r:
            seen["default"] = await r.text()
        for name, headers, query in (
            ("no token", {}, {}),
            ("other issuer", {"Authorization": f"Bearer {foreign}"}, {}),
            ("dealer", {"Authorization": f"Bearer {dealer}"}, {}),
            ("days 0", {"Authorization": f"Bearer {oem}"}, {"days": "0"}),
            ("days 91", {"Authorization": f"Bearer {oem}"}, {"days": "91"}),
        ):
            async with session.get(api, headers=headers, params=query) as r:
                seen[name] = r.status

    run(web_root, auth, scenario)
    for days in ("1", "2", "7"):
        assert cli.main(["stats", "--json", "--days", days]) == 0
        status, body = seen[days]
        assert status == 200 and body + "\n" == capsys.readouterr().out
    assert json.loads(seen["7"][1])["turns"] == 3 and json.loads(seen["2"][1])["turns"] == 2
    assert seen["default"] == seen["1"][1]
    assert seen["no token"] == 401 and seen["other issuer"] == 401 and seen["dealer"] == 403
    assert seen["days 0"] == 400 and seen["days 91"] == 400
