"""JSON Schemas of every contract, rendered deterministically for `contracts/schemas/`.

Regenerate with `python scripts/generate_contracts.py`; a test fails when the checked-in files
differ from what the models say. Terraform registers the event schemas in the Schema Registry.
Contracts import nothing from `aicc`: the DynamoDB table definitions (aicc.runtime.tables) are
passed in by the caller.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from contracts.events import EVENT_MODELS
from contracts.frames import FRAME_MODELS, ROUTE_SELECTION_EXPRESSION, WEBSOCKET_AUTHORIZER, WEBSOCKET_ROUTES
from contracts.http import HTTP_ROUTES
from contracts.manifest import Manifest, manifest
from contracts.sizing import FUNCTIONS

SCHEMA_DIR = Path(__file__).parent / "schemas"
MANIFEST_EXPORT = Path(__file__).parent / "manifest.json"
DIAGRAM = Path(__file__).parent.parent / "docs" / "choreography.md"
# Terraform reads these with jsondecode(file(...)) and iterates over them with for_each.
TERRAFORM_DIR = Path(__file__).parent.parent / "terraform"
TERRAFORM_EXPORTS = ("manifest.json", "tables.json", "websocket_routes.json", "functions.json", "http_routes.json")
# The $connect authorizer reads the JWT from `?token=` (handlers/ws_authorizer.py).
AUTHORIZER_IDENTITY_SOURCES = ["route.request.querystring.token"]


class IndexDefinition(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def hash_key(self) -> str: ...
    @property
    def range_key(self) -> str | None: ...


class TableDefinition(Protocol):
    """What the export reads of a table (aicc.runtime.tables.TableSpec has it)."""

    @property
    def hash_key(self) -> str: ...
    @property
    def range_key(self) -> str | None: ...
    @property
    def ttl_attribute(self) -> str | None: ...
    @property
    def indexes(self) -> Sequence[IndexDefinition]: ...
    def key_attributes(self) -> dict[str, str]: ...


def _dump(obj: object) -> str:
    return json.dumps(obj, indent=2, sort_keys=True) + "\n"


def render_schemas() -> dict[str, str]:
    files: dict[str, str] = {}
    for name, model in sorted(EVENT_MODELS.items()):
        schema = model.model_json_schema()
        schema["$id"] = f"https://aicc.example/schemas/events/{name}.json"
        files[f"events/{name}.json"] = _dump(schema)
    for name, frame in sorted(FRAME_MODELS.items()):
        schema = frame.model_json_schema()
        schema["$id"] = f"https://aicc.example/schemas/frames/{name}.json"
        files[f"frames/{name}.json"] = _dump(schema)
    files["Manifest.json"] = _dump(Manifest.model_json_schema())
    return files


def render_manifest() -> str:
    """The manifest as data, with the derived names Terraform needs spelled out."""
    m = manifest()
    data = m.model_dump(mode="json")
    for agent, spec in zip(data["agents"], m.agents, strict=True):
        agent["source"] = spec.source
        agent["queue_name"] = spec.queue_name
        agent["dlq_name"] = spec.dlq_name
        agent["visibility_timeout_s"] = spec.visibility_timeout_s
        for sub, sub_spec in zip(agent["consumes"], spec.consumes, strict=True):
            sub["rule_name"] = spec.rule_name(sub_spec)
    return _dump(data)


def render_tables(tables: Mapping[str, TableDefinition]) -> str:
    """The table definitions (aicc/runtime/tables.py) as data: Terraform's DynamoDB tables are built from this."""
    data = {
        name: {
            "hash_key": spec.hash_key,
            "range_key": spec.range_key,
            "ttl_attribute": spec.ttl_attribute,
            "attributes": spec.key_attributes(),
            "indexes": [
                {"name": index.name, "hash_key": index.hash_key, "range_key": index.range_key, "projection": "ALL"}
                for index in spec.indexes
            ],
        }
        for name, spec in tables.items()
    }
    return _dump(data)


def render_websocket_routes() -> str:
    """contracts/frames.py's routes as data: the WebSocket API's routes and integrations."""
    data = {
        "route_selection_expression": ROUTE_SELECTION_EXPRESSION,
        "authorizer": {"handler": WEBSOCKET_AUTHORIZER, "identity_sources": AUTHORIZER_IDENTITY_SOURCES},
        "routes": {
            route_key: {"handler": handler, "route_response": route_response}
            for route_key, (handler, route_response) in WEBSOCKET_ROUTES.items()
        },
    }
    return _dump(data)


def render_http_routes() -> str:
    """contracts/http.py's routes as data: the HTTP API's routes (JWT-authorized) and integrations."""
    return _dump({"routes": {route_key: {"handler": handler} for route_key, handler in HTTP_ROUTES.items()}})


def render_functions() -> str:
    """contracts/sizing.py as data: every function's memory and whether a reply waits for it."""
    return _dump({name: sizing._asdict() for name, sizing in FUNCTIONS.items()})


def render_terraform_exports(tables: Mapping[str, TableDefinition]) -> dict[str, str]:
    """terraform/<file> -> content."""
    return {
        "manifest.json": render_manifest(),
        "tables.json": render_tables(tables),
        "websocket_routes.json": render_websocket_routes(),
        "functions.json": render_functions(),
        "http_routes.json": render_http_routes(),
    }


def _filter_label(pattern: dict[str, object]) -> str:
    detail = pattern.get("detail")
    if not detail:
        return ""
    return " " + json.dumps(detail, sort_keys=True).replace('"', "'")


def render_diagram() -> str:
    """docs/choreography.md: who emits which event and which rule carries it to whom."""
    m = manifest()
    lines = [
        "# The choreography",
        "",
        "Generated from `contracts/manifest.py` by `scripts/generate_contracts.py`; a test fails when it is stale.",
        "Boxes are Lambda functions (each behind its own SQS queue and DLQ); arrows are EventBridge rules,",
        "labelled with the event and, where the rule filters on content, the filter.",
        "",
        "```mermaid",
        "flowchart LR",
    ]
    for name in m.producers:
        lines.append(f"  {name}([{name}])")
    for agent in m.agents:
        lines.append(f"  {agent.name}[{agent.name}]")
    for agent in m.agents:
        for sub in agent.consumes:
            types = sub.detail_types or ["every event"]
            sources = [s for s in sub.pattern.get("source", []) if isinstance(s, str)]
            emitters = [src.removeprefix("aicc.") for src in sources] or ["bus"]
            for emitter in emitters:
                for detail_type in types:
                    if (
                        emitter != "bus"
                        and detail_type not in m.producers.get(emitter, [])
                        and detail_type not in (m.agent(emitter).emits if emitter not in m.producers else [])
                    ):
                        continue
                    label = f"{detail_type}{_filter_label(sub.pattern)}"
                    lines.append(f'  {emitter} -- "{label}" --> {agent.name}')
    lines += [
        "```",
        "",
        f"A reply waits for: {', '.join(m.reply_waits_for)} — each only when its producer's rule matched an",
        f"event of the turn. The turn deadline is {m.turn_deadline_s} s (a delayed message the aggregator sends",
        "itself).",
        "",
    ]
    return "\n".join(lines)


def write_all(tables: Mapping[str, TableDefinition]) -> list[Path]:
    written = []
    for relative, text in render_schemas().items():
        path = SCHEMA_DIR / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    stale = {p for p in SCHEMA_DIR.rglob("*.json")} - {SCHEMA_DIR / r for r in render_schemas()}
    for path in stale:
        path.unlink()
        written.append(path)
    if not MANIFEST_EXPORT.exists() or MANIFEST_EXPORT.read_text() != render_manifest():
        MANIFEST_EXPORT.write_text(render_manifest())
        written.append(MANIFEST_EXPORT)
    for relative, text in render_terraform_exports(tables).items():
        path = TERRAFORM_DIR / relative
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written.append(path)
    if not DIAGRAM.exists() or DIAGRAM.read_text() != render_diagram():
        DIAGRAM.parent.mkdir(parents=True, exist_ok=True)
        DIAGRAM.write_text(render_diagram())
        written.append(DIAGRAM)
    return written
