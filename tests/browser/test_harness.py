"""The harness itself, without a stack: Chromium starts, axe-core tells an accessible page from one
with a serious violation, and a failed test leaves its screenshot and console log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.harness import axe_violations

ROOT = Path(__file__).resolve().parents[2]

GOOD = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Good</title></head>
<body><main><h1>Hello</h1><label for="m">Message</label><input id="m"><button>Send</button></main></body></html>"""
# A button with no accessible name and an image without alt text: axe rates both critical.
BAD = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad</title></head>
<body><main><h1>Hello</h1><button></button>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>"""


def test_axe_finds_nothing_serious_on_an_accessible_page_and_names_what_breaks_another(page: Page, static_site) -> None:
    page.goto(static_site("good.html", GOOD))
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    assert axe_violations(page) == []

    page.goto(static_site("bad.html", BAD))
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"button-name", "image-alt"} <= found


FAILING = """
from playwright.sync_api import Page


def test_it_fails(page: Page, static_site) -> None:
    page.goto(static_site("index.html", "<!doctype html><title>t</title><p>shown</p>"))
    page.evaluate("console.error('the page said something')")
    assert page.title() == "not this"


def test_it_passes(page: Page, static_site) -> None:
    page.goto(static_site("index.html", "<!doctype html><title>t</title><p>shown</p>"))
"""


def test_a_failed_test_leaves_a_screenshot_and_the_console_log(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "conftest.py").write_text('pytest_plugins = ["tests.browser.harness"]\n')
    (project / "test_inner.py").write_text(FAILING)
    artifacts = tmp_path / "artifacts"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AICC_BROWSER_ARTIFACTS": str(artifacts)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", str(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "1 failed, 1 passed" in run.stdout, run.stdout + run.stderr
    saved = sorted(path.name for path in artifacts.iterdir())
    assert saved == ["test_it_fails-page.console.log", "test_it_fails-page.png"]
    assert (artifacts / "test_it_fails-page.png").read_bytes().startswith(b"\x89PNG")
    assert "error: the page said something" in (artifacts / "test_it_fails-page.console.log").read_text()
