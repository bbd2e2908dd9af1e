"""Parsed Terraform for the tests: python-hcl2's output with quotes stripped and blocks merged per directory.

python-hcl2 (7+) keeps string literals quoted (`'"b"'`) and expressions wrapped (`'${var.x}'`); the
helpers below unquote literals so a test compares `"python3.12"` with `python3.12`, and leave
expressions as their `${...}` text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"
MODULES = TERRAFORM / "modules"
ENVS = TERRAFORM / "envs"


def unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


def normalize(value: Any) -> Any:
    if isinstance(value, dict):
        return {unquote(k): normalize(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return unquote(value)


def expr(text: str) -> str:
    """The expression inside `${...}`, or the text itself."""
    if text.startswith("${") and text.endswith("}"):
        return text[2:-1]
    return text


@cache
def parse(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        return normalize(hcl2.load(handle))  # type: ignore[no-any-return,unused-ignore]


@dataclass
class Config:
    """Every top-level block of one Terraform directory (a module or a root)."""

    path: Path
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    providers: list[dict[str, Any]] = field(default_factory=list)
    terraform: list[dict[str, Any]] = field(default_factory=list)

    def resource(self, kind: str, name: str) -> dict[str, Any]:
        assert (kind, name) in self.resources, f"{self.path.name}: no {kind}.{name}"
        return self.resources[(kind, name)]

    def resources_of(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: body for (k, name), body in self.resources.items() if k == kind}

    def text(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.path.glob("*.tf")))


@cache
def config(path: Path) -> Config:
    result = Config(path)
    for tf in sorted(path.glob("*.tf")):
        parsed = parse(tf)
        for block in parsed.get("resource", []):
            for kind, named in block.items():
                for name, body in named.items():
                    result.resources[(kind, name)] = body
        for block in parsed.get("data", []):
            for kind, named in block.items():
                for name, body in named.items():
                    result.data[(kind, name)] = body
        for block in parsed.get("module", []):
            result.modules.update(block)
        for block in parsed.get("variable", []):
            result.variables.update(block)
        for block in parsed.get("output", []):
            result.outputs.update(block)
        for block in parsed.get("locals", []):
            result.locals.update(block)
        result.providers += parsed.get("provider", [])
        result.terraform += parsed.get("terraform", [])
    return result


def module(name: str) -> Config:
    return config(MODULES / name)


def env(name: str) -> Config:
    return config(ENVS / name)


_REF = re.compile(r"\$\{([A-Za-z0-9_.\[\]\"-]+)\}")


def render(template: str, context: dict[str, Any]) -> str:
    """Evaluate a string of plain references (`${var.x}${local.agent.queue_name}`) against context.

    Anything but a dotted reference fails the test: the naming templates must stay simple enough to
    check without Terraform.
    """

    def lookup(match: re.Match[str]) -> str:
        value: Any = context
        for part in match.group(1).split("."):
            assert isinstance(value, dict) and part in value, f"cannot resolve {match.group(1)} in {template}"
            value = value[part]
        return str(value)

    rendered = _REF.sub(lookup, template)
    assert "${" not in rendered, f"unsupported expression in {template}"
    return rendered
