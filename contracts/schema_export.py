"""JSON Schemas of every contract, rendered deterministically for `contracts/schemas/`.

Regenerate with `python scripts/generate_contracts.py`; a test fails when the checked-in files
differ from what the models say. Terraform registers the event schemas in the Schema Registry.
"""

from __future__ import annotations

import json
from pathlib import Path

from contracts.events import EVENT_MODELS
from contracts.frames import FRAME_MODELS
from contracts.manifest import Manifest, manifest

SCHEMA_DIR = Path(__file__).parent / "schemas"
MANIFEST_EXPORT = Path(__file__).parent / "manifest.json"


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


def write_all() -> list[Path]:
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
    return written
