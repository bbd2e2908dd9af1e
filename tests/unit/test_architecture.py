"""Dependencies point one way: no import cycle between the project's packages, and the contracts
import nothing from `aicc` or `handlers` (they are the shared language, not a client of the code).

Read from the source with `ast`, every import counted (inside functions and TYPE_CHECKING blocks
too), so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL = ("aicc", "contracts", "handlers")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[str]:
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join([*base, *([node.module] if node.module else [])])
            else:
                stem = node.module or ""
            yield stem
            # `from aicc import bench` imports the package aicc.bench
            yield from (f"{stem}.{alias.name}" for alias in node.names)


def unit_of(module: str) -> str | None:
    """The package a module belongs to for this test: aicc.<sub>, contracts, handlers (None: outside)."""
    parts = module.split(".")
    if parts[0] not in TOP_LEVEL:
        return None
    if parts[0] == "aicc":
        return ".".join(parts[:2]) if len(parts) > 1 else None
    return parts[0]


def _known_units() -> set[str]:
    units = set()
    for top in TOP_LEVEL:
        for path in (ROOT / top).rglob("*.py"):
            unit = unit_of(_module_name(path))
            if unit:
                units.add(unit)
    return units


def dependency_graph() -> dict[str, set[str]]:
    known = _known_units()
    graph: dict[str, set[str]] = {unit: set() for unit in known}
    for top in TOP_LEVEL:
        for path in (ROOT / top).rglob("*.py"):
            source = unit_of(_module_name(path))
            if source is None:
                continue
            for imported in _imports(path):
                target = unit_of(imported)
                if target in known and target != source:
                    graph[source].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one package (Tarjan), as sorted lists."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_packages_and_their_imports() -> None:
    graph = dependency_graph()
    assert {"aicc.embedded", "aicc.bench", "aicc.runtime", "aicc.agents", "contracts", "handlers"} <= set(graph)
    assert "aicc.embedded" in graph["aicc.bench"]  # the bench measures the embedded stack
    assert "contracts" in graph["aicc.runtime"]


def test_no_import_cycle_between_packages() -> None:
    assert cycles(dependency_graph()) == []


def test_contracts_import_nothing_from_aicc_or_handlers() -> None:
    offending = [
        f"{path.relative_to(ROOT)} imports {imported}"
        for path in (ROOT / "contracts").rglob("*.py")
        for imported in _imports(path)
        if imported.split(".")[0] in ("aicc", "handlers")
    ]
    assert offending == []


@pytest.mark.parametrize("lambda_package", ["aicc.runtime", "aicc.agents", "handlers"])
def test_code_that_ships_to_lambda_does_not_import_the_bench_or_the_embedded_stack(lambda_package: str) -> None:
    assert not {"aicc.bench", "aicc.embedded"} & dependency_graph()[lambda_package]


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
