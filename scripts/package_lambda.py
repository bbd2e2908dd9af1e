"""Build the Lambda artifacts Terraform deploys, reproducibly.

    python scripts/package_lambda.py              # build/lambda/code.zip and build/lambda/layer.zip
    python scripts/package_lambda.py --code-only  # just the code (no network needed)

- code.zip: the packages `aicc`, `contracts` and `handlers` (sources and package data), without the
  embedded stack (`aicc/embedded`, which needs moto and never runs in Lambda) and without caches.
- layer.zip: the runtime dependencies of pyproject.toml (`[project] dependencies`) under `python/`,
  installed by pip for the Lambda runtime and architecture: `--platform manylinux2014_aarch64`
  (and manylinux_2_28_aarch64, which Amazon Linux 2023's glibc runs), `--only-binary=:all:`,
  `--python-version 3.12`, `--implementation cp`, no byte-code. The versions pip chose are written to
  build/lambda/layer-requirements.txt; pass that file back with `--constraint` to rebuild the same layer.

Both zips are deterministic: entries sorted, every timestamp 1980-01-01, fixed permissions, so the
same inputs give byte-identical zips and Terraform's `source_code_hash` changes only when the code does.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "build" / "lambda"
CODE_PACKAGES = ("aicc", "contracts", "handlers")
# Never in the function: the embedded stand-in for AWS, and anything the interpreter regenerates.
EMBEDDED = ("aicc", "embedded")
EXCLUDED_SUFFIXES = {".pyc", ".pyo"}
PACKAGE_DATA_SUFFIXES = {".py", ".json", ".gz", ".jsonl", ".md", ".txt", ".typed"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64")


def runtime_dependencies(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    data = tomllib.loads(pyproject.read_text())
    return list(data["project"]["dependencies"])


def code_files(root: Path = ROOT) -> list[tuple[str, Path]]:
    """(name in the zip, file) for every file of the code zip, sorted by name."""
    files: list[tuple[str, Path]] = []
    for package in CODE_PACKAGES:
        base = root / package
        for path in base.rglob("*"):
            relative = path.relative_to(root)
            if not path.is_file() or "__pycache__" in relative.parts or relative.parts[:2] == EMBEDDED:
                continue
            if path.suffix in EXCLUDED_SUFFIXES or path.suffix not in PACKAGE_DATA_SUFFIXES:
                continue
            files.append((relative.as_posix(), path))
    return sorted(files)


def write_zip(target: Path, entries: Iterable[tuple[str, Path]]) -> None:
    """A zip whose bytes depend only on the entries' names and contents."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the permission bits below are honoured
            mode = 0o755 if path.stat().st_mode & 0o111 else 0o644
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(target)


def build_code(out: Path = DEFAULT_OUT) -> Path:
    target = out / "code.zip"
    write_zip(target, code_files())
    return target


def build_layer(out: Path = DEFAULT_OUT, python_version: str = "3.12", constraint: Path | None = None) -> Path:
    staging = out / "layer"
    site = staging / "python"
    if staging.exists():
        shutil.rmtree(staging)
    site.mkdir(parents=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-warn-conflicts",
        "--no-compile",
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        *[arg for platform in PLATFORMS for arg in ("--platform", platform)],
        "--target",
        str(site),
    ]
    if constraint is not None:
        command += ["--constraint", str(constraint)]
    command += runtime_dependencies()
    subprocess.run(command, check=True)
    # Console scripts are of no use in a layer and embed the build machine's interpreter path.
    shutil.rmtree(site / "bin", ignore_errors=True)
    pins = sorted(
        "==".join(p.name.removesuffix(".dist-info").rsplit("-", 1)) for p in site.glob("*.dist-info") if p.is_dir()
    )
    (out / "layer-requirements.txt").write_text("".join(pin + "\n" for pin in pins))
    entries = [
        (path.relative_to(staging).as_posix(), path)
        for path in staging.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in EXCLUDED_SUFFIXES
    ]
    target = out / "layer.zip"
    write_zip(target, entries)
    shutil.rmtree(staging)
    return target


def describe(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).digest()
    return (
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size:,} bytes, "
        f"sha256 {digest.hex()[:16]}…, source_code_hash {base64.b64encode(digest).decode()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default build/lambda)")
    parser.add_argument("--code-only", action="store_true", help="build code.zip only (no network)")
    parser.add_argument("--python-version", default="3.12", help="Lambda runtime's Python (default 3.12)")
    parser.add_argument("--constraint", type=Path, help="pin the layer, e.g. a previous layer-requirements.txt")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    print(describe(build_code(out)))
    if not args.code_only:
        print(describe(build_layer(out, args.python_version, args.constraint)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
