"""The customer chat page's budget (issue 15): its compressed weight (gzip of the JS and CSS it loads)
and its time to interactive (navigation start -> the "Message" box enabled, i.e. signed in and
connected), over N loads in headless Chromium, each in a fresh browser context (a first visit:
empty cache).

Run: .venv/bin/python scripts/measure_web.py [--runs 20] [--json report.json]
(starts its own `aicc up` on free ports; --url http://127.0.0.1:8080 measures a running stack.)
Needs Debian's chromium and Playwright: ./scripts/browser_deps.sh.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import platform
import statistics
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from tests.browser.harness import launch  # noqa: E402
from tests.browser.stack import Stack  # noqa: E402

# The budget.
MAX_KB = 150
MAX_TTI_MS = 1000
WAIT_MS = 20_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


@contextlib.contextmanager
def stack_at(url: str | None) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    with tempfile.TemporaryDirectory(prefix="measure-web-") as root:
        stack = Stack(Path(root))
        stack.start()
        try:
            yield stack.url
        finally:
            stack.stop()


def demo_session(url: str, user_id: str) -> dict[str, str]:
    """The sessionStorage a demo sign-in leaves: the token the chat page reads."""
    request = urllib.request.Request(
        f"{url}/auth/demo/token",
        data=json.dumps({"user_id": user_id}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return {"aicc.token": json.load(answer)["token"]}


# Connected: the page says so (its connection line reads "Connected" once the WebSocket is open).
READY = """box => !box.disabled
  && [...document.querySelectorAll('p, span, div, [role=status]')].some(e => e.textContent.trim() === 'Connected')
  && performance.now()"""


def interactive_at(page: Page) -> float:
    """Milliseconds from navigation start to the frame where the Message box is enabled and the page connected."""
    box = page.get_by_role("textbox", name="Message")
    box.wait_for(state="attached", timeout=WAIT_MS)
    at = page.wait_for_function(READY, arg=box.element_handle(), polling="raf", timeout=WAIT_MS).json_value()
    return float(at)


def one_load(browser: Browser, url: str, session: dict[str, str]) -> tuple[float, dict[str, int]]:
    context = browser.new_context()
    context.add_init_script(
        "(items => { for (const [k, v] of Object.entries(items)) sessionStorage.setItem(k, v); })"
        f"({json.dumps(session)})"
    )
    page = context.new_page()
    bodies: dict[str, bytes] = {}

    def record(response: Any) -> None:
        if response.request.resource_type in ("script", "stylesheet"):
            with contextlib.suppress(Exception):  # a body the page dropped while navigating
                bodies[response.url.removeprefix(url)] = response.body()

    page.on("response", record)
    page.goto(f"{url}/")
    tti = interactive_at(page)
    # gzip level 6, as web servers and CDNs compress by default.
    gzipped = {path: len(gzip.compress(body, 6)) for path, body in bodies.items()}
    context.close()
    return tti, gzipped


def measure(url: str, runs: int, user_id: str) -> dict[str, Any]:
    session = demo_session(url, user_id)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            one_load(browser, url, session)  # the stack's first requests warm its handlers
            loads = [one_load(browser, url, session) for _ in range(runs)]
        finally:
            browser.close()
    tti = [ms for ms, _ in loads]
    files = loads[-1][1]
    total_kb = sum(files.values()) / 1024
    return {
        "url": url,
        "runs": runs,
        "machine": platform.platform(),
        "weight": {"gzip_kb": round(total_kb, 1), "budget_kb": MAX_KB, "files_gzip_bytes": files},
        "tti_ms": {
            "p50": round(statistics.median(tti), 1),
            "p95": round(percentile(tti, 95), 1),
            "max": round(max(tti), 1),
            "budget": MAX_TTI_MS,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=None, help="a running stack (default: start aicc up on free ports)")
    parser.add_argument("--runs", type=int, default=20, help="page loads measured (after one warm-up)")
    parser.add_argument("--user", default="cust-0001", help="demo customer signed in")
    parser.add_argument("--json", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    with stack_at(args.url) as url:
        report = measure(url, args.runs, args.user)
    weight, tti = report["weight"], report["tti_ms"]
    print(f"chat page JS+CSS  {weight['gzip_kb']} KB gzip (budget {MAX_KB} KB)")
    for path, size in sorted(weight["files_gzip_bytes"].items()):
        print(f"  {path:32} {size / 1024:6.1f} KB")
    print(f"time to interactive over {args.runs} loads: p50 {tti['p50']} ms, p95 {tti['p95']} ms (budget {MAX_TTI_MS})")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
