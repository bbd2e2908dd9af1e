"""`aicc up` as a user starts it, on free loopback ports, for a module of browser tests; and what the
tests do on the pages: sign in as a demo user, send a message, read `aicc stats --json`."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.loopback import free_ports

# `aicc up` seeds, provisions and starts its pollers in a few seconds; a loaded CI machine more.
START_S = 90
STOP_S = 30


class Stack:
    def __init__(self, root: Path, *, fresh: bool = False) -> None:
        self.fresh = fresh
        self.state_dir = root / "state"
        self.port, self.moto_port, self.dynamodb_port = free_ports(3)
        self.url = f"http://127.0.0.1:{self.port}"
        # The stack's own environment, not the test session's fake AWS one.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AICC_"))}
        self.log = root / "aicc-up.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "aicc.cli", "up", "--port", str(self.port)]
        command += ["--moto-port", str(self.moto_port), "--dynamodb-port", str(self.dynamodb_port)]
        command += ["--state-dir", str(self.state_dir)] + (["--fresh"] if self.fresh else [])
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"aicc up exited early:\n{self.log.read_text()[-5000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise AssertionError(f"aicc up did not listen in {START_S} s:\n{self.log.read_text()[-5000:]}")
        # Listening means serving: the pages' runtime config is the first thing a browser asks for.
        try:
            with urllib.request.urlopen(f"{self.url}/config.json", timeout=10) as answer:
                assert json.load(answer)["websocket_url"].startswith("ws://127.0.0.1:")
        except OSError as exc:  # another process answers on the port: say what aicc up said
            self.stop()
            raise AssertionError(f"{self.url} is not this aicc up ({exc}):\n{self.log.read_text()[-5000:]}") from exc

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=STOP_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_S)

    def demo_users(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.url}/auth/demo/users", timeout=10) as answer:
            users: list[dict[str, Any]] = json.load(answer)["users"]
        return users

    def demo_user(self, role: str, dealer_id: str | None = None) -> str:
        """The first demo user of that role (and dealership), as the sign-in page lists them."""
        for user in self.demo_users():
            if user["role"] == role and (dealer_id is None or user.get("dealer_id") == dealer_id):
                return str(user["user_id"])
        raise AssertionError(f"no demo user with role {role} and dealer {dealer_id}")

    def aws_env(self) -> dict[str, str]:
        """The environment of a command that talks to this stack's AWS stand-ins (moto)."""
        return dict(self.env) | {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.moto_port}",
            "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{self.dynamodb_port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
        }

    def stats(self, days: int = 1) -> dict[str, Any]:
        """`aicc stats --json --days N` against this stack, as an operator would run it."""
        env = self.aws_env()
        command = [sys.executable, "-m", "aicc.cli", "stats", "--json", "--days", str(days)]
        out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=True)
        summary: dict[str, Any] = json.loads(out.stdout)
        return summary


def running_stack(root: Path) -> Iterator[Stack]:
    stack = Stack(root)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def sign_in(page: Page, stack: Stack, user_id: str) -> None:
    """The demo sign-in page, as a person uses it: the button with their user id."""
    page.goto(f"{stack.url}/signin.html")
    page.get_by_role("button", name=re.compile(re.escape(user_id))).click()
    page.wait_for_url(lambda url: not url.endswith("/signin.html"))


def chat(page: Page) -> Locator:
    return page.get_by_role("log", name="Conversation")


def messages(page: Page, sender: str) -> Locator:
    return chat(page).locator(f'.msg[data-sender="{sender}"]')


def connected(page: Page) -> None:
    """The page is ready as its user sees it: the connection line says "Connected" (the Message box
    is enabled even offline: what is typed then waits for the socket)."""
    expect(page.locator("#connection")).to_have_text("Connected")
    expect(page.get_by_role("textbox", name="Message")).to_be_enabled()


def say(page: Page, text: str) -> Locator:
    """Types a message and sends it; returns the assistant's reply that follows it."""
    before = messages(page, "assistant").count()
    page.get_by_role("textbox", name="Message").fill(text)
    page.get_by_role("button", name="Send").click()
    reply = messages(page, "assistant").nth(before)
    expect(reply).to_be_visible()
    return reply


def click_action(page: Page, name: str | re.Pattern[str]) -> Locator:
    """Clicks a quick action of the latest reply; returns the reply that follows it."""
    replies = messages(page, "assistant")
    before = replies.count()
    replies.last.get_by_role("button", name=name).first.click()
    reply = replies.nth(before)
    expect(reply).to_be_visible()
    return reply


def tab_to(page: Page, target: Locator, key: str, limit: int = 40) -> None:
    """Presses Tab (or Shift+Tab) until the target has the focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press(key)
    expect(target).to_be_focused()
