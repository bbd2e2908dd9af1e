"""API Gateway WebSocket, played by aiohttp: routes, the REQUEST authorizer and `@connections`.

What clients and handlers can observe is what AWS does (API Gateway developer guide, "WebSocket APIs"):
- `GET /ws?token=...` runs the REQUEST authorizer first. A missing identity source (the `token`
  query parameter) is refused with 401 without invoking it, as API Gateway does; the authorizer
  raising "Unauthorized" gives 401, any other failure 500, a Deny policy 403. Then `$connect` runs
  and the upgrade happens only if it returns a 2xx `statusCode`; otherwise the client gets that status.
- Text frames are routed on `$request.body.action`: a JSON body whose `action` names a (non-`$`)
  route key goes there, anything else to `$default`. Routes with a route response send the
  integration's `body` back to the sender. Integration errors reach the client as
  `{"message": "Internal server error", "connectionId", "requestId"}`, no matching route as
  `{"message": "Forbidden", ...}`, as on AWS. Messages are handled concurrently, not in order.
- A message above 32 KB closes the connection with 1009. (AWS caps frames at 32 KB and messages
  at 128 KB, so a client fragmenting a message is refused here earlier than on AWS; browsers do not
  fragment what they send.) Binary frames close the connection with 1003: API Gateway WebSocket
  APIs do not accept binary frames in incoming messages.
- `$disconnect` runs after every close: the client's, `DELETE @connections`, the idle timeout
  (10 minutes, counting incoming data frames), and the gateway shutting down (1001 "Going away").
- `@connections/{id}` (also under `/<stage>/`): POST sends the body as a frame (text when it is
  UTF-8), GET describes the connection, DELETE closes it; an unknown or closed id gives 410
  GoneException, which boto3's `apigatewaymanagementapi` raises as `client.exceptions.GoneException`.

Handlers are synchronous; they run in the shared thread pool.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.web_response import ContentCoding
from botocore.credentials import Credentials

from aicc.embedded.invoke import (
    ACCOUNT_ID,
    FunctionConfig,
    HandlerResolver,
    InvocationStats,
    LambdaContext,
    LambdaHandler,
    function_name_for,
    import_handler,
    timed_call,
)
from aicc.embedded.sigv4 import fresh_credentials, verify
from aicc.embedded.throttle import FrameLimits, TokenBucket, take_from_all
from contracts.frames import MAX_FRAME_BYTES, WEBSOCKET_AUTHORIZER, WEBSOCKET_ROUTES

log = logging.getLogger(__name__)

API_ID = "local"
STAGE = "embedded"
# Where API Gateway looks for the caller's identity before invoking the authorizer.
IDENTITY_SOURCES = ("route.request.querystring.token",)
# @connections POST payload limit (AWS: 128 KB per message).
MAX_POST_BYTES = 128 * 1024
IDLE_TIMEOUT_S = 600.0
_SHUTDOWN_GRACE_S = 10.0
# How long a server-initiated close waits for the client's close frame before dropping the socket.
_CLOSE_HANDSHAKE_S = 3.0
_ROUTE_KEY = re.compile(r"^[^$].*")
# The static app (customer chat, sign-in, staff console, dashboard): served from here as from S3.
WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}
_COMPRESSIBLE = (".html", ".js", ".mjs", ".css", ".json", ".svg", ".txt")


class AuthorizerError(Exception):
    """The authorizer's answer was malformed: API Gateway answers 500."""


@dataclass(eq=False)  # identity, not value: connections live in sets
class Connection:
    connection_id: str
    ws: web.WebSocketResponse
    connected_at_ms: int
    source_ip: str
    user_agent: str
    authorizer: dict[str, Any]
    last_active_ms: int = 0
    close_code: int | None = None
    close_reason: str = ""
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    bucket: TokenBucket | None = None
    in_flight: asyncio.Semaphore | None = None

    @property
    def open(self) -> bool:
        return self.close_code is None and not self.ws.closed

    async def send(self, data: bytes | str) -> None:
        async with self.send_lock:
            if isinstance(data, str):
                await self.ws.send_str(data)
            else:
                await self.ws.send_bytes(data)


def new_connection_id() -> str:
    # AWS ids are 16 characters of base64 ending in "="; urlsafe keeps "/" out of URL paths.
    return base64.urlsafe_b64encode(secrets.token_bytes(11)).decode()


def select_route(body: str, routes: Mapping[str, Any]) -> str | None:
    """`$request.body.action`: the route key the frame names, else `$default` (None if absent)."""
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, an over-long integer, nesting too deep
        parsed = None
    if isinstance(parsed, dict):
        action = parsed.get("action")
        if isinstance(action, str) and _ROUTE_KEY.match(action) and action in routes:
            return action
    return "$default" if "$default" in routes else None


def policy_allows(policy: Any, method_arn: str) -> bool:
    """IAM evaluation of the authorizer's policy for this method ARN: explicit Deny wins."""
    if not isinstance(policy, Mapping) or not isinstance(policy.get("policyDocument"), Mapping):
        raise AuthorizerError("the authorizer returned no policyDocument")
    statements = policy["policyDocument"].get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    allowed = False
    for statement in statements:
        resources = statement.get("Resource", [])
        if isinstance(resources, str):
            resources = [resources]
        if not any(_arn_matches(pattern, method_arn) for pattern in resources):
            continue
        effect = statement.get("Effect")
        if effect == "Deny":
            return False
        allowed = allowed or effect == "Allow"
    return allowed


def _arn_matches(pattern: str, arn: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, arn) is not None


def _authorizer_context(policy: Mapping[str, Any]) -> dict[str, Any]:
    context = policy.get("context") or {}
    if not isinstance(context, Mapping):
        raise AuthorizerError("the authorizer's context is not an object")
    for key, value in context.items():
        # API Gateway rejects nested values in the context with a 500.
        if not isinstance(value, str | int | float | bool):
            raise AuthorizerError(f"authorizer context value {key!r} is not a string, number or boolean")
    return {**context, "principalId": policy.get("principalId")}


def _needs_signature(path: str) -> bool:
    """`@connections` and the stack's views; the web app, its config, sign-in and API are public."""
    return path.startswith("/_aicc/") or "/@connections/" in path or path.endswith("/@connections")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _request_time(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def _iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# As CloudFront's response-headers policy (terraform/modules/edge): tokens never travel in page URLs.
REFERRER_POLICY = "strict-origin-when-cross-origin"


def _error(status: int, error_type: str, message: str) -> web.Response:
    # restJson1 errors: botocore reads the type from this header and raises the modelled exception.
    return web.json_response({"message": message}, status=status, headers={"x-amzn-ErrorType": error_type})


class WebSocketGateway:
    """One WebSocket API stage on 127.0.0.1 (or another loopback host)."""

    def __init__(
        self,
        *,
        executor: Executor,
        stats: InvocationStats,
        resolver: HandlerResolver = import_handler,
        host: str = "127.0.0.1",
        port: int = 8080,
        routes: Mapping[str, tuple[str, bool]] = WEBSOCKET_ROUTES,
        authorizer: str | None = WEBSOCKET_AUTHORIZER,
        identity_sources: tuple[str, ...] = IDENTITY_SOURCES,
        stage: str = STAGE,
        region: str = "us-east-1",
        max_frame_bytes: int = MAX_FRAME_BYTES,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
        function_timeout_s: float = 10.0,
        info_routes: Mapping[str, Callable[[], Mapping[str, Any]]] | None = None,
        credentials: Credentials | None = None,
        limits: FrameLimits | None = None,
        web_root: Path | None = WEB_ROOT,
        http_routes: Mapping[str, str] | None = None,
        auth_dir: Path | None = None,
        demo_sign_in: bool = True,
    ) -> None:
        self.executor = executor
        self.stats = stats
        self.resolver = resolver
        self.host = host
        self.port = port
        self.routes = dict(routes)
        self.authorizer_path = authorizer
        self.identity_sources = identity_sources
        self.stage = stage
        self.region = region
        self.max_frame_bytes = max_frame_bytes
        self.idle_timeout_s = idle_timeout_s
        self.function_timeout_s = function_timeout_s
        # GET /_aicc/<name>: tools' read-only views of the stack (the mapping is read per request).
        self.info_routes = info_routes if info_routes is not None else {}
        # `@connections` and `/_aicc/*` take SigV4 requests signed with these only (sigv4.py).
        self.credentials = credentials or fresh_credentials()
        self.limits = limits or FrameLimits.from_env()
        # The web app's files (None: no app), the HTTP API's routes ("GET /stats" -> handler), and
        # the local token issuer's directory: the API verifies its tokens, the demo sign-in mints them.
        self.web_root = web_root
        self.http_routes = dict(http_routes or {})
        self.auth_dir = auth_dir
        self.demo_sign_in = demo_sign_in
        self._user_buckets: dict[str, TokenBucket] = {}
        self.connections: dict[str, Connection] = {}
        self._handlers: dict[str, tuple[LambdaHandler, FunctionConfig]] = {}
        self._runner: web.AppRunner | None = None
        self._live: set[Connection] = set()
        self._stopping = False

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def websocket_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"

    @property
    def domain_name(self) -> str:
        return f"{self.host}:{self.port}"

    def _load(self, dotted_path: str) -> None:
        if dotted_path in self._handlers:
            return
        config = FunctionConfig(
            name=function_name_for(dotted_path), timeout_s=self.function_timeout_s, region=self.region
        )
        started = time.perf_counter()
        handler = self.resolver(dotted_path)
        self.stats.record_init(config.name, (time.perf_counter() - started) * 1000)
        self._handlers[dotted_path] = (handler, config)

    async def start(self) -> str:
        """Load every route's handler (Lambda's init phase), then listen. Returns the base URL."""
        for dotted_path, _ in self.routes.values():
            self._load(dotted_path)
        if self.authorizer_path:
            self._load(self.authorizer_path)
        for dotted_path in self.http_routes.values():
            self._load(dotted_path)
        middlewares = [self._require_local_host, self._require_sigv4]
        app = web.Application(client_max_size=MAX_POST_BYTES + 1024, middlewares=middlewares)
        management = [
            route(prefix + "/@connections/{connection_id}", handler)
            for prefix in ("", "/{stage}")
            for route, handler in (
                (web.post, self._post_to_connection),
                (web.get, self._get_connection),
                (web.delete, self._delete_connection),
            )
        ]
        app.add_routes(
            [
                web.get("/ws", self._websocket),
                web.get("/_aicc/stats", self._stats),
                web.get("/_aicc/{name}", self._info),
                *management,
                web.get("/config.json", self._config),
                web.get("/auth/demo/users", self._demo_users),
                web.post("/auth/demo/token", self._demo_token),
                web.route("*", "/api/{path:.*}", self._http_api),
                web.get("/{path:.*}", self._static),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.url

    async def stop(self) -> None:
        """Close every socket with 1001 (each gets its `$disconnect`), then stop listening."""
        self._stopping = True
        self.connections.clear()
        closing = [self._close(c, WSCloseCode.GOING_AWAY, "Going away") for c in list(self._live)]
        await asyncio.gather(*closing, return_exceptions=True)
        waiting = [c.finished.wait() for c in list(self._live)]
        if waiting:
            await asyncio.wait_for(asyncio.gather(*waiting), timeout=_SHUTDOWN_GRACE_S)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- invoking handlers ----------------------------------------------------------------------

    async def _invoke(self, dotted_path: str, event: dict[str, Any]) -> Any:
        handler, config = self._handlers[dotted_path]
        context = LambdaContext(config)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, timed_call, handler, event, context, self.stats)

    def _method_arn(self, route_key: str) -> str:
        return f"arn:aws:execute-api:{self.region}:{ACCOUNT_ID}:{API_ID}/{self.stage}/{route_key}"

    def _request_context(
        self, route_key: str, event_type: str, connection_id: str, connected_at_ms: int, identity: dict[str, str]
    ) -> dict[str, Any]:
        now = _now_ms()
        request_id = uuid.uuid4().hex[:16]
        return {
            "routeKey": route_key,
            "eventType": event_type,
            "extendedRequestId": request_id,
            "requestTime": _request_time(now),
            "messageDirection": "IN",
            "stage": self.stage,
            "connectedAt": connected_at_ms,
            "requestTimeEpoch": now,
            "identity": identity,
            "requestId": request_id,
            "domainName": self.domain_name,
            "connectionId": connection_id,
            "apiId": API_ID,
        }

    # --- $connect -------------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if self._stopping:
            return web.json_response({"message": "Service Unavailable"}, status=503)
        connection_id = new_connection_id()
        connected_at = _now_ms()
        identity = {"sourceIp": request.remote or "127.0.0.1", "userAgent": request.headers.get("User-Agent", "")}
        headers = dict(request.headers)
        multi_headers: dict[str, list[str]] = {}
        for name, value in request.headers.items():
            multi_headers.setdefault(name, []).append(value)
        query = dict(request.query)
        multi_query: dict[str, list[str]] = {}
        for name, value in request.query.items():
            multi_query.setdefault(name, []).append(value)

        authorizer_context: dict[str, Any] = {}
        if self.authorizer_path:
            refused = await self._authorize(
                headers, multi_headers, query, multi_query, connection_id, connected_at, identity
            )
            if isinstance(refused, web.Response):
                return refused
            authorizer_context = refused

        context = self._request_context("$connect", "CONNECT", connection_id, connected_at, identity)
        context["authorizer"] = authorizer_context
        connect_event = {
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": multi_query or None,
            "requestContext": context,
            "isBase64Encoded": False,
        }
        connect_path = self.routes.get("$connect")
        protocols: tuple[str, ...] = ()
        if connect_path:
            try:
                result = await self._invoke(connect_path[0], connect_event)
            except Exception:
                log.exception("$connect failed")
                return web.json_response({"message": "Internal server error"}, status=500)
            status = int(result.get("statusCode", 200)) if isinstance(result, Mapping) else 200
            if not 200 <= status < 300:
                body = result.get("body") if isinstance(result, Mapping) else None
                return web.Response(status=status, text=body if isinstance(body, str) else None)
            response_headers = result.get("headers") if isinstance(result, Mapping) else None
            if isinstance(response_headers, Mapping):
                # $connect may pick a subprotocol (clients sometimes carry the token this way).
                chosen = {k.lower(): v for k, v in response_headers.items()}.get("sec-websocket-protocol")
                if chosen:
                    protocols = (str(chosen),)

        ws = web.WebSocketResponse(
            max_msg_size=self.max_frame_bytes, protocols=protocols, autoping=True, timeout=_CLOSE_HANDSHAKE_S
        )
        await ws.prepare(request)
        connection = Connection(
            connection_id=connection_id,
            ws=ws,
            connected_at_ms=connected_at,
            source_ip=identity["sourceIp"],
            user_agent=identity["userAgent"],
            authorizer=authorizer_context,
            last_active_ms=connected_at,
            bucket=TokenBucket(self.limits.per_connection),
            in_flight=asyncio.Semaphore(self.limits.in_flight_per_connection),
        )
        self.connections[connection_id] = connection
        self._live.add(connection)
        try:
            await self._receive_loop(connection)
        finally:
            self.connections.pop(connection_id, None)
            await self._disconnect(connection, identity, headers, multi_headers)
            self._live.discard(connection)
            connection.finished.set()
        return ws

    async def _authorize(
        self,
        headers: dict[str, str],
        multi_headers: dict[str, list[str]],
        query: dict[str, str],
        multi_query: dict[str, list[str]],
        connection_id: str,
        connected_at: int,
        identity: dict[str, str],
    ) -> web.Response | dict[str, Any]:
        """The authorizer context on success, else the HTTP response that refuses the upgrade."""
        for source in self.identity_sources:
            if not self._identity_present(source, headers, query):
                return web.json_response({"message": "Unauthorized"}, status=401)
        method_arn = self._method_arn("$connect")
        context = self._request_context("$connect", "CONNECT", connection_id, connected_at, identity)
        event = {
            "type": "REQUEST",
            "methodArn": method_arn,
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": query,
            "multiValueQueryStringParameters": multi_query,
            "stageVariables": {},
            "requestContext": context,
        }
        assert self.authorizer_path is not None
        started = time.perf_counter()
        try:
            policy = await self._invoke(self.authorizer_path, event)
        except Exception as error:
            if str(error) == "Unauthorized":
                return web.json_response({"message": "Unauthorized"}, status=401)
            log.exception("the authorizer failed")
            return web.json_response({"message": "Internal server error"}, status=500)
        try:
            if not policy_allows(policy, method_arn):
                return web.json_response({"message": "Forbidden"}, status=403)
            authorizer_context = _authorizer_context(policy)
        except AuthorizerError as error:
            log.error("authorizer answer refused: %s", error)
            return web.json_response({"message": "Internal server error"}, status=500)
        authorizer_context["integrationLatency"] = int((time.perf_counter() - started) * 1000)
        return authorizer_context

    @staticmethod
    def _identity_present(source: str, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
        if source.startswith("route.request.querystring."):
            return bool(query.get(source.removeprefix("route.request.querystring.")))
        if source.startswith("route.request.header."):
            wanted = source.removeprefix("route.request.header.").lower()
            return any(name.lower() == wanted and value for name, value in headers.items())
        return True

    # --- messages -------------------------------------------------------------------------------

    async def _receive_loop(self, connection: Connection) -> None:
        ws = connection.ws
        while True:
            try:
                message = await ws.receive(timeout=self.idle_timeout_s)
            except TimeoutError:
                await self._close(connection, WSCloseCode.GOING_AWAY, "Going away")
                return
            if message.type == WSMsgType.TEXT:
                connection.last_active_ms = _now_ms()
                await self._admit(connection, message.data)
            elif message.type == WSMsgType.BINARY:
                await self._close(connection, WSCloseCode.UNSUPPORTED_DATA, "Binary frames are not supported")
                return
            elif message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                if connection.close_code is None:
                    connection.close_code = ws.close_code or WSCloseCode.OK
                    connection.close_reason = str(message.extra or "")
                return
            elif message.type == WSMsgType.ERROR:
                # aiohttp closed the socket itself, e.g. 1009 for an oversize message; the code it
                # sent is on the exception (ws.close_code may already say 1006 by now).
                if connection.close_code is None:
                    sent_code = getattr(message.data, "code", None)
                    connection.close_code = sent_code or ws.close_code or WSCloseCode.ABNORMAL_CLOSURE
                    connection.close_reason = "Message too big" if sent_code == WSCloseCode.MESSAGE_TOO_BIG else ""
                return

    async def _admit(self, connection: Connection, body: str) -> None:
        """Handle the frame unless its connection or user is past their rate (answered `throttled`),
        waiting first while the connection has its most frames in flight: the socket is not read
        meanwhile, so a pipelining client is held back by TCP, not by a growing set of tasks."""
        assert connection.bucket is not None and connection.in_flight is not None
        if not take_from_all(connection.bucket, self._user_bucket(connection)):
            await self._reply_throttled(connection, body)
            return
        in_flight = connection.in_flight
        await in_flight.acquire()
        task = asyncio.create_task(self._on_message(connection, body))
        connection.tasks.add(task)
        task.add_done_callback(connection.tasks.discard)
        task.add_done_callback(lambda _: in_flight.release())

    def _user_bucket(self, connection: Connection) -> TokenBucket:
        user = str(connection.authorizer.get("user_id") or connection.authorizer.get("principalId") or "")
        if len(self._user_buckets) > 10_000:  # a full bucket is a fresh one: forget those
            self._user_buckets = {u: b for u, b in self._user_buckets.items() if not b.full}
        bucket = self._user_buckets.get(user)
        if bucket is None:
            bucket = self._user_buckets[user] = TokenBucket(self.limits.per_user)
        return bucket

    async def _reply_throttled(self, connection: Connection, body: str) -> None:
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            parsed = None
        cmid = parsed.get("client_message_id") if isinstance(parsed, dict) else None
        frame = {
            "type": "error",
            "code": "throttled",
            "message": "too many messages at once: wait a moment and send again",
            "client_message_id": cmid if isinstance(cmid, str) else None,
        }
        await self._send_if_open(connection, json.dumps(frame))

    async def _on_message(self, connection: Connection, body: str) -> None:
        route_key = select_route(body, self.routes)
        context = self._request_context(
            route_key or "$default",
            "MESSAGE",
            connection.connection_id,
            connection.connected_at_ms,
            {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
        )
        context["messageId"] = uuid.uuid4().hex[:16]
        context["authorizer"] = connection.authorizer
        request_id = context["requestId"]
        if route_key is None:
            await self._reply_gateway_error(connection, "Forbidden", request_id)
            return
        dotted_path, has_route_response = self.routes[route_key]
        event = {"requestContext": context, "body": body, "isBase64Encoded": False}
        try:
            result = await self._invoke(dotted_path, event)
        except Exception:
            log.exception("route %s failed", route_key)
            await self._reply_gateway_error(connection, "Internal server error", request_id)
            return
        if not has_route_response or not isinstance(result, Mapping) or result.get("body") is None:
            return
        response_body = result["body"]
        if not isinstance(response_body, str):
            log.error("route %s returned a non-string body; API Gateway would fail the integration", route_key)
            await self._reply_gateway_error(connection, "Internal server error", request_id)
            return
        if result.get("isBase64Encoded"):
            await self._send_if_open(connection, base64.b64decode(response_body))
        else:
            await self._send_if_open(connection, response_body)

    async def _reply_gateway_error(self, connection: Connection, message: str, request_id: str) -> None:
        frame = {"message": message, "connectionId": connection.connection_id, "requestId": request_id}
        await self._send_if_open(connection, json.dumps(frame))

    async def _send_if_open(self, connection: Connection, data: bytes | str) -> bool:
        if not connection.open:
            return False
        try:
            await connection.send(data)
        except (ConnectionError, RuntimeError):
            return False
        return True

    # --- $disconnect ----------------------------------------------------------------------------

    async def _close(self, connection: Connection, code: int, reason: str) -> None:
        if connection.close_code is None:
            connection.close_code = code
            connection.close_reason = reason
        if not connection.ws.closed:
            await connection.ws.close(code=code, message=reason.encode())

    async def _disconnect(
        self,
        connection: Connection,
        identity: dict[str, str],
        headers: dict[str, str],
        multi_headers: dict[str, list[str]],
    ) -> None:
        if connection.close_code is None:
            connection.close_code = connection.ws.close_code or WSCloseCode.ABNORMAL_CLOSURE
        disconnect = self.routes.get("$disconnect")
        if not disconnect:
            return
        context = self._request_context(
            "$disconnect", "DISCONNECT", connection.connection_id, connection.connected_at_ms, identity
        )
        context["disconnectStatusCode"] = connection.close_code
        context["disconnectReason"] = connection.close_reason
        context["authorizer"] = connection.authorizer
        event = {
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "requestContext": context,
            "isBase64Encoded": False,
        }
        try:
            await self._invoke(disconnect[0], event)
        except Exception:
            log.exception("$disconnect failed for %s", connection.connection_id)

    # --- @connections -----------------------------------------------------------------------------

    def _connection_for(self, request: web.Request) -> Connection | None:
        if request.match_info.get("stage", self.stage) != self.stage:
            raise web.HTTPNotFound()
        connection = self.connections.get(request.match_info["connection_id"])
        return connection if connection is not None and connection.open else None

    async def _post_to_connection(self, request: web.Request) -> web.Response:
        connection = self._connection_for(request)
        if connection is None:
            return _error(410, "GoneException", "Connection is gone")
        data = await request.read()
        if len(data) > MAX_POST_BYTES:
            return _error(413, "PayloadTooLargeException", "Message payload exceeds 128 KB")
        try:
            frame: bytes | str = data.decode("utf-8")
        except UnicodeDecodeError:
            frame = data
        if not await self._send_if_open(connection, frame):
            return _error(410, "GoneException", "Connection is gone")
        connection.last_active_ms = _now_ms()
        return web.Response(status=200)

    async def _get_connection(self, request: web.Request) -> web.Response:
        connection = self._connection_for(request)
        if connection is None:
            return _error(410, "GoneException", "Connection is gone")
        return web.json_response(
            {
                "connectedAt": _iso(connection.connected_at_ms),
                "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
                "lastActiveAt": _iso(connection.last_active_ms),
            }
        )

    async def _delete_connection(self, request: web.Request) -> web.Response:
        connection = self._connection_for(request)
        if connection is None:
            return _error(410, "GoneException", "Connection is gone")
        # Gone for the API at once; the close handshake and $disconnect finish in the background.
        self.connections.pop(connection.connection_id, None)
        connection.close_code = WSCloseCode.OK
        task = asyncio.create_task(self._close_quietly(connection))
        connection.tasks.add(task)
        task.add_done_callback(connection.tasks.discard)
        return web.Response(status=204)

    async def _close_quietly(self, connection: Connection) -> None:
        if not connection.ws.closed:
            await connection.ws.close(code=WSCloseCode.OK)

    def _local_hosts(self) -> set[str]:
        names = {self.host, "127.0.0.1", "localhost", "[::1]"} - {"0.0.0.0", "::"}
        return {f"{name}:{self.port}" for name in names}

    @web.middleware
    async def _require_local_host(self, request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
        """DNS rebinding: a hostile site whose name comes to resolve to 127.0.0.1 is same-origin with
        its own pages, so loopback alone does not keep it out. Requests must name this stack's host,
        and a demo token is minted only for this stack's own pages (a browser always sends Origin on a
        POST)."""
        hosts = self._local_hosts()
        if self.host not in ("0.0.0.0", "::") and request.host not in hosts:
            return _error(421, "MisdirectedRequest", f"this stack answers {sorted(hosts)[0]} only")
        origin = request.headers.get("Origin")
        own_pages = {f"http://{host}" for host in hosts}
        if request.path.startswith("/auth/demo/") and origin is not None and origin not in own_pages:
            return _error(403, "ForbiddenException", "demo sign-in is for this stack's own pages")
        response: web.StreamResponse = await handler(request)
        return response

    @web.middleware
    async def _require_sigv4(self, request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
        """`@connections` and `/_aicc/*` answer SigV4 requests signed with the stack's credentials only."""
        if not _needs_signature(request.path):
            response: web.StreamResponse = await handler(request)
            return response
        body = await request.read() if request.can_read_body else b""
        refused = verify(
            self.credentials,
            method=request.method,
            url=f"{request.scheme}://{request.host}{request.raw_path}",
            headers=request.headers,
            body=body,
            region=self.region,
        )
        if refused is not None:
            log.warning("refused %s %s: %s", request.method, request.path, refused)
            return _error(403, "ForbiddenException", refused)
        response = await handler(request)
        return response

    async def _stats(self, _request: web.Request) -> web.Response:
        return web.json_response(self.stats.summary())

    async def _info(self, request: web.Request) -> web.Response:
        info = self.info_routes.get(request.match_info["name"])
        if info is None:
            raise web.HTTPNotFound()
        return web.json_response(dict(info()))

    # --- the web app: static files, its runtime config, the demo sign-in and the HTTP API ----------

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def content_security_policy(self) -> str:
        """No inline script or style; the page talks to this origin, its WebSocket and its API only
        (the API as a path prefix: a source without a trailing slash matches that exact path). The
        same policy CloudFront sends (terraform/modules/edge)."""
        return (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {self.websocket_url} {self.api_url}/; frame-ancestors 'none'; "
            "base-uri 'self'; object-src 'none'"
        )

    def _page_headers(self, content_type: str) -> dict[str, str]:
        headers = {
            "Content-Type": content_type,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": REFERRER_POLICY,
        }
        if content_type.startswith("text/html"):
            headers["Content-Security-Policy"] = self.content_security_policy()
        return headers

    async def _config(self, _request: web.Request) -> web.Response:
        config = {"websocket_url": self.websocket_url, "api_url": self.api_url, "auth": {"mode": "demo"}}
        headers = {**self._page_headers("application/json"), "Cache-Control": "no-store"}
        return web.Response(text=json.dumps(config), headers=headers)

    async def _demo_users(self, _request: web.Request) -> web.Response:
        from aicc.embedded.demo import demo_users

        if not self.demo_sign_in:
            raise web.HTTPNotFound()
        return web.json_response({"users": demo_users()}, headers={"Cache-Control": "no-store"})

    async def _demo_token(self, request: web.Request) -> web.Response:
        from aicc.embedded.demo import TOKEN_TTL_S, demo_user
        from aicc.runtime.auth import issue_token

        if not self.demo_sign_in:
            raise web.HTTPNotFound()
        # JSON only: a cross-site form cannot send it without a preflight this origin never allows.
        if request.content_type != "application/json":
            return web.json_response({"message": "send JSON"}, status=415)
        try:
            body = await request.json()
        except ValueError:
            body = None
        user_id = body.get("user_id") if isinstance(body, dict) else None
        user = demo_user(user_id) if isinstance(user_id, str) else None
        if user is None:
            return web.json_response({"message": "no such demo user"}, status=400)
        token = await asyncio.to_thread(
            issue_token, user["user_id"], user["role"], dealer_id=user["dealer_id"], ttl_s=TOKEN_TTL_S,
            directory=self.auth_dir,
        )  # fmt: skip
        answer = {
            "token": token,
            "role": user["role"],
            "user_id": user["user_id"],
            "dealer_id": user["dealer_id"],
            "expires_in": TOKEN_TTL_S,
        }
        return web.json_response(answer, headers={"Cache-Control": "no-store"})

    async def _http_api(self, request: web.Request) -> web.Response:
        """API Gateway HTTP API (payload 2.0) with a JWT authorizer: 401 before the handler runs
        when the bearer token is missing or invalid, else the claims in `authorizer.jwt.claims`."""
        from aicc.runtime.auth import InvalidToken, LocalKeySource, state_dir, verify_claims

        path = "/" + request.match_info["path"]
        route_key = f"{request.method} {path}"
        dotted_path = self.http_routes.get(route_key)
        if dotted_path is None:
            return web.json_response({"message": "Not Found"}, status=404)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise InvalidToken("no bearer token")
            source = LocalKeySource(self.auth_dir or state_dir())
            claims = await asyncio.to_thread(verify_claims, token.strip(), source)
        except InvalidToken:
            return web.json_response({"message": "Unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"})
        now = _now_ms()
        body = await request.read()
        event = {
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": path,
            "rawQueryString": request.query_string,
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "queryStringParameters": dict(request.query) or None,
            "requestContext": {
                "accountId": ACCOUNT_ID,
                "apiId": API_ID,
                "authorizer": {"jwt": {"claims": claims, "scopes": None}},
                "domainName": self.domain_name,
                "http": {
                    "method": request.method,
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": request.remote or "127.0.0.1",
                    "userAgent": request.headers.get("User-Agent", ""),
                },
                "requestId": uuid.uuid4().hex[:16],
                "routeKey": route_key,
                "stage": "$default",
                "time": _request_time(now),
                "timeEpoch": now,
            },
            "body": body.decode("utf-8", "replace") if body else None,
            "isBase64Encoded": False,
        }
        try:
            result = await self._invoke(dotted_path, event)
        except Exception:
            log.exception("HTTP route %s failed", route_key)
            return web.json_response({"message": "Internal Server Error"}, status=500)
        if not isinstance(result, Mapping):
            return web.json_response({"message": "Internal Server Error"}, status=500)
        headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
        return web.Response(
            status=int(result.get("statusCode", 200)), text=str(result.get("body") or ""), headers=headers
        )

    async def _static(self, request: web.Request) -> web.StreamResponse:
        """The app's files as S3 + CloudFront serve them: `/` is index.html; HTML revalidates on every
        load (a deploy shows at once), other assets may be reused for a short while."""
        if self.web_root is None:
            raise web.HTTPNotFound()
        root = self.web_root.resolve()
        relative = request.match_info["path"] or "index.html"
        target = (root / relative).resolve()
        if (
            not target.is_relative_to(root)
            or not target.is_file()
            or any(p.startswith(".") for p in target.relative_to(root).parts)
        ):
            raise web.HTTPNotFound()
        suffix = target.suffix.lower()
        content_type = CONTENT_TYPES.get(suffix, "application/octet-stream")
        data = await asyncio.to_thread(target.read_bytes)
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        cache = "no-cache" if suffix == ".html" else "public, max-age=300, must-revalidate"
        headers = {**self._page_headers(content_type), "Cache-Control": cache, "ETag": etag}
        if etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers={k: v for k, v in headers.items() if k != "Content-Type"})
        response = web.Response(body=data, headers=headers)
        if suffix in _COMPRESSIBLE and "gzip" in request.headers.get("Accept-Encoding", ""):
            response.enable_compression(ContentCoding.gzip)  # what CloudFront sends browsers
        return response
