"""scripts/package_lambda.py: a reproducible code zip the handlers import from, and a layer built for arm64."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.terraform.hcl import ENVS, ROOT, TERRAFORM, env


def load_packager() -> ModuleType:
    spec = importlib.util.spec_from_file_location("package_lambda", ROOT / "scripts" / "package_lambda.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


packager = load_packager()


@pytest.fixture(scope="module")
def code_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return packager.build_code(tmp_path_factory.mktemp("a"))  # type: ignore[no-any-return,unused-ignore]


def test_code_zip_is_reproducible(code_zip: Path, tmp_path: Path) -> None:
    again = packager.build_code(tmp_path)
    assert again.read_bytes() == code_zip.read_bytes()
    with zipfile.ZipFile(code_zip) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_code_zip_holds_the_handlers_and_contracts_but_not_the_embedded_stack(code_zip: Path) -> None:
    names = set(zipfile.ZipFile(code_zip).namelist())
    agents = json.loads((TERRAFORM / "manifest.json").read_text())["agents"]
    for agent in agents:
        assert agent["handler"].rpartition(".")[0].replace(".", "/") + ".py" in names
    assert "contracts/manifest.json" in names
    assert not any(n.startswith("aicc/embedded/") or "__pycache__" in n or n.endswith(".pyc") for n in names)


def test_every_handler_imports_from_the_code_zip_alone(code_zip: Path, tmp_path: Path) -> None:
    """What Lambda does: the zip's root on sys.path (the layer's packages come from this venv here)."""
    zipfile.ZipFile(code_zip).extractall(tmp_path)
    routes = json.loads((TERRAFORM / "websocket_routes.json").read_text())
    handlers = sorted(
        {a["handler"] for a in json.loads((TERRAFORM / "manifest.json").read_text())["agents"]}
        | {r["handler"] for r in routes["routes"].values()}
        | {routes["authorizer"]["handler"]}
        | {r["handler"] for r in json.loads((TERRAFORM / "http_routes.json").read_text())["routes"].values()}
    )
    script = f"""
import importlib, os, sys
repo, code = {str(ROOT)!r}, {str(tmp_path)!r}
sys.path = [code] + [p for p in sys.path if p and os.path.abspath(p) != repo]
for dotted in {handlers!r}:
    module, _, attr = dotted.rpartition(".")
    loaded = importlib.import_module(module)
    assert callable(getattr(loaded, attr)), dotted
    assert loaded.__file__.startswith(code), (dotted, loaded.__file__)
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]


def test_layer_is_built_for_lambda_arm64_from_the_runtime_dependencies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []

    def fake_pip(command: list[str], check: bool) -> Any:
        calls.append(command)
        target = Path(command[command.index("--target") + 1])
        (target / "pydantic").mkdir(parents=True)
        (target / "pydantic" / "__init__.py").write_text("")
        (target / "pydantic-2.0.0.dist-info").mkdir()
        (target / "pydantic-2.0.0.dist-info" / "METADATA").write_text("Name: pydantic\n")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(packager.subprocess, "run", fake_pip)
    layer = packager.build_layer(tmp_path, "3.12")
    (command,) = calls
    assert command[1:4] == ["-m", "pip", "install"]
    assert "--only-binary=:all:" in command and "--no-compile" in command
    assert command[command.index("--python-version") + 1] == "3.12"
    assert command[command.index("--implementation") + 1] == "cp"
    platforms = [command[i + 1] for i, arg in enumerate(command) if arg == "--platform"]
    assert "manylinux2014_aarch64" in platforms
    assert command[-len(packager.runtime_dependencies()) :] == packager.runtime_dependencies()
    assert any(d.startswith("boto3>=") for d in packager.runtime_dependencies())  # the layer takes pyproject's range
    names = zipfile.ZipFile(layer).namelist()
    assert "python/pydantic/__init__.py" in names and all(n.startswith("python/") for n in names)
    assert (tmp_path / "layer-requirements.txt").read_text() == "pydantic==2.0.0\n"


@pytest.mark.parametrize("name", ["dev", "prod", "eu"])
def test_environments_point_at_the_built_artifacts(name: str) -> None:
    build = env(name).locals["build"]
    assert (ENVS / name / build.replace("${path.root}/", "")).resolve() == packager.DEFAULT_OUT
    stack = env(name).text()
    assert 'coalesce(var.code_zip, "${local.build}/code.zip")' in stack
    assert 'coalesce(var.layer_zip, "${local.build}/layer.zip")' in stack
