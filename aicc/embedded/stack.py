"""The whole product on one machine: moto (AWS, with the event-source mappings inside it), the gateway.

    run_stack(port=8080, moto_port=5000)      # blocks until Ctrl-C / SIGTERM

or, from tests and tools, `EmbeddedStack(port=0, moto_port=0, ...)` with `await start()` / `await stop()`.

Handlers run in this process, unmodified: the stack sets the environment they would get on Lambda
(region, credentials, table prefix, bus name, where to call back) and `AWS_ENDPOINT_URL`, which
boto3 honours by itself, so they reach moto without knowing.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from botocore.credentials import Credentials

from aicc.embedded.gateway import WEB_ROOT, WebSocketGateway
from aicc.embedded.invoke import HandlerResolver, InvocationStats, import_handler
from aicc.embedded.moto.process import MotoServerProcess
from aicc.embedded.observe import ApiCallObservers
from aicc.embedded.poller import MappedFunction, MappingChannel, SqsApiPolling, binding_for_agent
from aicc.embedded.provision import Provisioned, provision
from aicc.embedded.sigv4 import issue_credentials
from aicc.embedded.supervisor import Supervisor
from aicc.runtime import clients
from contracts.frames import WEBSOCKET_AUTHORIZER, WEBSOCKET_ROUTES
from contracts.http import HTTP_ROUTES
from contracts.manifest import AgentSpec, Manifest, manifest

log = logging.getLogger(__name__)

REGION = "us-east-1"
TABLE_PREFIX = "aicc-"
# Enough threads for every poller's batch plus gateway requests to block on moto at once.
DEFAULT_HANDLER_THREADS = 32
DEFAULT_POLLERS_PER_QUEUE = 3
# Under the state dir: DynamoDB's snapshot and journal.
DYNAMODB_DIR = "dynamodb"


class EmbeddedStack:
    """Start and stop the embedded default; every port may be 0 (a free one is picked)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 8080,
        moto_port: int = 5000,
        dynamodb_port: int | None = None,
        state_dir: Path = Path(".aicc"),
        manifest: Manifest | None = None,
        resolver: HandlerResolver = import_handler,
        routes: Mapping[str, tuple[str, bool]] = WEBSOCKET_ROUTES,
        authorizer: str | None = WEBSOCKET_AUTHORIZER,
        http_routes: Mapping[str, str] | None = None,
        web_root: Path | None = WEB_ROOT,
        pollers_per_queue: int = DEFAULT_POLLERS_PER_QUEUE,
        handler_threads: int = DEFAULT_HANDLER_THREADS,
        seed: bool = True,
        wait_time_s: int = 20,
        mappings_in_moto: bool = True,
        moto_speedups: bool | None = None,
        persist: bool = True,
        fresh: bool = False,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the embedded stack only listens on loopback")
        self.host = host
        self.port = port
        # moto_speedups: None leaves it to AICC_MOTO_SPEEDUPS; False serves with correctness patches only.
        self.moto = MotoServerProcess(moto_port, host="127.0.0.1", speedups=moto_speedups)
        # DynamoDB gets a moto process of its own: a turn makes about as many table calls as bus and
        # queue calls, and one Python process serialises all of them on its GIL. EventBridge and
        # SQS stay together because moto delivers bus events to queues inside one process.
        self.dynamodb = (
            MotoServerProcess(dynamodb_port, host="127.0.0.1", speedups=moto_speedups)
            if dynamodb_port is not None
            else None
        )
        self.state_dir = Path(state_dir)
        # persist: DynamoDB's data is kept in the state dir across restarts (aicc.embedded.moto.journal);
        # fresh: what was kept is dropped first. Queues and the bus are provisioned again at each start.
        self.fresh = fresh
        tables_child = self.dynamodb or self.moto
        tables_child.journal = self.state_dir / DYNAMODB_DIR if persist else None
        self.supervisor = Supervisor(self)
        self.manifest = manifest
        self.resolver = resolver
        self.routes = routes
        # The HTTP API's handlers: the product's with the product's WebSocket routes; a stack given
        # other routes (tests' fakes) serves an API only when given one.
        product = routes is WEBSOCKET_ROUTES
        self.http_routes = http_routes if http_routes is not None else (HTTP_ROUTES if product else {})
        self.web_root = web_root
        self.authorizer = authorizer
        self.pollers_per_queue = pollers_per_queue
        self.handler_threads = handler_threads
        self.seed = seed
        self.wait_time_s = wait_time_s
        # True: the event-source mappings' receive/delete half runs inside the moto process, as it
        # runs inside AWS (aicc.embedded.esm_host). False: the stack polls over the SQS API.
        self.mappings_in_moto = mappings_in_moto
        self.stats = InvocationStats()
        # Every AWS call of the handlers and the pollers reaches the listeners added here.
        self.api_calls = ApiCallObservers()
        # GET /_aicc/<name> on the gateway answers the function's JSON (tools such as `aicc bench`
        # register theirs before start()).
        self.info_routes: dict[str, Callable[[], Mapping[str, Any]]] = {}
        self.provisioned: Provisioned | None = None
        self.gateway: WebSocketGateway | None = None
        self.mapped_functions: list[MappedFunction] = []
        self._mapping_channel: MappingChannel | None = None
        self._api_polling: list[SqsApiPolling] = []
        self._executor: ThreadPoolExecutor | None = None
        self._exit_stack: contextlib.AsyncExitStack | None = None
        self._saved_env: dict[str, str | None] = {}
        # Made fresh at each start (sigv4.py): the handlers sign @connections calls with them.
        self.credentials: Credentials | None = None

    @property
    def moto_url(self) -> str:
        return self.moto.url

    @property
    def dynamodb_url(self) -> str:
        return self.dynamodb.url if self.dynamodb else self.moto.url

    @property
    def callback_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def websocket_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"

    async def start(self) -> None:
        started = time.perf_counter()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # The local token issuer's key is made on first start (later starts reuse it), so the
        # authorizer has a key set before anyone mints a token with `aicc token`.
        from aicc.runtime.auth import ensure_local_keys

        ensure_local_keys(self.state_dir)
        self.credentials = issue_credentials(self.state_dir)
        self._drop_kept_data_if_fresh()
        # The moto child is started before the env changes so it never sees AWS_ENDPOINT_URL.
        children = [self.moto, *([self.dynamodb] if self.dynamodb else [])]
        await asyncio.gather(*(asyncio.to_thread(child.start) for child in children))
        try:
            await self._start_after_moto(started)
        except BaseException:
            await self.stop()
            raise

    async def _start_after_moto(self, started: float) -> None:
        manifest_ = self.manifest or manifest()
        self._executor = ThreadPoolExecutor(max_workers=self.handler_threads, thread_name_prefix="lambda")
        self.gateway = WebSocketGateway(
            executor=self._executor,
            stats=self.stats,
            resolver=self.resolver,
            host=self.host,
            port=self.port,
            routes=self.routes,
            authorizer=self.authorizer,
            region=REGION,
            info_routes=self.info_routes,
            credentials=self.credentials,
            http_routes=self.http_routes,
            web_root=self.web_root,
            auth_dir=self.state_dir,
        )
        # Bind the gateway's port first (it may be 0): handlers need the callback URL in their env
        # before they are imported. Its handlers are loaded after the env is set, in start().
        await self._bind_gateway_port()
        clients.add_session_hook(self.api_calls.observe_session)
        self._set_env({})  # resets the shared clients: their next session is observed
        self.provisioned = await asyncio.to_thread(self._provision, manifest_)
        self._set_env(self.provisioned.env())
        if self.seed:
            await asyncio.to_thread(_seed_reference_data)

        self._exit_stack = contextlib.AsyncExitStack()
        sqs: Any = None
        if self.mappings_in_moto:
            assert self.moto.mappings_address is not None
            self._mapping_channel = MappingChannel(self.moto.mappings_address, on_api_call=self.api_calls)
            await self._mapping_channel.open()
        else:
            sqs = await self._exit_stack.enter_async_context(self._sqs_client(manifest_))
            self.api_calls.observe(sqs.meta.events)
        for agent, queue_url, queue_arn in self._mappings(manifest_):
            binding = binding_for_agent(agent, queue_url, queue_arn, region=REGION, concurrency=self.pollers_per_queue)
            load_started = time.perf_counter()
            handler = self.resolver(agent.handler)
            self.stats.record_init(binding.function.name, (time.perf_counter() - load_started) * 1000)
            poller = MappedFunction(binding, handler, executor=self._executor, stats=self.stats)
            self.mapped_functions.append(poller)
            if self._mapping_channel is not None:
                self._mapping_channel.add(poller)
            else:
                polling = SqsApiPolling(poller, sqs=sqs, wait_time_s=self.wait_time_s)
                polling.start()
                self._api_polling.append(polling)
        await self.gateway.start()
        self.supervisor.start()
        log.info("embedded stack up in %.0f ms", (time.perf_counter() - started) * 1000)

    def _mappings(self, manifest_: Manifest) -> list[tuple[AgentSpec, str, str]]:
        """(agent, queue url, queue arn) per event-source mapping: each agent's queue, and the deadline
        queue of an agent that has one, mapped as a function of its own name (`<agent>-deadlines`)."""
        provisioned = self.provisioned
        assert provisioned is not None
        mappings = [(a, provisioned.queue_urls[a.name], provisioned.queue_arns[a.name]) for a in manifest_.agents]
        for agent in manifest_.agents:
            if agent.name in provisioned.deadline_queues:
                url, arn = provisioned.deadline_queues[agent.name]
                # One deadline per invocation: a batch answers its turns one after the other, and the last
                # would be late by the others' replies (Terraform maps the deadline queue the same way).
                deadlines = agent.model_copy(update={"name": f"{agent.name}-deadlines", "batch_size": 1})
                mappings.append((deadlines, url, arn))
        return mappings

    async def _bind_gateway_port(self) -> None:
        if self.port:
            return
        import socket

        # A free port for the gateway, known before handlers import; the tiny race is harmless on loopback.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((self.host, 0))
            self.port = int(probe.getsockname()[1])
        assert self.gateway is not None
        self.gateway.port = self.port

    def _sqs_client(self, manifest_: Manifest) -> Any:
        from aiobotocore.config import AioConfig
        from aiobotocore.session import get_session

        # One connection per concurrent long poll, plus headroom for deletes.
        connections = len(manifest_.agents) * self.pollers_per_queue * 2 + 8
        return get_session().create_client(
            "sqs",
            region_name=REGION,
            endpoint_url=self.moto_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=AioConfig(
                max_pool_connections=connections,
                read_timeout=self.wait_time_s + 10,
                retries={"mode": "standard", "max_attempts": 3},
            ),
        )

    def _provision(self, manifest_: Manifest) -> Provisioned:
        import boto3

        session = boto3.session.Session()
        return provision(
            manifest_,
            events=session.client("events", region_name=REGION),
            sqs=session.client("sqs", region_name=REGION),
            dynamodb=session.client("dynamodb", region_name=REGION),
            s3=session.client("s3", region_name=REGION),
            prefix=TABLE_PREFIX,
        )

    def handler_env(self) -> dict[str, str]:
        """What each Lambda function's environment holds on AWS, pointed at this machine."""
        return {
            "AWS_ENDPOINT_URL": self.moto_url,
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_url,
            # boto3 routes this service on its own: the gateway, not moto, serves @connections.
            "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI": self.callback_url,
            # moto takes any credentials; the gateway's @connections only these.
            "AWS_ACCESS_KEY_ID": self.credentials.access_key if self.credentials else "testing",
            "AWS_SECRET_ACCESS_KEY": self.credentials.secret_key if self.credentials else "testing",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AICC_TABLE_PREFIX": TABLE_PREFIX,
            "AICC_CALLBACK_URL": self.callback_url,
            "AICC_AUTH_MODE": "local",
            # A JSON line per batch from a dozen functions drowns the console and costs CPU the
            # turns need; warnings and errors still show. POWERTOOLS_LOG_LEVEL=INFO brings them back.
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            "AICC_STATE_DIR": str(self.state_dir.resolve()),
        }

    def _set_env(self, extra: Mapping[str, str]) -> None:
        values = {**self.handler_env(), **extra}
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        # A profile or session token from the developer's shell must not leak into moto calls.
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            if name in os.environ:
                self._saved_env.setdefault(name, os.environ.get(name))
                del os.environ[name]
        _reset_shared_clients()

    def _restore_env(self) -> None:
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()
        _reset_shared_clients()

    async def stop(self) -> None:
        """Sockets first (each gets its $disconnect while moto is still up), then the mappings, then moto."""
        await self.supervisor.stop()
        if self.gateway is not None:
            try:
                await self.gateway.stop()
            except Exception:
                log.exception("gateway did not stop cleanly")
        await self.disable_mappings()
        self.mapped_functions.clear()
        if self._exit_stack is not None:
            await self._exit_stack.aclose()
            self._exit_stack = None
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        await asyncio.to_thread(self.moto.stop)
        if self.dynamodb is not None:
            await asyncio.to_thread(self.dynamodb.stop)
        clients.remove_session_hook(self.api_calls.observe_session)
        self._restore_env()

    async def disable_mappings(self) -> None:
        """Stop handing batches to the functions, as disabling their event-source mappings does: the
        messages stay in their queues (and, the queues being in memory, are gone after a stop)."""
        if self._mapping_channel is not None:
            await self._mapping_channel.close()
            self._mapping_channel = None
        for polling in self._api_polling:
            await polling.stop()
        self._api_polling.clear()

    def _drop_kept_data_if_fresh(self) -> None:
        journal = (self.dynamodb or self.moto).journal
        if self.fresh and journal is not None and journal.exists():
            shutil.rmtree(journal)
            log.info("--fresh: the kept DynamoDB data in %s was dropped", journal)

    def describe(self) -> str:
        """What is running where, for the console."""
        lines = [
            f"web front      {self.callback_url}/   (sign in as a demo user; docs/web.md)",
            f"WebSocket      {self.websocket_url}?token=<JWT>",
            f"@connections   {self.callback_url}/@connections/{{connection_id}}",
            f"stats          {self.callback_url}/_aicc/stats",
            f"moto (AWS)     {self.moto_url}   (pid {self.moto.pid})",
            *([f"moto DynamoDB  {self.dynamodb_url}   (pid {self.dynamodb.pid})"] if self.dynamodb else []),
            f"state dir      {self.state_dir.resolve()}",
            f"credentials    {(self.state_dir / 'credentials').resolve()}   (SigV4 for @connections and /_aicc)",
            f"data           {self._data_line()}",
        ]
        if self.provisioned is not None:
            lines.append(f"event bus      {self.provisioned.bus_name}   archive {self.provisioned.archive_name}")
            for poller in self.mapped_functions:
                queue = poller.binding.queue_url.rsplit("/", 1)[-1]
                lines.append(
                    f"queue          {queue:<28} -> {poller.name} "
                    f"(batch {poller.binding.batch_size}, {poller.binding.concurrency} pollers)"
                )
            lines.append("tables         " + ", ".join(sorted(self.provisioned.tables.values())))
        return "\n".join(lines)

    def _data_line(self) -> str:
        journal = (self.dynamodb or self.moto).journal
        if journal is None:
            return "in memory only (lost when the stack stops)"
        return f"kept in {journal.resolve()} ({'started empty: --fresh' if self.fresh else 'restored'})"

    async def __aenter__(self) -> EmbeddedStack:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()


def _reset_shared_clients() -> None:
    """Handlers cache boto3 clients per process; they must see the endpoint we just set."""
    try:
        clients = importlib.import_module("aicc.runtime.clients")
    except ImportError:
        return
    reset = getattr(clients, "reset", None)
    if callable(reset):
        reset()


def _seed_reference_data() -> None:
    try:
        seed_module = importlib.import_module("aicc.seed")
    except ModuleNotFoundError as error:
        if error.name not in ("aicc.seed", "aicc"):
            raise
        log.info("aicc.seed is not there yet: reference data not seeded")
        return
    seed = getattr(seed_module, "seed_reference_data", None)
    if not callable(seed):
        log.info("aicc.seed has no seed_reference_data(): reference data not seeded")
        return
    started = time.perf_counter()
    seed()
    log.info("reference data seeded in %.0f ms", (time.perf_counter() - started) * 1000)


async def serve_stack(stack: EmbeddedStack, ready: Callable[[EmbeddedStack], Any] | None = None) -> None:
    """Run until SIGINT/SIGTERM, then stop cleanly and print the handler timings."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    try:
        await stack.start()
        print(stack.describe(), flush=True)
        if ready is not None:
            ready(stack)
        await _first_of(stopping.wait(), stack.supervisor.given_up.wait())
        if stack.supervisor.failure:
            print(f"\naicc up: {stack.supervisor.failure}", file=sys.stderr, flush=True)
        print("\nstopping: closing sockets ($disconnect), event-source mappings, moto", file=sys.stderr, flush=True)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await stack.stop()
        print(stack.stats.format(), flush=True)


async def _first_of(*waits: Any) -> None:
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()


def run_stack(
    host: str = "127.0.0.1",
    port: int = 8080,
    moto_port: int = 5000,
    state_dir: Path = Path(".aicc"),
    ready: Callable[[EmbeddedStack], Any] | None = None,
    instruments: Sequence[Callable[[EmbeddedStack], Any]] = (),
    **options: Any,
) -> int:
    """Blocking entrypoint for `aicc up`, returning its exit code (1: a child died and was not
    restarted); `options` go to EmbeddedStack (e.g. pollers_per_queue), each
    of `instruments` is called with the stack before it starts (e.g. aicc.bench.probe.attach)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stack = EmbeddedStack(host=host, port=port, moto_port=moto_port, state_dir=state_dir, **options)
    for instrument in instruments:
        instrument(stack)
    asyncio.run(serve_stack(stack, ready))
    return 1 if stack.supervisor.failure else 0


if __name__ == "__main__":
    run_stack()
