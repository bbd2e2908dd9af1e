"""Cold-start check: import every handler module in a fresh interpreter, N times, and report the
median and the worst wall time, and the median CPU time.

`import handlers.<x>` is the function's init on Lambda, less the runtime's own start: handlers build
their clients, models and indexes at import, so nothing is left for the first record.

--bytecode cached (default): every module's bytecode is already compiled, as with a package that
    ships .pyc files, or a SnapStart snapshot (it holds the imported modules).
--bytecode none: every module is compiled from source on each import, as Lambda does with a package
    of sources only (/var/task and /opt are read-only: nothing is cached between cold starts).
--compare DIR: the same handlers of another tree (e.g. `git archive <rev> | tar -x -C DIR`), measured
    in turns with this one, so both see the same phase of a machine whose speed drifts.

CPU time is the steadier figure when other work shares the machine; the bar (150 ms) is wall time.
Run: .venv/bin/python scripts/measure_imports.py [--runs 7] [--bytecode cached|none] [--compare DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = (
    "import time, sys; w = time.perf_counter(); c = time.process_time(); import {module}; "
    "sys.stdout.write(f'{{(time.perf_counter() - w) * 1000}} {{(time.process_time() - c) * 1000}}')"
)


def handler_modules(tree: Path) -> list[str]:
    return sorted(f"handlers.{p.stem}" for p in (tree / "handlers").glob("*.py") if p.stem != "__init__")


def environment(tree: Path, pycache: str, bytecode: str) -> dict[str, str]:
    # Bytecode comes from (and goes to) a private directory only, whatever __pycache__ earlier runs
    # left in the tree or the venv. It is primed by one import of every handler; with `none`, only the
    # standard library's bytecode is kept (Lambda's runtime ships it compiled; the zips do not).
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONPYCACHEPREFIX": pycache}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    prime = f"import importlib\nfor name in {handler_modules(tree)!r}:\n    importlib.import_module(name)\n"
    subprocess.run([sys.executable, "-c", prime], check=True, cwd=tree, env=env, timeout=300)
    if bytecode == "none":
        packaged = {tree, *(Path(p) for p in (sysconfig.get_path("purelib"), sysconfig.get_path("platlib")))}
        for source in packaged:
            shutil.rmtree(Path(pycache) / source.resolve().relative_to("/"), ignore_errors=True)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def probe(module: str, tree: Path, env: dict[str, str]) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tree,
        env=env,
        timeout=120,
    )
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def measure(trees: list[Path], runs: int, bytecode: str) -> dict[str, dict[str, dict[str, float]]]:
    """tree -> handler module -> median_ms, max_ms, cpu_median_ms; the trees' imports alternate."""
    with tempfile.TemporaryDirectory(prefix="aicc-pycache-") as scratch:
        envs = {tree: environment(tree, f"{scratch}/{i}", bytecode) for i, tree in enumerate(trees)}
        samples: dict[Path, dict[str, list[tuple[float, float]]]] = {tree: {} for tree in trees}
        for module in handler_modules(trees[0]):
            for _ in range(runs):
                for tree in trees:
                    if (tree / Path(*module.split("."))).with_suffix(".py").exists():
                        samples[tree].setdefault(module, []).append(probe(module, tree, envs[tree]))
    return {
        str(tree): {
            module: {
                "median_ms": round(statistics.median(w for w, _ in times), 1),
                "max_ms": round(max(w for w, _ in times), 1),
                "cpu_median_ms": round(statistics.median(c for _, c in times), 1),
            }
            for module, times in by_module.items()
        }
        for tree, by_module in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--bytecode", choices=["cached", "none"], default="cached")
    parser.add_argument("--compare", type=Path, default=None, help="another tree, measured in turns with this one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    trees = [ROOT] + ([args.compare.resolve()] if args.compare else [])
    report = measure(trees, args.runs, args.bytecode)
    if args.json:
        print(json.dumps({"bytecode": args.bytecode, "runs": args.runs, "trees": report}, indent=2))
        return
    print(f"handler import in a fresh interpreter: bytecode {args.bytecode}, {args.runs} runs each")
    print(f"{'':28}" + "".join(f" | {Path(tree).name[:24]:^24}" for tree in report))
    print(f"{'handler module':28}" + " | median    max    cpu" * len(report) + "   (ms)")
    for module in handler_modules(ROOT):
        cells = ""
        for rows in report.values():
            row = rows.get(module)
            cells += (
                f" | {row['median_ms']:6.0f} {row['max_ms']:6.0f} {row['cpu_median_ms']:6.0f}"
                if row
                else f" | {'-':>20}"
            )
        print(f"{module:28}{cells}")


if __name__ == "__main__":
    main()
