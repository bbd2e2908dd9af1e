"""moto's server mode, patched from the registry, with the event-source mappings beside the queues.

    python -m aicc.embedded.moto.server --port 5000 [--no-speedups]

Runs in a process of its own (aicc.embedded.moto.process starts it): every AWS call costs moto
milliseconds of Python, and in the stack's process that time would hold the GIL against the
handlers. Two processes let both cores work.

`AICC_MOTO_SPEEDUPS=0` (or `--no-speedups`) serves with the correctness patches only, through moto's
own WSGI app and request handler: the way to tell a speed-up's fault from moto's.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from aicc.embedded.moto.journal import JournalFormatError
from aicc.embedded.moto.registry import Kind, UnverifiedMoto

READY_PREFIX = "aicc-moto listening on "
ESM_MARK = "mappings on "
PATCHES_MARK = "patches "
HOST = "127.0.0.1"
SPEEDUPS_ENV = "AICC_MOTO_SPEEDUPS"
# Writes between two snapshots of the durable DynamoDB (bounds what a restart after a kill replays).
COMPACT_EVERY_ENV = "AICC_JOURNAL_COMPACT_EVERY"


def speedups_from_env() -> bool:
    return os.environ.get(SPEEDUPS_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def apply_patches(*, speedups: bool) -> list[str]:
    """Apply the registry's correctness patches, and its speed-ups when asked; the names applied."""
    from aicc.embedded.moto.patches import PATCHES

    kinds = (Kind.CORRECTNESS, Kind.SPEEDUP) if speedups else (Kind.CORRECTNESS,)
    PATCHES.apply_all(kinds)
    return PATCHES.applied_names()


def request_handler(*, verbose: bool, keep_alive: bool) -> Any:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietRequestHandler(MotoRequestHandler):
        # http.server writes the status line, each header and the body as separate small writes;
        # without TCP_NODELAY the later ones wait on the client's ACK (Nagle). Buffering them is
        # not an option: werkzeug drains the socket for a while before the buffer is flushed.
        disable_nagle_algorithm = True

        # A log line per request costs about as much as a cheap moto call; errors are still logged.
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            if verbose:
                super().log_request(code, size)

    if not keep_alive:
        return QuietRequestHandler

    class KeepAliveRequestHandler(QuietRequestHandler):
        # Keep-alive (the http-keep-alive patch): werkzeug's dev server answers every request with
        # `Connection: close`, because http.server cannot skip a body the app left unread. Reading
        # every body up front leaves the stream at the next request, which makes keeping the
        # connection safe; botocore and aiohttp then reuse it.
        def make_environ(self) -> dict[str, Any]:
            environ = super().make_environ()
            length = environ.get("CONTENT_LENGTH")
            if length and "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
                environ["wsgi.input"] = io.BytesIO(self.rfile.read(int(length)))
            elif environ.get("REQUEST_METHOD") not in ("GET", "HEAD", "DELETE", "OPTIONS"):
                # A body of unknown length: only closing tells where it ends, as werkzeug assumes.
                self._must_close = True
            return environ

        def handle_one_request(self) -> None:
            self._must_close = False
            super().handle_one_request()
            if self._must_close:
                self.close_connection = True

        def send_header(self, keyword: str, value: str) -> None:
            if keyword.lower() == "connection" and value.lower() == "close" and not self._must_close:
                return
            super().send_header(keyword, value)

    return KeepAliveRequestHandler


# JSON-protocol services the stack calls, by the X-Amz-Target prefix -> moto's response class.
_JSON_TARGETS = {
    "DynamoDB_20120810": ("moto.dynamodb.responses", "DynamoHandler"),
    "AWSEvents": ("moto.events.responses", "EventsHandler"),
    "AmazonSQS": ("moto.sqs.responses", "SQSResponse"),
}


class DirectJsonDispatch:
    """WSGI front (a speed-up): a JSON-protocol call goes straight to moto's response class; the rest to moto's app.

    moto's server runs each request through a per-service Flask app (app and request contexts, URL
    routing, CORS hooks) only to reach the same `ResponseClass.dispatch(request, url, headers)` for
    a `POST /` with an `X-Amz-Target`. The request object and the call are the ones moto's Flask
    view makes (`convert_to_flask_response`), errors included. Not a patch: it wraps moto's app
    and replaces nothing, so it is on exactly when the speed-ups are.
    """

    def __init__(self, app: Any) -> None:
        from botocore.exceptions import ClientError
        from moto.core.request import normalize_request
        from moto.moto_api import recorder
        from moto.moto_server.werkzeug_app import BackendRequest
        from werkzeug.wrappers import Response

        self.app = app
        self._dispatchers: dict[str, Any] = {}
        self._client_error = ClientError
        self._normalize_request = normalize_request
        self._recorder = recorder
        self._request_class = BackendRequest
        self._response_class = Response

    def _dispatcher(self, prefix: str) -> Any:
        if prefix not in self._dispatchers:
            module_name, class_name = _JSON_TARGETS[prefix]
            module = __import__(module_name, fromlist=[class_name])
            self._dispatchers[prefix] = getattr(module, class_name).dispatch
        return self._dispatchers[prefix]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        prefix = environ.get("HTTP_X_AMZ_TARGET", "").split(".", 1)[0]
        if prefix not in _JSON_TARGETS or environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != "/":
            return self.app(environ, start_response)
        request = self._normalize_request(self._request_class(environ))
        self._recorder._record_request(request)
        try:
            result = self._dispatcher(prefix)(request, request.raw_url, dict(request.headers))
        except self._client_error as error:
            result = 400, {}, error.response["Error"]["Message"]
        status, headers, body = result if len(result) == 3 else (200, {}, result)
        return self._response_class(response=body, status=status, headers=headers)(environ, start_response)


def serve(
    host: str,
    port: int,
    *,
    verbose: bool = False,
    exit_on_stdin_eof: bool = False,
    speedups: bool = True,
    journal: str | None = None,
) -> None:
    """Serve until SIGTERM/SIGINT (or stdin closing, when the parent asked for that).

    `journal`: a directory where DynamoDB's data is kept across restarts (aicc.embedded.moto.journal)."""
    try:
        applied = apply_patches(speedups=speedups)
    except UnverifiedMoto as error:
        # The parent reads the first line: let it say why, rather than time out.
        print(error, flush=True)
        raise SystemExit(2) from error
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    from aicc.embedded.moto.patches import PATCHES
    from aicc.embedded.moto.patches.httpserver import KEEP_ALIVE

    app: Any = DomainDispatcherApplication(create_backend_app)
    if speedups:
        app = DirectJsonDispatch(app)
    try:
        durable, loaded = _durable(app, journal)
    except JournalFormatError as error:
        print(error, flush=True)  # the parent reads the first line: it says why and how out
        raise SystemExit(2) from error
    app = durable or app
    handler = request_handler(verbose=verbose, keep_alive=PATCHES.is_applied(KEEP_ALIVE.name))
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    # Long polls park one thread each; don't let them keep the process alive at shutdown.
    server.daemon_threads = True  # type: ignore[attr-defined]

    def shutdown(*_: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        shutdown()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if exit_on_stdin_eof:
        # The parent keeps our stdin open; EOF means it died without stopping us (e.g. kill -9).
        def shutdown_on_eof() -> None:
            sys.stdin.read()
            shutdown()

        threading.Thread(target=shutdown_on_eof, daemon=True).start()

    # Lambda's SQS event-source mappings run here, beside the queues (see aicc.embedded.esm_host).
    from aicc.embedded.esm_host import MappingHost

    mappings = MappingHost(host)
    mappings.start()
    bound_port = server.server_address[1]
    print(
        f"{READY_PREFIX}http://{host}:{bound_port} {ESM_MARK}{mappings.address[0]}:{mappings.address[1]} "
        f"{PATCHES_MARK}{','.join(applied)}",
        flush=True,
    )
    if loaded:
        print(loaded, flush=True)
    try:
        server.serve_forever()
    finally:
        mappings.stop()
        if durable is not None:
            durable.close()  # a clean stop leaves one snapshot and an empty journal


def _durable(app: Any, journal: str | None) -> tuple[Any, str]:
    """The app made durable in `journal` and its data loaded (with what was loaded), or (None, "")."""
    if not journal:
        return None, ""
    from aicc.embedded.moto.journal import DEFAULT_COMPACT_EVERY, DurableDynamoDB

    every = os.environ.get(COMPACT_EVERY_ENV)
    durable = DurableDynamoDB(app, Path(journal), compact_every=int(every) if every else DEFAULT_COMPACT_EVERY)
    stats = durable.load()
    return durable, (
        f"dynamodb restored from {journal}: {stats.tables} tables, {stats.items} items from the snapshot, "
        f"{stats.replayed} journal entries replayed ({stats.failed} refused) in {stats.seconds * 1000:.0f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="moto server for the aicc embedded stack")
    parser.add_argument("--host", default=HOST, help="listen address (keep it on loopback)")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port (printed on start)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.add_argument(
        "--no-speedups",
        action="store_true",
        help=f"correctness patches only (also: {SPEEDUPS_ENV}=0)",
    )
    parser.add_argument("--journal", help="keep DynamoDB's data in this directory across restarts")
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    serve(
        args.host,
        args.port,
        verbose=args.verbose,
        exit_on_stdin_eof=args.exit_on_stdin_eof,
        speedups=speedups_from_env() and not args.no_speedups,
        journal=args.journal,
    )


if __name__ == "__main__":
    main()
